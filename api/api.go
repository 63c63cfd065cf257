package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/social"
)

// DefaultPrefix is where the API is mounted when Config.Prefix is empty.
const DefaultPrefix = "/api/auth/"

// DefaultMaxBodyBytes bounds a request body when Config.MaxBodyBytes is
// zero.
const DefaultMaxBodyBytes = 64 << 10

// TransportHeader is the request header by which a client asks for token
// transport on any endpoint ("token"); the JSON field "transport" of the
// sign-in, sign-up and passwordless start bodies does the same.
const TransportHeader = "Auth-Transport"

// Transports of a sign-in.
const (
	// TransportCookie keeps the session in the HttpOnly session cookie,
	// for browsers (the default).
	TransportCookie = "cookie"
	// TransportToken returns the session token in the body's
	// "session_token" and the Session-Token header; the client sends it
	// back as "Authorization: Bearer <token>" and sets no cookie. It needs
	// auth.SessionConfig.HeaderTokens.
	TransportToken = "token"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the API (served at the
// mount's "openapi.json"), with paths relative to DefaultPrefix.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// Config configures New. Only Accounts is required.
type Config[U any] struct {
	// Accounts is the accounts Manager whose flows the API exposes
	// (sign-up, email verification, password change and reset,
	// passwordless, passkeys); its Auth is the API's Auth. Required.
	Accounts *accounts.Manager[U]
	// Social, when set, adds the social sign-in endpoints.
	Social *social.Social[U]
	// Orgs, when set, adds the organization endpoints and the current
	// organization in me.
	Orgs *orgs.Orgs[U]
	// Prefix is the mount point, ending in "/". Empty means
	// DefaultPrefix.
	Prefix string
	// MaxBodyBytes bounds every request body; larger ones get 413. Zero
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// StepUpMaxAge is how recent a verification the MFA enrolment
	// endpoints need (as package accounts' pages). Zero means
	// accounts.DefaultStepUpMaxAge; negative turns the check off.
	StepUpMaxAge time.Duration
	// Logger receives server failures; nil means the Auth's logger.
	// Secrets, codes and tokens are never logged.
	Logger *slog.Logger
}

// API serves the JSON endpoints of every flow under one prefix. Create it
// with New and mount it with Routes; it is safe for concurrent use.
type API[U any] struct {
	a       *auth.Auth[U]
	acc     *accounts.Manager[U]
	soc     *social.Social[U]
	orgs    *orgs.Orgs[U]
	flow    *mfa.Flow[U]
	prefix  string
	maxBody int64
	stepUp  time.Duration
	log     *slog.Logger
	routes  []Endpoint
	mux     *http.ServeMux
}

// Endpoint is one route of the API: an HTTP method and a path under the
// prefix ("signin", "sessions/{id}").
type Endpoint struct {
	Method, Path string
}

// New checks cfg and returns an API. It returns an error wrapping
// auth.ErrConfig when Accounts is missing or Prefix is not a path ending
// in "/".
func New[U any](cfg Config[U]) (*API[U], error) {
	if cfg.Accounts == nil {
		return nil, fmt.Errorf("%w: api: Config.Accounts is required", auth.ErrConfig)
	}
	x := &API[U]{a: cfg.Accounts.Auth(), acc: cfg.Accounts, soc: cfg.Social, orgs: cfg.Orgs,
		prefix: cfg.Prefix, maxBody: cfg.MaxBodyBytes, stepUp: cfg.StepUpMaxAge, log: cfg.Logger}
	if x.prefix == "" {
		x.prefix = DefaultPrefix
	}
	if !strings.HasPrefix(x.prefix, "/") || !strings.HasSuffix(x.prefix, "/") {
		return nil, fmt.Errorf("%w: api: Config.Prefix %q must start and end with \"/\"", auth.ErrConfig, x.prefix)
	}
	if x.maxBody <= 0 {
		x.maxBody = DefaultMaxBodyBytes
	}
	if x.stepUp == 0 {
		x.stepUp = accounts.DefaultStepUpMaxAge
	}
	if x.log == nil {
		x.log = x.a.Logger()
	}
	x.flow, _ = x.a.SecondFactor().(*mfa.Flow[U])
	x.mux = http.NewServeMux()
	x.register()
	return x, nil
}

// Prefix returns the mount point.
func (x *API[U]) Prefix() string { return x.prefix }

// Endpoints returns the routes the API serves, in registration order.
func (x *API[U]) Endpoints() []Endpoint { return append([]Endpoint(nil), x.routes...) }

// Routes mounts the API on mux under its prefix. Every endpoint runs
// inside the Auth's Middleware (harmless when the app wraps mux in it
// too); unknown paths under the prefix get a JSON 404.
func (x *API[U]) Routes(mux *http.ServeMux) {
	mux.Handle(x.prefix, x.Handler())
}

// Handler returns the API as one handler for the paths under the prefix.
func (x *API[U]) Handler() http.Handler {
	var h http.Handler = x.mux
	if x.orgs != nil {
		// The current organization (the session's choice) for me and
		// orgs; the API's paths name none.
		h = x.withOrg(h)
	}
	return auth.LoginNotRequired(x.a.Middleware(h))
}

// withOrg runs orgs.Middleware in front of next and answers its refusals
// in the API's error shape: the middleware's own answer (a page, or its
// bare JSON) is captured, never sent. A store failure is a 500
// server_error (logged), an organization the request names but the user
// is no member of is 404 not_found, whether it exists or not.
func (x *API[U]) withOrg(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var resolved *http.Request
		c := &capture{h: http.Header{}, limit: 4096}
		x.orgs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r2 *http.Request) {
			resolved = r2
		})).ServeHTTP(c, r)
		if resolved != nil {
			next.ServeHTTP(w, resolved)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		var err error
		switch c.status {
		case http.StatusNotFound:
			err = apiErr(http.StatusNotFound, CodeNotFound, "No such organization.")
		case http.StatusUnauthorized:
			err = errNotAuthenticated
		case http.StatusForbidden:
			err = apiErr(http.StatusForbidden, CodeForbidden, "You may not use this organization.")
		default:
			err = fmt.Errorf("api: the organization of the request could not be resolved (the middleware answered %d)", c.status)
		}
		x.writeError(w, r, err)
	})
}

// route is what an endpoint does: it reads the request and returns the
// status and body of its answer, or an error (an *Error, or any other for
// a 500).
type route func(w http.ResponseWriter, r *http.Request) (int, any, error)

// handle registers an endpoint.
func (x *API[U]) handle(method, path string, h route) {
	x.routes = append(x.routes, Endpoint{Method: method, Path: path})
	x.mux.Handle(method+" "+x.prefix+path, x.guard(h))
}

// guard is every endpoint's wrapper: no caching, the bearer token check,
// the CSRF and Content-Type checks of unsafe requests, the body bound,
// then the route and its JSON answer.
func (x *API[U]) guard(h route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if err := x.check(w, r); err != nil {
			x.writeError(w, r, err)
			return
		}
		status, body, err := h(w, r)
		if err != nil {
			x.writeError(w, r, err)
			return
		}
		x.write(w, r, status, body)
	})
}

// check refuses what no endpoint serves: a dead bearer token, a
// cross-origin cookie request, an unsafe request that is not JSON.
func (x *API[U]) check(w http.ResponseWriter, r *http.Request) error {
	bearer, found := x.a.BearerSession(r)
	if bearer && !found {
		return errInvalidToken
	}
	if safeMethod(r.Method) {
		return nil
	}
	if !bearer {
		// A browser sends cookies on its own; Sec-Fetch-Site and Origin
		// tell where the request came from.
		if err := x.a.CheckCrossOrigin(r); err != nil {
			return apiErr(http.StatusForbidden, CodeCSRFFailed, "Cross-origin request refused.")
		}
	}
	// A cross-site form or a "simple" fetch can only send form encodings
	// or text/plain: asking for JSON refuses them before any work.
	if bearer && r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apiErr(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "Send the body as Content-Type: application/json.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, x.maxBody)
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// decode reads the JSON object body of r into v: an empty body is {},
// unknown fields, wrong types and trailing data are refused (400), a body
// over the bound is 413.
func decode(r *http.Request, v any) error {
	raw, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apiErr(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, fmt.Sprintf("The body is larger than %d bytes.", mbe.Limit))
	}
	if err != nil {
		return apiErr(http.StatusBadRequest, CodeBadRequest, "The body could not be read.")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case err == nil:
		if dec.More() {
			return apiErr(http.StatusBadRequest, CodeBadRequest, "The body has data after its JSON value.")
		}
		if _, err := dec.Token(); err != io.EOF {
			return apiErr(http.StatusBadRequest, CodeBadRequest, "The body has data after its JSON value.")
		}
		return nil
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return apiErr(http.StatusBadRequest, CodeBadRequest, "The body must be a JSON object.")
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "A field has the wrong type.",
			Fields: map[string][]string{field: {"Expected " + jsonType(te.Type.Kind().String()) + "."}}}
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return apiErr(http.StatusBadRequest, CodeBadRequest, "The body is not valid JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "The body has an unknown field.",
			Fields: map[string][]string{name: {"Unknown field."}}}
	}
	return apiErr(http.StatusBadRequest, CodeBadRequest, "The body is not valid JSON.")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// wantsToken reports whether the request asks for token transport: the
// body's transport field, the TransportHeader, or a bearer token.
func (x *API[U]) wantsToken(r *http.Request, field string) (bool, error) {
	switch field {
	case "", TransportCookie:
	case TransportToken:
	default:
		return false, validation(map[string][]string{"transport": {`Expected "cookie" or "token".`}})
	}
	bearer, _ := x.a.BearerSession(r)
	want := bearer || field == TransportToken || strings.EqualFold(r.Header.Get(TransportHeader), TransportToken)
	if want && !x.a.HeaderTokens() {
		return false, notConfigured("Token transport")
	}
	return want, nil
}

// useTransport switches the request to token transport when asked.
func (x *API[U]) useTransport(r *http.Request, field string) error {
	want, err := x.wantsToken(r, field)
	if err != nil || !want {
		return err
	}
	return x.a.UseHeaderToken(r)
}

// presentedToken is the bearer token the request came with.
func presentedToken(r *http.Request) string {
	scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(rest)
}

// write saves the session and answers status with body as JSON; for a
// token-transport request whose token changed (a sign-in, a sign-out)
// the new token ("" when the session ended) is added as
// "session_token".
func (x *API[U]) write(w http.ResponseWriter, r *http.Request, status int, body any) {
	out, err := json.Marshal(body)
	if err != nil {
		x.writeError(w, r, fmt.Errorf("api: encode answer: %w", err))
		return
	}
	token, err := x.a.SaveSession(w, r)
	if errors.Is(err, auth.ErrSessionNotSaved) {
		return // 500 written
	}
	if err != nil {
		x.writeError(w, r, err)
		return
	}
	if bearer, _ := x.a.BearerSession(r); bearer && token != presentedToken(r) && len(out) > 0 && out[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(out, &m) == nil {
			m["session_token"], _ = json.Marshal(token)
			out, _ = json.Marshal(m)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(out, '\n'))
	}
}

// WriteError answers err in the API's one error shape: an *Error as it
// is, any other error as a logged 500.
func (x *API[U]) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	x.writeError(w, r, err)
}

func (x *API[U]) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := asAPIError(err)
	if e == nil {
		x.log.ErrorContext(r.Context(), "api: request failed", "path", r.URL.Path, "error", err)
		e = errServer
	}
	if e.RetryAfter > 0 {
		auth.SetRetryAfter(w, e.RetryAfter)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, URL: e.URL}})
}

// user returns the request's signed-in user, or errNotAuthenticated.
func (x *API[U]) user(r *http.Request) (*U, *auth.User, error) {
	ru := x.a.User(r)
	u := ru.User()
	if u == nil {
		if err := ru.Err(); err != nil && !errors.Is(err, auth.ErrNoSession) {
			return nil, nil, err
		}
		return nil, nil, errNotAuthenticated
	}
	return u, auth.UserOf(u), nil
}

// register mounts every endpoint.
func (x *API[U]) register() {
	x.handle(http.MethodGet, "openapi.json", x.serveOpenAPI)
	x.signinRoutes()
	x.signupRoutes()
	x.sessionRoutes()
	x.mfaRoutes()
	x.passwordRoutes()
	x.passwordlessRoutes()
	x.socialRoutes()
	x.orgRoutes()
	x.passkeyRoutes()
	// The rest: no endpoint runs, nothing of the session is read or
	// saved, so the routing answer comes before the token, origin and
	// media type checks.
	x.mux.Handle(x.prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if allow := x.allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			x.writeError(w, r, apiErr(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "This endpoint does not answer "+r.Method+"; see the Allow header."))
			return
		}
		x.writeError(w, r, apiErr(http.StatusNotFound, CodeNotFound, "No such endpoint."))
	}))
}

// methods are those an endpoint may be registered for.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowed lists the methods the request's path is served for, empty for
// a path no endpoint has. The catch-all pattern would otherwise hide the
// ServeMux's own 405 (a plain-text answer) behind a 404.
func (x *API[U]) allowed(r *http.Request) []string {
	catchAll := x.prefix
	var out []string
	for _, m := range methods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := x.mux.Handler(probe); pattern != catchAll && pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

// notImpersonating refuses, with 403 impersonating, what only the
// account's own person may do while the session is an impersonation, as
// the HTML pages do (auth.Auth.CheckNotImpersonating).
func (x *API[U]) notImpersonating(r *http.Request) error {
	if err := x.a.CheckNotImpersonating(r); err != nil {
		return errImpersonating
	}
	return nil
}

func (x *API[U]) serveOpenAPI(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return http.StatusOK, json.RawMessage(openAPI), nil
}
