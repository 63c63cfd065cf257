package passkey

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
)

//go:embed passkey.js
var script []byte

// Script is the browser side of the ceremonies (passkey.js), served by
// Handler.Routes at prefix + "passkey.js". It defines window.djauthPasskey
// with register(name), signIn() (second factor), signInPasswordless() and
// signInConditional(), which POST JSON to the routes and run
// navigator.credentials, converting base64url to ArrayBuffer and back.
func Script() []byte { return script }

// LimitScope is the auth.Limiter scope of the finish endpoints of
// Handler (see package throttle: a scope without a Rule of its own uses
// the login Rule).
const LimitScope = "passkey"

// maxBody caps the JSON body of a ceremony request.
const maxBody = 64 << 10

// AuthUserActive returns a Config.UserActive that looks the user up in
// a's store: a user who is gone or whose IsActive is false is not active.
func AuthUserActive[U any](a *auth.Auth[U]) func(ctx context.Context, userID int64) (bool, error) {
	return func(ctx context.Context, userID int64) (bool, error) {
		u, err := a.Store().GetUser(ctx, userID)
		if errors.Is(err, auth.ErrUserNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return auth.UserOf(u).IsActive, nil
	}
}

// HandlerConfig configures a Handler; the zero value is usable.
type HandlerConfig[U any] struct {
	// PendingUser returns the user whose second factor a passkey is to
	// prove. Nil means the logged-in user (a step-up check); the login
	// flow sets it to the user of its pending login.
	PendingUser func(r *http.Request) (userID int64, ok bool)
	// OnSecondFactor runs after a passkey proved the second factor of the
	// pending user. Nil records dev.PersistentID under
	// mfa.DeviceSessionKey, as django-otp's login does.
	OnSecondFactor func(w http.ResponseWriter, r *http.Request, dev mfa.Device) error
	// OnPasswordless runs after a passwordless sign-in of user. Nil logs
	// the user in through Backend with auth.Auth.LoginVerified, factor
	// Kind ("passkey"), and records the device under
	// mfa.DeviceSessionKey: a user-verified passkey is two factors (the
	// key and the PIN or biometric that unlocked it), so
	// auth.Config.SecondFactor asks for no second step.
	OnPasswordless func(w http.ResponseWriter, r *http.Request, user *U, dev mfa.Device) error
	// OnRegistered, when set, runs after a registration stored c.
	// Package accounts records the new passkey as the session's
	// verification (mfa.Flow.VerifySessionDevice), as django-otp logs
	// a device in on setup: the registration was itself behind the
	// step-up, and the session would otherwise lose it to the new
	// device.
	OnRegistered func(w http.ResponseWriter, r *http.Request, c Credential) error
	// RegisterGuard, when set, wraps the two registration endpoints:
	// package accounts sets it to mfa.Flow.StepUpRequired, so that adding
	// a passkey needs a recent verification.
	RegisterGuard func(http.Handler) http.Handler
	// Backend is the backend name passed to Auth.Login by the default
	// OnPasswordless; empty works when one backend is configured.
	Backend string
	// Logger logs failures of the server, never of the browser; nil
	// discards.
	Logger *slog.Logger
}

// Handler serves the JSON endpoints of the ceremonies over an Auth. Each
// is POST-only, requires Content-Type application/json, and runs inside
// Auth.Protect (cross-origin requests refused, responses not cached).
// Errors are JSON {"error": code, "message": text}.
//
// With auth.Config.Limiter set, the finish endpoints are throttled under
// LimitScope: a refused, replayed or expired response counts as a
// failure, keyed by the user for a second factor and by the client
// address alone for passwordless sign-in; a refused attempt gets 429
// with Retry-After and error "throttled".
type Handler[U any] struct {
	a   *auth.Auth[U]
	p   *Passkeys
	cfg HandlerConfig[U]
	log *slog.Logger
}

// NewHandler returns a Handler for p over a.
func NewHandler[U any](a *auth.Auth[U], p *Passkeys, cfg HandlerConfig[U]) *Handler[U] {
	h := &Handler[U]{a: a, p: p, cfg: cfg, log: cfg.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Routes registers, under prefix ("/passkey/"):
//
//	POST register/begin       {}                               -> creation options (logged-in user)
//	POST register/finish      {"name": ..., "credential": ...} -> {"id": ..., "name": ...}
//	POST login/begin          {}                               -> request options (pending user)
//	POST login/finish         {"credential": ...}              -> {"ok": true}
//	POST passwordless/begin   {"conditional": bool}            -> request options
//	POST passwordless/finish  {"credential": ...}              -> {"ok": true}
//	GET  passkey.js                                             -> Script
func (h *Handler[U]) Routes(mux *http.ServeMux, prefix string) {
	post := func(path string, f func(w http.ResponseWriter, r *http.Request, body []byte) (any, error)) {
		mux.Handle("POST "+prefix+path, auth.LoginNotRequired(h.a.Protect(h.json(f))))
	}
	register := func(path string, f func(w http.ResponseWriter, r *http.Request, body []byte) (any, error)) {
		var inner http.Handler = h.json(f)
		if h.cfg.RegisterGuard != nil {
			inner = h.cfg.RegisterGuard(inner)
		}
		mux.Handle("POST "+prefix+path, auth.LoginNotRequired(h.a.Protect(inner)))
	}
	register("register/begin", h.beginRegistration)
	register("register/finish", h.finishRegistration)
	post("login/begin", h.beginLogin)
	post("login/finish", h.finishLogin)
	post("passwordless/begin", h.beginPasswordless)
	post("passwordless/finish", h.finishPasswordless)
	mux.Handle("GET "+prefix+"passkey.js", auth.LoginNotRequired(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(script)
	})))
}

// httpError is an error with the status and code of its JSON response;
// retryAfter, when positive, is sent as Retry-After.
type httpError struct {
	status     int
	code       string
	message    string
	retryAfter time.Duration
}

func (e *httpError) Error() string { return e.message }

func (h *Handler[U]) json(f func(w http.ResponseWriter, r *http.Request, body []byte) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			h.writeError(w, &httpError{status: http.StatusUnsupportedMediaType, code: "bad_request", message: "Content-Type must be application/json."})
			return
		}
		body, err := readBody(w, r)
		if err != nil {
			h.writeError(w, err)
			return
		}
		out, err := f(w, r, body)
		if err != nil {
			h.writeError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		return nil, &httpError{status: http.StatusBadRequest, code: "bad_request", message: "The request body is not JSON."}
	}
	return raw, nil
}

// writeError writes err as JSON, mapping the package's errors.
func (h *Handler[U]) writeError(w http.ResponseWriter, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, auth.ErrNoSession):
		h.log.Error("passkey: handler mounted without a session", "err", err)
		he = &httpError{status: http.StatusInternalServerError, code: "server_error", message: "Something went wrong. Try again later."}
	case errors.Is(err, ErrNoCeremony):
		he = &httpError{status: http.StatusBadRequest, code: "no_ceremony", message: "The passkey request expired or was already used. Try again."}
	case errors.Is(err, ErrVerification):
		he = &httpError{status: http.StatusBadRequest, code: "verification_failed", message: "The passkey could not be verified."}
	case errors.Is(err, ErrCloned):
		he = &httpError{status: http.StatusForbidden, code: "cloned", message: "This passkey may have been copied and can no longer sign in. Remove it and register a new one."}
	case errors.Is(err, ErrInactiveUser):
		he = &httpError{status: http.StatusForbidden, code: "inactive", message: "This account is inactive."}
	case errors.Is(err, ErrInvalidName):
		he = &httpError{status: http.StatusBadRequest, code: "invalid_name", message: fmt.Sprintf("Give the passkey a name of at most %d characters.", MaxNameLength)}
	case errors.Is(err, mfa.ErrNoDevice):
		he = &httpError{status: http.StatusNotFound, code: "no_device", message: "No passkey is registered for this account."}
	case errors.Is(err, ErrDuplicateCredential):
		he = &httpError{status: http.StatusConflict, code: "duplicate", message: "This passkey is already registered."}
	case errors.Is(err, ErrPasswordlessDisabled):
		he = &httpError{status: http.StatusNotFound, code: "disabled", message: "Passwordless sign-in is not available."}
	default:
		h.log.Error("passkey: request failed", "err", err)
		he = &httpError{status: http.StatusInternalServerError, code: "server_error", message: "Something went wrong. Try again later."}
	}
	if he.retryAfter > 0 {
		auth.SetRetryAfter(w, he.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(he.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": he.code, "message": he.message})
}

var errLoginRequired = &httpError{status: http.StatusUnauthorized, code: "login_required", message: "Log in first."}

func (h *Handler[U]) beginRegistration(_ http.ResponseWriter, r *http.Request, _ []byte) (any, error) {
	ru := h.a.UserFromContext(r.Context())
	if !ru.IsAuthenticated() {
		return nil, errLoginRequired
	}
	au := ru.AuthUser()
	display := au.Username
	if full := au.FirstName + " " + au.LastName; len(full) > 1 {
		display = full
	}
	return h.p.BeginRegistration(r.Context(), au.ID, au.Username, display)
}

func (h *Handler[U]) finishRegistration(w http.ResponseWriter, r *http.Request, body []byte) (any, error) {
	ru := h.a.UserFromContext(r.Context())
	if !ru.IsAuthenticated() {
		return nil, errLoginRequired
	}
	var in struct {
		Name       string          `json:"name"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &httpError{status: http.StatusBadRequest, code: "bad_request", message: "The request body is malformed."}
	}
	c, err := h.p.FinishRegistration(r.Context(), ru.ID(), in.Name, in.Credential)
	if err != nil {
		return nil, err
	}
	if h.cfg.OnRegistered != nil {
		if err := h.cfg.OnRegistered(w, r, c); err != nil {
			return nil, err
		}
	}
	return map[string]any{"id": c.ID, "name": c.Name}, nil
}

func (h *Handler[U]) pendingUser(r *http.Request) (int64, bool) {
	if h.cfg.PendingUser != nil {
		return h.cfg.PendingUser(r)
	}
	ru := h.a.UserFromContext(r.Context())
	return ru.ID(), ru.IsAuthenticated()
}

func (h *Handler[U]) beginLogin(_ http.ResponseWriter, r *http.Request, _ []byte) (any, error) {
	userID, ok := h.pendingUser(r)
	if !ok {
		return nil, errLoginRequired
	}
	return h.p.BeginLogin(r.Context(), userID)
}

func credentialOf(body []byte) (json.RawMessage, error) {
	var in struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &httpError{status: http.StatusBadRequest, code: "bad_request", message: "The request body is malformed."}
	}
	return in.Credential, nil
}

func (h *Handler[U]) finishLogin(w http.ResponseWriter, r *http.Request, body []byte) (any, error) {
	userID, ok := h.pendingUser(r)
	if !ok {
		return nil, errLoginRequired
	}
	cred, err := credentialOf(body)
	if err != nil {
		return nil, err
	}
	key := strconv.FormatInt(userID, 10)
	if err := h.limitCheck(r, key); err != nil {
		return nil, err
	}
	dev, err := h.p.FinishLogin(r.Context(), userID, cred)
	if err := h.limitRecord(r, key, err); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if h.cfg.OnSecondFactor != nil {
		err = h.cfg.OnSecondFactor(w, r, dev)
	} else {
		h.a.Sessions().Put(r.Context(), mfa.DeviceSessionKey, dev.PersistentID)
	}
	if err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

func (h *Handler[U]) beginPasswordless(_ http.ResponseWriter, r *http.Request, body []byte) (any, error) {
	var in struct {
		Conditional bool `json:"conditional"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &httpError{status: http.StatusBadRequest, code: "bad_request", message: "The request body is malformed."}
	}
	return h.p.BeginPasswordless(r.Context(), in.Conditional)
}

func (h *Handler[U]) finishPasswordless(w http.ResponseWriter, r *http.Request, body []byte) (any, error) {
	cred, err := credentialOf(body)
	if err != nil {
		return nil, err
	}
	if err := h.limitCheck(r, ""); err != nil {
		return nil, err
	}
	dev, err := h.p.FinishPasswordless(r.Context(), cred)
	if err := h.limitRecord(r, "", err); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	user, err := h.a.Store().GetUser(r.Context(), dev.UserID)
	if err != nil {
		return nil, fmt.Errorf("passkey: passwordless user %d: %w", dev.UserID, err)
	}
	if !auth.UserOf(user).IsActive {
		return nil, ErrInactiveUser
	}
	if h.cfg.OnPasswordless != nil {
		err = h.cfg.OnPasswordless(w, r, user, dev)
	} else if err = h.a.LoginVerified(r, user, h.cfg.Backend, auth.Verification{Factor: dev.Factor, Device: dev.PersistentID}); err == nil {
		h.a.Sessions().Put(r.Context(), mfa.DeviceSessionKey, dev.PersistentID)
	}
	if err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

// limitCheck asks the Auth's Limiter whether a finish for key may go
// ahead; a refusal is a 429 with Retry-After, a failing Limiter an error
// (fail closed).
func (h *Handler[U]) limitCheck(r *http.Request, key string) error {
	l := h.a.Limiter()
	if l == nil {
		return nil
	}
	wait, locked, err := l.Check(r.Context(), r, LimitScope, key)
	if err != nil {
		return fmt.Errorf("passkey: limiter: %w", err)
	}
	if wait <= 0 {
		return nil
	}
	if locked {
		h.a.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: LimitScope, Key: key, RetryAfter: wait})
	}
	return &httpError{status: http.StatusTooManyRequests, code: "throttled", message: auth.ThrottledMessage(wait), retryAfter: wait}
}

// limitRecord tells the Limiter how a finish ended. The responses an
// attacker controls (refused, replayed, expired, cloned) count as
// failures, also when the client has gone; store failures and inactive
// users do not. A failure that cannot be counted is an error.
func (h *Handler[U]) limitRecord(r *http.Request, key string, outcome error) error {
	l := h.a.Limiter()
	if l == nil {
		return nil
	}
	ctx := context.WithoutCancel(r.Context())
	if outcome == nil {
		if err := l.Succeed(ctx, r, LimitScope, key); err != nil {
			h.log.Error("passkey: limiter", "err", err)
		}
		return nil
	}
	if !errors.Is(outcome, ErrVerification) && !errors.Is(outcome, ErrNoCeremony) && !errors.Is(outcome, ErrCloned) {
		return nil
	}
	wait, locked, err := l.Fail(ctx, r, LimitScope, key)
	if err != nil {
		return fmt.Errorf("passkey: limiter: %w", err)
	}
	if locked {
		h.a.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: LimitScope, Key: key, RetryAfter: wait})
	}
	return nil
}
