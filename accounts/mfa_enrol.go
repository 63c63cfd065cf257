package accounts

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
)

// Messages of the second factor management pages.
const (
	// MsgTOTPAdded confirms a confirmed authenticator app.
	MsgTOTPAdded = "The authenticator app was added."
	// MsgTOTPWrongCode is shown when the first code of a new
	// authenticator app is wrong: the app stays unconfirmed.
	MsgTOTPWrongCode = "That code is not right, so the authenticator app was not added yet. Check that the time on your phone is correct and enter the code the app shows now."
	// MsgTOTPRenamed and MsgTOTPRemoved confirm a rename and a removal.
	MsgTOTPRenamed = "The authenticator app was renamed."
	MsgTOTPRemoved = "The authenticator app was removed."
	// MsgTOTPSetupGone is shown when the set-up being confirmed was
	// cancelled, replaced by a newer one or already finished.
	MsgTOTPSetupGone = "That set-up is no longer in progress. Please start again."
	// MsgTOTPSetupCancelled confirms a cancelled set-up.
	MsgTOTPSetupCancelled = "The set-up was cancelled; no authenticator app was added."
	// MsgLastFactor refuses to remove the last second factor of a user
	// whom the policy requires to use one.
	MsgLastFactor = "You cannot remove your last second factor: two-factor authentication is required for your account. Add another one first, then remove this one."
	// MsgRecoveryRemovedToo is added to MsgTOTPRemoved when the recovery
	// codes went with the last second factor.
	MsgRecoveryRemovedToo = "Your recovery codes were removed too, as they only work together with a second factor."
	// MsgRecoveryNext guides a user to recovery codes after the first
	// factor when enrolment is not complete without them.
	MsgRecoveryNext = "Now generate recovery codes: they let you log in if you lose your authenticator."
	// MsgRecoveryNeedsFactor refuses recovery codes to a user without a
	// second factor.
	MsgRecoveryNeedsFactor = "Please add an authenticator app first: recovery codes work together with a second factor."
	// MsgRecoverySaved confirms "I have saved them".
	MsgRecoverySaved = "Your recovery codes are ready. Keep them somewhere safe."
	// MsgRecoveryLow warns of few unused recovery codes; %(count)d is
	// how many (MsgRecoveryLowOne when it is 1).
	MsgRecoveryLow    = "You have only %(count)d unused recovery codes left. Generate new ones before you run out."
	MsgRecoveryLowOne = "You have only %(count)d unused recovery code left. Generate new ones before you run out."
	// MsgDeviceNameTooLong is Django's MaxLengthValidator message for a
	// device name (the plural of auth.MaxLengthMsg, which the pages use).
	MsgDeviceNameTooLong = "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."
	// MsgDeviceNameInvalid is shown for a name a store cannot hold.
	MsgDeviceNameInvalid = "Enter a valid name."
)

// Defaults of the management pages.
const (
	// DefaultTOTPDeviceName is the name proposed for a new authenticator
	// app.
	DefaultTOTPDeviceName = "Authenticator app"
	// LowRecoveryCodes is the number of unused recovery codes at or below
	// which the pages warn (MsgRecoveryLow).
	LowRecoveryCodes = 3
	// SessionKeyTOTPPending holds the ID of the authenticator app whose
	// set-up the session is confirming.
	SessionKeyTOTPPending = "_mfa_totp_pending"
	// sessionKeyMFAMessage carries a message across a redirect.
	sessionKeyMFAMessage = "_mfa_message"
)

// Actions of MFAChange.
const (
	MFAActionAdded             = "added"
	MFAActionRenamed           = "renamed"
	MFAActionRemoved           = "removed"
	MFAActionRecoveryGenerated = "recovery_generated"
	MFAActionRecoveryRemoved   = "recovery_removed"
)

// MFAChange is sent by Manager.MFAChanged after the management pages
// changed a user's second factors: an audit trail's hook. It never holds a
// secret: no key, no code.
type MFAChange struct {
	// Request is the request that made the change.
	Request *http.Request
	// UserID is the user whose factors changed.
	UserID int64
	// Action is one of the MFAAction* constants.
	Action string
	// Device is the device added, renamed, removed or given new codes.
	Device mfa.Device
}

// MFAChanged returns the hub of MFAChange: connect a receiver to log or
// audit every change made through the management pages. Receivers run
// synchronously after the change is stored.
func (m *Manager[U]) MFAChanged() *auth.Signal[MFAChange] { return &m.mfaChanged }

// MFADeviceRow is one device on the overview page.
type MFADeviceRow struct {
	mfa.Device
	// URL manages the device (rename, remove); empty when this package
	// has no page for its factor.
	URL string
	// LastUsedText and LastUsedISO say when the device last gave a code,
	// when the factor knows it; empty otherwise.
	LastUsedText string
	LastUsedISO  string
}

// MFAFactorSection is one factor on the overview page.
type MFAFactorSection struct {
	// Kind is the factor's Kind; Label names it for people.
	Kind  string
	Label string
	// Devices are the user's confirmed devices of the factor.
	Devices []MFADeviceRow
	// AddURL is the page to add one, and AddLabel its link text; empty
	// when this package has no page for the factor.
	AddURL   string
	AddLabel string
}

// MFARecoverySummary is the recovery codes part of the overview page.
type MFARecoverySummary struct {
	// Remaining is the number of unused codes; HasDevice is true when
	// the user has a set at all.
	Remaining int
	HasDevice bool
	// Low is true when the set is down to LowRecoveryCodes or fewer.
	Low bool
	// URL is the recovery codes page.
	URL string
}

// MFAOverviewPage is the data of the second factor overview (the Flow's
// EnrolURL).
type MFAOverviewPage struct {
	// Username is the user's username.
	Username string
	// Decision is what the policy requires of the user.
	Decision mfa.Decision
	// GraceEndsText and GraceEndsISO are Decision.GraceEnds formatted.
	GraceEndsText, GraceEndsISO string
	// Factors are the configured factors other than recovery codes.
	Factors []MFAFactorSection
	// Recovery is set when recovery codes are configured.
	Recovery *MFARecoverySummary
	// Message confirms what the last action did; Warnings ask for action.
	Message  string
	Warnings []string
	// Next is the page to continue to (the "next" the guard sent), shown
	// once enrolment is complete; RedirectFieldName names it in links.
	Next              string
	RedirectFieldName string
	// ProfileURL is the profile page, for a link back.
	ProfileURL string
}

// MFATOTPPage is the data of the authenticator app set-up: first a name,
// then (Setup set) the QR code and the field for the first code.
type MFATOTPPage struct {
	// Action is the URL the forms post to.
	Action string
	// Name is the device's name; NameErrors its errors.
	Name       string
	NameErrors []string
	// Setup is true once a device is waiting for its first code.
	Setup bool
	// QRCode is the QR code of KeyURI, an inline SVG image.
	QRCode template.HTML
	// Secret is the key in base32, in groups of four for typing.
	Secret string
	// KeyURI is the otpauth:// URI the QR code holds.
	KeyURI string
	// Digits and Period describe the codes (6 digits every 30 seconds).
	Digits int
	Period int
	// CodeErrors are the errors of the first code.
	CodeErrors []string
	// Message says what the last action did; Errors are about the form.
	Message string
	Errors  []string
	// Next and RedirectFieldName carry the page to continue to.
	Next              string
	RedirectFieldName string
	// OverviewURL is the overview page.
	OverviewURL string
}

// HasErrors reports whether any error is shown.
func (p *MFATOTPPage) HasErrors() bool {
	return len(p.Errors)+len(p.NameErrors)+len(p.CodeErrors) > 0
}

// MFATOTPDevicePage is the data of one authenticator app's page: rename
// and remove.
type MFATOTPDevicePage struct {
	// Action is the URL the forms post to.
	Action string
	// Device is the device as stored.
	Device MFADeviceRow
	// Name is the name in the rename field; NameErrors its errors.
	Name       string
	NameErrors []string
	// Errors are about the page as a whole (a refused removal).
	Errors []string
	// OverviewURL is the overview page.
	OverviewURL string
}

// HasErrors reports whether any error is shown.
func (p *MFATOTPDevicePage) HasErrors() bool { return len(p.Errors)+len(p.NameErrors) > 0 }

// MFARecoveryPage is the data of the recovery codes page. Codes are set
// only in the answer to the POST that generated them: the page never shows
// them again.
type MFARecoveryPage struct {
	// Action is the URL the forms post to.
	Action string
	// Remaining is the number of unused codes; HasDevice is true when
	// the user has a set; Low as on MFARecoverySummary.
	Remaining int
	HasDevice bool
	Low       bool
	// Codes are the new codes, in plain text; DownloadURL is a data: URL
	// of a text file holding them and DownloadName its file name.
	Codes        []string
	DownloadURL  template.URL
	DownloadName string
	// Message says what the last action did; Warning asks for action
	// (MsgRecoveryLow); Errors say why nothing was done.
	Message string
	Warning string
	Errors  []string
	// Next and RedirectFieldName carry the page to continue to.
	Next              string
	RedirectFieldName string
	// OverviewURL is the overview page.
	OverviewURL string
}

// mfaPaths are the URLs of the management pages below the Flow's
// EnrolURL.
type mfaPaths struct{ overview, base string }

func newMFAPaths(enrol string) mfaPaths {
	return mfaPaths{overview: enrol, base: strings.TrimSuffix(enrol, "/") + "/"}
}

func (p mfaPaths) totpAdd() string           { return p.base + "totp/add/" }
func (p mfaPaths) totpDevicePattern() string { return p.base + "totp/{id}/" }
func (p mfaPaths) totpDevice(id int64) string {
	return p.base + "totp/" + strconv.FormatInt(id, 10) + "/"
}
func (p mfaPaths) recovery() string { return p.base + "recovery/" }

// exactPattern is the ServeMux pattern that matches path only.
func exactPattern(path string) string {
	if strings.HasSuffix(path, "/") {
		return path + "{$}"
	}
	return path
}

// mfaEnrolRoutes mounts the management pages of f below its EnrolURL:
// the overview always, the authenticator app pages when a *totp.Factor
// is configured, the recovery codes page when a *recovery.Factor is.
func (m *Manager[U]) mfaEnrolRoutes(mux *http.ServeMux, f *mfa.Flow[U], p paths) {
	mp := newMFAPaths(f.EnrolURL())
	tf, _ := f.Factor(totp.Kind).(*totp.Factor)
	rf, _ := f.Factor(mfa.RecoveryKind).(*recovery.Factor)
	e := &mfaPages[U]{m: m, f: f, totp: tf, recovery: rf, paths: mp, profileURL: p.prefix + "profile/"}
	if m.passkeys != nil {
		e.passkeysURL = m.PasskeysURL(p.prefix)
	}
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		mux.Handle(pattern, m.auth.Protect(m.auth.LoginRequired(m.auth.RefuseWhileImpersonating(http.HandlerFunc(h)))))
	}
	handle(exactPattern(mp.overview), e.serveOverview)
	if tf != nil {
		handle(exactPattern(mp.totpAdd()), e.serveTOTPAdd)
		handle(exactPattern(mp.totpDevicePattern()), e.serveTOTPDevice)
	}
	if rf != nil {
		handle(exactPattern(mp.recovery()), e.serveRecovery)
	}
}

// mfaPages are the management pages of one Flow.
type mfaPages[U any] struct {
	m          *Manager[U]
	f          *mfa.Flow[U]
	totp       *totp.Factor     // nil when not configured
	recovery   *recovery.Factor // nil when not configured
	paths      mfaPaths
	profileURL string
	// passkeysURL is the passkey management page, "" without passkeys.
	passkeysURL string
}

// user returns the request's user, or answers 500.
func (e *mfaPages[U]) user(w http.ResponseWriter, r *http.Request, what string) (*U, *auth.User, bool) {
	ru := e.m.auth.User(r)
	u := ru.User()
	if u == nil {
		e.m.serverError(w, r, what+": no user", ru.Err())
		return nil, nil, false
	}
	return u, auth.UserOf(u), true
}

// stepUp checks that the session's user proved who they are within the
// Manager's StepUpMaxAge (mfa.Flow.CheckStepUp). When not, it sends the
// browser to the verification page, which returns here: a GET with 302,
// a form's POST with 303 so that the browser follows with a GET; and it
// reports false.
func (e *mfaPages[U]) stepUp(w http.ResponseWriter, r *http.Request) bool {
	return e.f.StepUpPage(w, r, e.m.stepUp)
}

// flash keeps msg for the next page the session shows.
func (e *mfaPages[U]) flash(r *http.Request, msg string) {
	e.m.auth.Sessions().Put(r.Context(), sessionKeyMFAMessage, msg)
}

// popFlash returns and forgets the message kept by flash.
func (e *mfaPages[U]) popFlash(r *http.Request) string {
	return e.m.auth.Sessions().PopString(r.Context(), sessionKeyMFAMessage)
}

// withNext adds the request's safe "next" to target.
func (e *mfaPages[U]) withNext(r *http.Request, target string) string {
	if next := e.m.auth.RedirectTarget(r); next != "" {
		return auth.RedirectToLoginURL(target, next, auth.RedirectFieldName)
	}
	return target
}

// redirect answers a form's POST with 303 to target, "next" kept.
func (e *mfaPages[U]) redirect(w http.ResponseWriter, r *http.Request, target string) {
	auth.Redirect(w, r, e.withNext(r, target), http.StatusSeeOther)
}

// send sends an MFAChange.
func (e *mfaPages[U]) send(r *http.Request, userID int64, action string, dev mfa.Device) {
	e.m.mfaChanged.Send(r.Context(), MFAChange{Request: r, UserID: userID, Action: action, Device: dev})
}

// deviceTimeLayout formats the times of the management pages.
const deviceTimeLayout = "2006-01-02 15:04 UTC"

func formatDeviceTime(t time.Time) (text, iso string) {
	if t.IsZero() {
		return "", ""
	}
	return t.UTC().Format(deviceTimeLayout), t.UTC().Format(time.RFC3339)
}

// totpRow describes a TOTP device; its last use is the start of the time
// step of the last code it accepted (the first code confirmed it).
func (e *mfaPages[U]) totpRow(d totp.Device) MFADeviceRow {
	row := MFADeviceRow{Device: d.MFA(), URL: e.paths.totpDevice(d.ID)}
	if d.LastT >= 0 && d.Step > 0 {
		row.LastUsedText, row.LastUsedISO = formatDeviceTime(time.Unix(d.T0+d.LastT*int64(d.Step), 0))
	}
	return row
}

// addLink is the page that adds a device of the kind, and its link text.
func (e *mfaPages[U]) addLink(kind string) (url, label string) {
	switch {
	case kind == totp.Kind && e.totp != nil:
		return e.paths.totpAdd(), "Add an authenticator app"
	case kind == passkey.Kind && e.passkeysURL != "":
		return e.passkeysURL, "Manage passkeys"
	}
	return "", ""
}

// primaryDevices returns the user's confirmed devices of every factor but
// recovery codes.
func (e *mfaPages[U]) primaryDevices(r *http.Request, userID int64) ([]mfa.Device, error) {
	var out []mfa.Device
	for _, fa := range e.f.Factors() {
		if fa.Kind() == mfa.RecoveryKind {
			continue
		}
		ds, err := fa.Devices(r.Context(), userID)
		if err != nil {
			return nil, fmt.Errorf("devices of factor %s: %w", fa.Kind(), err)
		}
		out = append(out, ds...)
	}
	return out, nil
}

// serveOverview lists the user's devices per factor and what the policy
// requires of them.
func (e *mfaPages[U]) serveOverview(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	user, au, ok := e.user(w, r, "mfa overview")
	if !ok {
		return
	}
	ctx := r.Context()
	d, err := e.f.Decide(ctx, user)
	if err != nil {
		e.m.serverError(w, r, "mfa overview: policy", err)
		return
	}
	page := &MFAOverviewPage{Username: au.Username, Decision: d, Message: e.popFlash(r),
		Next: e.m.auth.RedirectTarget(r), RedirectFieldName: auth.RedirectFieldName, ProfileURL: e.profileURL}
	page.GraceEndsText, page.GraceEndsISO = formatDeviceTime(d.GraceEnds)
	for _, fa := range e.f.Factors() {
		kind := fa.Kind()
		if kind == mfa.RecoveryKind {
			continue
		}
		sec := MFAFactorSection{Kind: kind, Label: factorLabel(kind)}
		sec.AddURL, sec.AddLabel = e.addLink(kind)
		if sec.AddURL != "" {
			sec.AddURL = e.withNext(r, sec.AddURL)
		}
		if kind == totp.Kind && e.totp != nil {
			devs, err := e.totp.List(ctx, au.ID)
			if err != nil {
				e.m.serverError(w, r, "mfa overview: devices", err)
				return
			}
			for _, dv := range devs {
				if dv.Confirmed {
					sec.Devices = append(sec.Devices, e.totpRow(dv))
				}
			}
		} else {
			devs, err := fa.Devices(ctx, au.ID)
			if err != nil {
				e.m.serverError(w, r, "mfa overview: devices", err)
				return
			}
			for _, dv := range devs {
				sec.Devices = append(sec.Devices, MFADeviceRow{Device: dv})
			}
		}
		page.Factors = append(page.Factors, sec)
	}
	if e.recovery != nil {
		sum, err := e.recoverySummary(r, au.ID)
		if err != nil {
			e.m.serverError(w, r, "mfa overview: recovery codes", err)
			return
		}
		sum.URL = e.withNext(r, sum.URL)
		page.Recovery = sum
		if sum.Low {
			page.Warnings = append(page.Warnings, recoveryLow(e.m.auth.Translator(r), sum.Remaining))
		}
	}
	e.m.render(w, r, http.StatusOK, e.m.templates.MFAOverview, page)
}

func (e *mfaPages[U]) recoverySummary(r *http.Request, userID int64) (*MFARecoverySummary, error) {
	devs, err := e.recovery.Devices(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	n, err := e.recovery.Remaining(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	return &MFARecoverySummary{Remaining: n, HasDevice: len(devs) > 0,
		Low: len(devs) > 0 && n <= LowRecoveryCodes, URL: e.paths.recovery()}, nil
}

// recoveryLow is MsgRecoveryLow for n codes in tr's language.
func recoveryLow(tr *i18n.Translator, n int) string {
	return tr.Translate(i18n.Message{ID: MsgRecoveryLowOne, Plural: MsgRecoveryLow, N: n, Args: map[string]any{"count": n}})
}

// deviceName cleans a device name field and returns its error message
// in tr's language.
func deviceName(tr *i18n.Translator, raw string) (string, string) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return "", tr.Gettext(auth.MsgRequired)
	}
	if msg := auth.InvalidTextMessage(name); msg != "" {
		return "", tr.Gettext(msg)
	}
	if utf8.RuneCountInString(name) > totp.MaxNameLength {
		return "", tr.Translate(auth.MaxLengthMsg(name, totp.MaxNameLength))
	}
	return name, ""
}

// groupSecret writes a base32 key in groups of four, as people type it.
func groupSecret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// pendingTOTP returns the unconfirmed device whose set-up the session is
// in, if it is still the user's and unconfirmed; otherwise it forgets it.
func (e *mfaPages[U]) pendingTOTP(r *http.Request, userID int64) (totp.Device, bool, error) {
	s, ctx := e.m.auth.Sessions(), r.Context()
	id, err := strconv.ParseInt(s.GetString(ctx, SessionKeyTOTPPending), 10, 64)
	if err != nil {
		return totp.Device{}, false, nil
	}
	devs, err := e.totp.List(ctx, userID)
	if err != nil {
		return totp.Device{}, false, err
	}
	for _, d := range devs {
		if d.ID == id && !d.Confirmed {
			return d, true, nil
		}
	}
	s.Remove(ctx, SessionKeyTOTPPending)
	return totp.Device{}, false, nil
}

// serveTOTPAdd adds an authenticator app: POST action=begin (name)
// starts an unconfirmed device, replacing any earlier unfinished one; the
// page then shows its QR code and key; POST action=confirm (code)
// confirms it with a first code, and action=cancel drops it. Every step
// needs a recent verification.
func (e *mfaPages[U]) serveTOTPAdd(w http.ResponseWriter, r *http.Request) {
	post, ok := parseForm(w, r)
	if !ok || !e.stepUp(w, r) {
		return
	}
	_, au, ok := e.user(w, r, "mfa totp")
	if !ok {
		return
	}
	ctx := r.Context()
	page := &MFATOTPPage{Action: r.URL.EscapedPath(), Name: DefaultTOTPDeviceName, Message: e.popFlash(r),
		Next: e.m.auth.RedirectTarget(r), RedirectFieldName: auth.RedirectFieldName, OverviewURL: e.withNext(r, e.paths.overview)}
	pending, hasPending, err := e.pendingTOTP(r, au.ID)
	if err != nil {
		e.m.serverError(w, r, "mfa totp: devices", err)
		return
	}
	action := ""
	if post {
		action = r.PostForm.Get("action")
	}
	switch action {
	case "":
		if hasPending {
			e.renderTOTPSetup(w, r, http.StatusOK, page, pending, au.Username)
			return
		}
		e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPAdd, page)
	case "begin":
		name, msg := deviceName(e.m.auth.Translator(r), r.PostForm.Get("name"))
		if msg != "" {
			page.Name, page.NameErrors = r.PostForm.Get("name"), []string{msg}
			e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPAdd, page)
			return
		}
		if err := e.totp.RemoveUnconfirmed(ctx, au.ID); err != nil {
			e.m.serverError(w, r, "mfa totp: remove unconfirmed", err)
			return
		}
		d, err := e.totp.Begin(ctx, au.ID, name)
		if errors.Is(err, totp.ErrInvalidName) {
			page.Name, page.NameErrors = name, []string{MsgDeviceNameInvalid}
			e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPAdd, page)
			return
		}
		if err != nil {
			e.m.serverError(w, r, "mfa totp: begin", err)
			return
		}
		e.m.auth.Sessions().Put(ctx, SessionKeyTOTPPending, strconv.FormatInt(d.ID, 10))
		e.redirect(w, r, e.paths.totpAdd())
	case "cancel":
		if hasPending {
			if err := e.totp.Remove(ctx, au.ID, pending.ID); err != nil && !errors.Is(err, mfa.ErrNoDevice) {
				e.m.serverError(w, r, "mfa totp: cancel", err)
				return
			}
		}
		e.m.auth.Sessions().Remove(ctx, SessionKeyTOTPPending)
		e.flash(r, MsgTOTPSetupCancelled)
		e.redirect(w, r, e.paths.overview)
	case "confirm":
		if !hasPending {
			page.Errors = []string{MsgTOTPSetupGone}
			e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPAdd, page)
			return
		}
		code, msg := codeValue(r.PostForm.Get("code"))
		if msg != "" {
			page.CodeErrors = []string{msg}
			e.renderTOTPSetup(w, r, http.StatusOK, page, pending, au.Username)
			return
		}
		d, err := e.totp.Confirm(ctx, au.ID, pending.ID, code)
		var te *mfa.ThrottledError
		switch {
		case err == nil:
		case errors.Is(err, mfa.ErrInvalidCode):
			page.CodeErrors = []string{MsgTOTPWrongCode}
			e.renderTOTPSetup(w, r, http.StatusOK, page, pending, au.Username)
			return
		case errors.As(err, &te):
			page.CodeErrors = []string{e.m.auth.Translator(r).Translate(auth.ThrottledMsg(te.RetryAfter))}
			auth.SetRetryAfter(w, te.RetryAfter)
			e.renderTOTPSetup(w, r, http.StatusTooManyRequests, page, pending, au.Username)
			return
		case errors.Is(err, totp.ErrConfirmed), errors.Is(err, mfa.ErrNoDevice):
			e.m.auth.Sessions().Remove(ctx, SessionKeyTOTPPending)
			page.Errors = []string{MsgTOTPSetupGone}
			e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPAdd, page)
			return
		default:
			e.m.serverError(w, r, "mfa totp: confirm", err)
			return
		}
		e.m.auth.Sessions().Remove(ctx, SessionKeyTOTPPending)
		// The first code proved the new device: the session counts as
		// verified with it, so that the next steps (recovery codes) and
		// the routes behind MFARequired need no second proof.
		if err := e.m.verifyWithNewDevice(r, e.f, d.MFA()); err != nil {
			e.m.serverError(w, r, "mfa totp: verify session", err)
			return
		}
		e.send(r, au.ID, MFAActionAdded, d.MFA())
		e.afterFirstFactor(w, r, au.ID, MsgTOTPAdded)
	default:
		http.Error(w, "Unknown action.", http.StatusBadRequest)
	}
}

// afterFirstFactor redirects after a factor was added: to the recovery
// codes page when recovery codes are configured and the user has none
// (enrolment is not complete without them), to the overview otherwise.
func (e *mfaPages[U]) afterFirstFactor(w http.ResponseWriter, r *http.Request, userID int64, msg string) {
	if e.recovery != nil {
		devs, err := e.recovery.Devices(r.Context(), userID)
		if err != nil {
			e.m.serverError(w, r, "mfa: recovery codes", err)
			return
		}
		if len(devs) == 0 {
			e.flash(r, msg+" "+MsgRecoveryNext)
			e.redirect(w, r, e.paths.recovery())
			return
		}
	}
	e.flash(r, msg)
	e.redirect(w, r, e.paths.overview)
}

// renderTOTPSetup shows the QR code, key and first-code field of d.
func (e *mfaPages[U]) renderTOTPSetup(w http.ResponseWriter, r *http.Request, code int, page *MFATOTPPage, d totp.Device, username string) {
	uri, err := e.totp.KeyURI(d, username)
	if err != nil {
		e.m.serverError(w, r, "mfa totp: key URI", err)
		return
	}
	svg, err := totp.QRCodeSVG(uri)
	if err != nil {
		e.m.serverError(w, r, "mfa totp: QR code", err)
		return
	}
	key, err := hex.DecodeString(d.Key)
	if err != nil {
		e.m.serverError(w, r, "mfa totp: key", totp.ErrInvalidDevice)
		return
	}
	page.Setup, page.Name = true, d.Name
	// The SVG is drawn by totp.QRCodeSVG from the URI: numbers and fixed
	// markup only, nothing of the user's.
	page.QRCode = template.HTML(svg)
	page.Secret = groupSecret(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key))
	page.KeyURI, page.Digits, page.Period = uri, d.Digits, d.Step
	e.m.render(w, r, code, e.m.templates.MFATOTPAdd, page)
}

// serveTOTPDevice is one authenticator app: POST action=rename (name)
// renames it; action=remove removes it, after a recent verification,
// unless it is the last second factor of a user whom the policy requires
// to have one.
func (e *mfaPages[U]) serveTOTPDevice(w http.ResponseWriter, r *http.Request) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	user, au, ok := e.user(w, r, "mfa totp device")
	if !ok {
		return
	}
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	devs, err := e.totp.List(ctx, au.ID)
	if err != nil {
		e.m.serverError(w, r, "mfa totp device: devices", err)
		return
	}
	var dev totp.Device
	found := false
	for _, d := range devs {
		if d.ID == id && d.Confirmed {
			dev, found = d, true
		}
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	page := &MFATOTPDevicePage{Action: r.URL.EscapedPath(), Device: e.totpRow(dev), Name: dev.Name,
		OverviewURL: e.paths.overview}
	if !post {
		e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPDevice, page)
		return
	}
	switch r.PostForm.Get("action") {
	case "rename":
		name, msg := deviceName(e.m.auth.Translator(r), r.PostForm.Get("name"))
		if msg != "" {
			page.Name, page.NameErrors = r.PostForm.Get("name"), []string{msg}
			e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPDevice, page)
			return
		}
		err := e.totp.Rename(ctx, au.ID, id, name)
		switch {
		case errors.Is(err, totp.ErrInvalidName):
			page.Name, page.NameErrors = name, []string{MsgDeviceNameInvalid}
			e.m.render(w, r, http.StatusOK, e.m.templates.MFATOTPDevice, page)
			return
		case errors.Is(err, mfa.ErrNoDevice):
			http.NotFound(w, r)
			return
		case err != nil:
			e.m.serverError(w, r, "mfa totp device: rename", err)
			return
		}
		renamed := dev.MFA()
		renamed.Name = name
		e.send(r, au.ID, MFAActionRenamed, renamed)
		e.flash(r, MsgTOTPRenamed)
		e.redirect(w, r, e.paths.overview)
	case "remove":
		if !e.stepUp(w, r) {
			return
		}
		e.removeTOTP(w, r, user, au.ID, dev, page)
	default:
		http.Error(w, "Unknown action.", http.StatusBadRequest)
	}
}

// removeTOTP removes dev unless the policy forbids it (the user's last
// second factor under a policy that requires one). When it was the last
// second factor of a user the policy does not cover, the recovery codes,
// which would otherwise be a second factor on their own, go too.
func (e *mfaPages[U]) removeTOTP(w http.ResponseWriter, r *http.Request, user *U, userID int64, dev totp.Device, page *MFATOTPDevicePage) {
	md := dev.MFA()
	md.UserID = userID
	recoveryRemoved, err := e.m.removePrimaryDevice(r, e.f, user, md, func() error { return e.totp.Remove(r.Context(), userID, dev.ID) })
	switch {
	case errors.Is(err, errLastFactor):
		page.Errors = []string{MsgLastFactor}
		e.m.render(w, r, http.StatusConflict, e.m.templates.MFATOTPDevice, page)
		return
	case err != nil:
		e.m.serverError(w, r, "mfa totp device: remove", err)
		return
	}
	msg := MsgTOTPRemoved
	if recoveryRemoved {
		msg += " " + MsgRecoveryRemovedToo
	}
	e.flash(r, msg)
	e.redirect(w, r, e.paths.overview)
}

// serveRecovery shows how many recovery codes are left; POST
// action=generate makes a new set, voiding the old one, and shows it in
// its answer only (with a text file to download); action=saved is the
// "I have saved them" button. The page needs a recent verification.
func (e *mfaPages[U]) serveRecovery(w http.ResponseWriter, r *http.Request) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	action := ""
	if post {
		action = r.PostForm.Get("action")
	}
	if action == "saved" {
		// Nothing secret and nothing changed: no step-up needed to move on.
		e.flash(r, MsgRecoverySaved)
		if next := e.m.auth.RedirectTarget(r); next != "" {
			auth.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		auth.Redirect(w, r, e.paths.overview, http.StatusSeeOther)
		return
	}
	if !e.stepUp(w, r) {
		return
	}
	_, au, ok := e.user(w, r, "mfa recovery")
	if !ok {
		return
	}
	ctx := r.Context()
	page := &MFARecoveryPage{Action: r.URL.EscapedPath(), Message: e.popFlash(r),
		Next: e.m.auth.RedirectTarget(r), RedirectFieldName: auth.RedirectFieldName,
		OverviewURL: e.withNext(r, e.paths.overview)}
	fill := func() bool {
		sum, err := e.recoverySummary(r, au.ID)
		if err != nil {
			e.m.serverError(w, r, "mfa recovery: remaining", err)
			return false
		}
		page.Remaining, page.HasDevice, page.Low = sum.Remaining, sum.HasDevice, sum.Low
		return true
	}
	switch action {
	case "":
		if !fill() {
			return
		}
		if page.Low {
			page.Warning = recoveryLow(e.m.auth.Translator(r), page.Remaining)
		}
		e.m.render(w, r, http.StatusOK, e.m.templates.MFARecovery, page)
	case "generate":
		primary, err := e.primaryDevices(r, au.ID)
		if err != nil {
			e.m.serverError(w, r, "mfa recovery: devices", err)
			return
		}
		if len(primary) == 0 {
			if !fill() {
				return
			}
			page.Errors = []string{MsgRecoveryNeedsFactor}
			e.m.render(w, r, http.StatusConflict, e.m.templates.MFARecovery, page)
			return
		}
		dev, codes, err := e.recovery.Generate(ctx, au.ID)
		if err != nil {
			e.m.serverError(w, r, "mfa recovery: generate", err)
			return
		}
		e.send(r, au.ID, MFAActionRecoveryGenerated, dev)
		page.Codes, page.Remaining, page.HasDevice = codes, len(codes), true
		page.DownloadName = "recovery-codes.txt"
		page.DownloadURL = recoveryDownload(au.Username, codes)
		e.m.render(w, r, http.StatusOK, e.m.templates.MFARecovery, page)
	default:
		http.Error(w, "Unknown action.", http.StatusBadRequest)
	}
}

// recoveryDownload is a data: URL of a text file holding the codes.
func recoveryDownload(username string, codes []string) template.URL {
	var b strings.Builder
	fmt.Fprintf(&b, "Recovery codes for %s\r\n\r\nEach code works once. Keep them somewhere safe.\r\n\r\n", username)
	for _, c := range codes {
		b.WriteString(c)
		b.WriteString("\r\n")
	}
	// A data: URL of base64 text: nothing in it can leave the attribute.
	return template.URL("data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(b.String())))
}
