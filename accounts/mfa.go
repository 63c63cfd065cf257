package accounts

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
)

// Messages of the second factor pages.
const (
	// MsgInvalidCode is shown for a code that no device accepts.
	MsgInvalidCode = "Invalid code. Please check it and try again."
	// MsgTooManyCodes is shown when a pending login was dropped after too
	// many wrong codes.
	MsgTooManyCodes = "Too many wrong codes. Please log in again."
	// MsgChooseFactor is shown when the chosen method is not one the
	// user has.
	MsgChooseFactor = "Please choose one of the methods listed."
	// MsgPasswordInvalid is shown for a wrong password on the
	// verification page.
	MsgPasswordInvalid = "Your password was entered incorrectly. Please enter it again."
)

// FactorChoice is one second factor offered on a page.
type FactorChoice struct {
	// Kind is the factor's Kind, the value of the "factor" field.
	Kind string
	// Label names it for people ("Authenticator app").
	Label string
	// Checked is true for the factor chosen.
	Checked bool
}

// MFAChallengePage is the data of the second step of a login.
type MFAChallengePage struct {
	// Action is the URL the forms post to.
	Action string
	// Factors are the code factors of which the user has a device; empty
	// when only others (passkeys) are enrolled.
	Factors []FactorChoice
	// CodeLabel labels the code field for the chosen factor; Numeric is
	// true when its codes are digits (inputmode="numeric").
	CodeLabel string
	Numeric   bool
	// Errors are about the form as a whole, CodeErrors about the code.
	Errors     []string
	CodeErrors []string
	// Ended is true when the pending login is over (too many codes): the
	// page shows no form, only a link to LoginURL.
	Ended    bool
	LoginURL string
	// Next and RedirectFieldName carry the login's "next" on.
	Next              string
	RedirectFieldName string
	// PasskeyURL is the prefix of the passkey routes when the user has a
	// passkey (the page offers "Use a passkey"), else ""; SuccessURL is
	// where the page goes after it (Next, else the login redirect URL).
	PasskeyURL string
	SuccessURL string
}

// MFAVerifyPage is the data of the verification (step-up) page of a
// logged-in user.
type MFAVerifyPage struct {
	// Action is the URL the form posts to.
	Action string
	// Username is the user's username, for password managers.
	Username string
	// Password is true for a user without any device: the page asks for
	// the password instead of a code.
	Password bool
	// Factors, CodeLabel and Numeric are as on MFAChallengePage.
	Factors   []FactorChoice
	CodeLabel string
	Numeric   bool
	// Errors are about the form, FieldErrors about the code or password.
	Errors      []string
	FieldErrors []string
	// Next and RedirectFieldName carry the page to return to.
	Next              string
	RedirectFieldName string
	// PasskeyURL and SuccessURL are as on MFAChallengePage.
	PasskeyURL string
	SuccessURL string
}

// MFALaterPage is the data of the grace period's reminder.
type MFALaterPage struct {
	// Action is the URL the "later" form posts to.
	Action string
	// GraceEnds is when enrolment becomes required.
	GraceEnds time.Time
	// EnrolURL is the enrolment page, with "next".
	EnrolURL string
	// Next and RedirectFieldName carry the page to return to.
	Next              string
	RedirectFieldName string
}

// factorLabel names a factor kind for people.
func factorLabel(kind string) string {
	switch kind {
	case "totp":
		return "Authenticator app"
	case mfa.RecoveryKind:
		return "Recovery code"
	case "passkey":
		return "Passkey"
	}
	return kind
}

// codeLabel labels the code field of a factor and says whether its codes
// are digits.
func codeLabel(kind string) (string, bool) {
	switch kind {
	case "totp":
		return "Code from your authenticator app", true
	case mfa.RecoveryKind:
		return "Recovery code", false
	}
	return "Code", false
}

// choices builds the factor choices, chosen checked (the first when chosen
// is not among them), and returns the kind checked.
func choices(kinds []string, chosen string) ([]FactorChoice, string) {
	if len(kinds) == 0 {
		return nil, ""
	}
	pick := kinds[0]
	for _, k := range kinds {
		if k == chosen {
			pick = k
		}
	}
	out := make([]FactorChoice, len(kinds))
	for i, k := range kinds {
		out[i] = FactorChoice{Kind: k, Label: factorLabel(k), Checked: k == pick}
	}
	return out, pick
}

// mfaRoutes mounts the pages of f at its URLs.
func (m *Manager[U]) mfaRoutes(mux *http.ServeMux, f *mfa.Flow[U]) {
	mux.Handle(f.ChallengeURL()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveMFAChallenge(w, r, f)
	}))))
	mux.Handle(f.VerifyURL()+"{$}", m.auth.Protect(m.auth.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveMFAVerify(w, r, f)
	}))))
	mux.Handle(f.ReminderURL()+"{$}", m.auth.Protect(m.auth.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveMFALater(w, r, f)
	}))))
}

// redirectNext redirects to the safe "next", else to the login redirect URL.
func (m *Manager[U]) redirectNext(w http.ResponseWriter, r *http.Request) {
	target := m.auth.RedirectTarget(r)
	if target == "" {
		target = m.auth.LoginRedirectURL()
	}
	auth.Redirect(w, r, target, http.StatusFound)
}

// loginAgain sends the browser back to the login page with "next".
func (m *Manager[U]) loginAgain(w http.ResponseWriter, r *http.Request) {
	target := m.auth.LoginURL()
	if next := m.auth.RedirectTarget(r); next != "" {
		target = auth.RedirectToLoginURL(target, next, auth.RedirectFieldName)
	}
	auth.Redirect(w, r, target, http.StatusFound)
}

// codeValue cleans a code field: spaces and hyphens that people type or
// paste inside a code are the factors' business, surrounding space is
// not. It returns the field's error message, if any.
func codeValue(raw string) (string, string) {
	code := strings.TrimSpace(raw)
	if code == "" {
		return "", auth.MsgRequired
	}
	if msg := auth.InvalidTextMessage(code); msg != "" {
		return "", msg
	}
	if len(code) > 64 {
		return "", MsgInvalidCode
	}
	return code, ""
}

// chosenCode reads the factor and code fields of a form that offered a
// code of kind (the challenge and verify pages): it returns the cleaned
// code, or the form's error when another factor was chosen, or the code
// field's error when the code is not one.
func chosenCode(form url.Values, kind string) (code string, formErrs, codeErrs []string) {
	if chosen := form.Get("factor"); chosen != "" && chosen != kind {
		return "", []string{MsgChooseFactor}, nil
	}
	code, msg := codeValue(form.Get("code"))
	if msg != "" {
		return "", nil, []string{msg}
	}
	return code, nil, nil
}

// passkeyURL returns the prefix of the passkey routes when the user has
// a passkey and f has the passkey factor, else "".
func (m *Manager[U]) passkeyURL(r *http.Request, f *mfa.Flow[U], userID int64) (string, error) {
	if m.passkeys == nil || f.Factor(passkey.Kind) == nil {
		return "", nil
	}
	devs, err := m.passkeys.Devices(r.Context(), userID)
	if err != nil || len(devs) == 0 {
		return "", err
	}
	return m.passkeyPrefix, nil
}

// successURL is where redirectNext goes.
func (m *Manager[U]) successURL(r *http.Request) string {
	if target := m.auth.RedirectTarget(r); target != "" {
		return target
	}
	return m.auth.LoginRedirectURL()
}

// serveMFAChallenge is the second step of a login: the user whose
// password was accepted enters a code of one of their factors.
func (m *Manager[U]) serveMFAChallenge(w http.ResponseWriter, r *http.Request, f *mfa.Flow[U]) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	page := &MFAChallengePage{Action: r.URL.EscapedPath(), RedirectFieldName: auth.RedirectFieldName,
		Next: m.auth.RedirectTarget(r), LoginURL: m.auth.LoginURL()}
	if post && r.PostForm.Get("cancel") != "" {
		if err := f.Abandon(r); err != nil {
			m.serverError(w, r, "mfa challenge: abandon", err)
			return
		}
		m.loginAgain(w, r)
		return
	}
	p, err := f.Pending(r)
	if errors.Is(err, mfa.ErrNoPendingLogin) {
		m.loginAgain(w, r)
		return
	}
	if err != nil {
		m.serverError(w, r, "mfa challenge: pending login", err)
		return
	}
	kinds, err := f.CodeKinds(r.Context(), auth.UserOf(p.User).ID)
	if err != nil {
		m.serverError(w, r, "mfa challenge: devices", err)
		return
	}
	if page.PasskeyURL, err = m.passkeyURL(r, f, auth.UserOf(p.User).ID); err != nil {
		m.serverError(w, r, "mfa challenge: passkeys", err)
		return
	}
	page.SuccessURL = m.successURL(r)
	var kind string
	page.Factors, kind = choices(kinds, r.PostForm.Get("factor"))
	page.CodeLabel, page.Numeric = codeLabel(kind)
	if !post || len(kinds) == 0 {
		m.render(w, r, http.StatusOK, m.templates.MFAChallenge, page)
		return
	}
	code, formErrs, codeErrs := chosenCode(r.PostForm, kind)
	if formErrs != nil || codeErrs != nil {
		page.Errors, page.CodeErrors = formErrs, codeErrs
		m.render(w, r, http.StatusOK, m.templates.MFAChallenge, page)
		return
	}
	_, err = f.VerifyCode(r, kind, code)
	var te *mfa.ThrottledError
	switch {
	case err == nil:
		m.redirectNext(w, r)
	case errors.Is(err, mfa.ErrTooManyAttempts):
		page.Ended, page.Errors = true, []string{MsgTooManyCodes}
		m.render(w, r, http.StatusForbidden, m.templates.MFAChallenge, page)
	case errors.Is(err, mfa.ErrNoPendingLogin):
		m.loginAgain(w, r)
	case errors.Is(err, mfa.ErrInvalidCode):
		page.CodeErrors = []string{MsgInvalidCode}
		m.render(w, r, http.StatusOK, m.templates.MFAChallenge, page)
	case errors.As(err, &te):
		page.Errors = []string{m.auth.Translator(r).Translate(auth.ThrottledMsg(te.RetryAfter))}
		auth.SetRetryAfter(w, te.RetryAfter)
		m.render(w, r, http.StatusTooManyRequests, m.templates.MFAChallenge, page)
	case errors.Is(err, mfa.ErrNoDevice), errors.Is(err, mfa.ErrUnknownFactor):
		page.Errors = []string{MsgChooseFactor}
		m.render(w, r, http.StatusOK, m.templates.MFAChallenge, page)
	default:
		m.serverError(w, r, "mfa challenge: verify", err)
	}
}

// serveMFAVerify is the verification page of a logged-in user: a code of
// a second factor, or for a user without any the password, proves the
// user is still at the keyboard (step-up) or verifies a session that was
// logged in before the user enrolled.
func (m *Manager[U]) serveMFAVerify(w http.ResponseWriter, r *http.Request, f *mfa.Flow[U]) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	user := m.auth.User(r).User()
	if user == nil {
		m.serverError(w, r, "mfa verify: no user", m.auth.User(r).Err())
		return
	}
	au := auth.UserOf(user)
	page := &MFAVerifyPage{Action: r.URL.EscapedPath(), Username: au.Username,
		RedirectFieldName: auth.RedirectFieldName, Next: m.auth.RedirectTarget(r)}
	devs, err := f.Devices(r.Context(), au.ID)
	if err != nil {
		m.serverError(w, r, "mfa verify: devices", err)
		return
	}
	kinds, err := f.CodeKinds(r.Context(), au.ID)
	if err != nil {
		m.serverError(w, r, "mfa verify: devices", err)
		return
	}
	page.Password = len(devs) == 0
	if page.PasskeyURL, err = m.passkeyURL(r, f, au.ID); err != nil {
		m.serverError(w, r, "mfa verify: passkeys", err)
		return
	}
	page.SuccessURL = m.successURL(r)
	var kind string
	page.Factors, kind = choices(kinds, r.PostForm.Get("factor"))
	page.CodeLabel, page.Numeric = codeLabel(kind)
	if !post || (!page.Password && len(kinds) == 0) {
		m.render(w, r, http.StatusOK, m.templates.MFAVerify, page)
		return
	}
	if page.Password {
		password := r.PostForm.Get("password")
		if errs := passwordFieldErrors(password); errs != nil {
			page.FieldErrors = errs
			m.render(w, r, http.StatusOK, m.templates.MFAVerify, page)
			return
		}
		err = f.VerifySessionPassword(r, password)
	} else {
		code, formErrs, codeErrs := chosenCode(r.PostForm, kind)
		if formErrs != nil || codeErrs != nil {
			page.Errors, page.FieldErrors = formErrs, codeErrs
			m.render(w, r, http.StatusOK, m.templates.MFAVerify, page)
			return
		}
		_, err = f.VerifySession(r, kind, code)
	}
	var te *mfa.ThrottledError
	switch {
	case err == nil:
		m.redirectNext(w, r)
	case errors.Is(err, mfa.ErrInvalidCode):
		page.FieldErrors = []string{MsgInvalidCode}
		m.render(w, r, http.StatusOK, m.templates.MFAVerify, page)
	case errors.Is(err, mfa.ErrInvalidPassword):
		page.FieldErrors = []string{MsgPasswordInvalid}
		m.render(w, r, http.StatusOK, m.templates.MFAVerify, page)
	case errors.As(err, &te):
		page.Errors = []string{m.auth.Translator(r).Translate(auth.ThrottledMsg(te.RetryAfter))}
		auth.SetRetryAfter(w, te.RetryAfter)
		m.render(w, r, http.StatusTooManyRequests, m.templates.MFAVerify, page)
	case errors.Is(err, mfa.ErrNoDevice), errors.Is(err, mfa.ErrUnknownFactor), errors.Is(err, mfa.ErrFactorRequired):
		page.Errors = []string{MsgChooseFactor}
		m.render(w, r, http.StatusOK, m.templates.MFAVerify, page)
	default:
		m.serverError(w, r, "mfa verify", err)
	}
}

// serveMFALater is the grace period's reminder: enrol now, or be
// reminded on the next session.
func (m *Manager[U]) serveMFALater(w http.ResponseWriter, r *http.Request, f *mfa.Flow[U]) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	next := m.auth.RedirectTarget(r)
	enrol := f.EnrolURL()
	if next != "" {
		enrol = auth.RedirectToLoginURL(enrol, next, auth.RedirectFieldName)
	}
	d, err := f.Decide(r.Context(), m.auth.User(r).User())
	if err != nil {
		m.serverError(w, r, "mfa later: policy", err)
		return
	}
	if !d.Covered || d.Enrolled {
		m.redirectNext(w, r)
		return
	}
	if !d.InGrace {
		auth.Redirect(w, r, enrol, http.StatusFound)
		return
	}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.MFALater, &MFALaterPage{Action: r.URL.EscapedPath(),
			GraceEnds: d.GraceEnds.UTC(), EnrolURL: enrol, Next: next, RedirectFieldName: auth.RedirectFieldName})
		return
	}
	err = f.EnrolLater(r)
	switch {
	case err == nil:
		m.redirectNext(w, r)
	case errors.Is(err, mfa.ErrEnrolmentRequired):
		auth.Redirect(w, r, enrol, http.StatusFound)
	default:
		m.serverError(w, r, "mfa later", err)
	}
}
