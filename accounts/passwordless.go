package accounts

import (
	"errors"
	"net/http"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/passwordless"
)

// Messages of the passwordless pages.
const (
	// MsgLoginLinkInvalid is shown for a login link that is unknown,
	// used, expired, replaced by a newer one or altered.
	MsgLoginLinkInvalid = "This login link is no longer valid: it has expired, has been used already or a newer one was sent. Please ask for a new one."
	// MsgLoginLinkOtherBrowser is shown for a valid link opened in
	// another browser than the one that asked for it (the links are bound
	// to that browser unless passwordless.Config.Unbound).
	MsgLoginLinkOtherBrowser = "This login link works only in the browser where you asked for it. Open it there, or type the code from the email on that browser's page."
	// MsgLoginCodeEnded is shown when the code page has no pending
	// request any more: used, expired or too many wrong codes.
	MsgLoginCodeEnded = "This login code can no longer be used. Please ask for a new one."
)

// sessionKeyPasswordlessNext keeps the safe "next" of a passwordless
// login between the request and its completion by code or link.
const sessionKeyPasswordlessNext = "_passwordless_next"

// PasswordlessStartPage is the data of the "Email me a login link" form.
type PasswordlessStartPage struct {
	// Action is the URL the form posts to.
	Action string
	// Email is the address that was submitted, to fill the field again.
	Email string
	// Errors are about the form as a whole (throttling), EmailErrors
	// about the address.
	Errors      []string
	EmailErrors []string
	// Next and RedirectFieldName carry the page to go to after login.
	Next              string
	RedirectFieldName string
	// LoginURL is the password login page.
	LoginURL string
}

// PasswordlessCodePage is the data of the "check your email" page, the
// same whether the address has an account or not: it asks for the code of
// the mail.
type PasswordlessCodePage struct {
	// Action is the URL the form posts to.
	Action string
	// CodeLength is the length of the codes; Minutes how long they work.
	CodeLength int
	Minutes    int
	// Bound is true when the link and the code work only in this browser.
	Bound bool
	// Errors are about the form as a whole, CodeErrors about the code.
	Errors     []string
	CodeErrors []string
	// Ended is true when no request is pending any more (used, expired,
	// too many wrong codes): the page then shows no form.
	Ended bool
	// StartURL is the form to ask for a new link; LoginURL the password
	// login page.
	StartURL string
	LoginURL string
}

// PasswordlessLinkPage is the data of the page a login link opens. A GET
// never logs in (mail scanners follow links): a valid link shows a button
// that posts to the same URL.
type PasswordlessLinkPage struct {
	// Action is the URL the button posts to (the link itself).
	Action string
	// Valid is true when the button is shown.
	Valid bool
	// Errors say why the link does not work here (or that the login is
	// throttled).
	Errors []string
	// StartURL is the form to ask for a new link; LoginURL the password
	// login page.
	StartURL string
	LoginURL string
}

func (p paths) passwordless() string            { return p.prefix + "passwordless/" }
func (p paths) passwordlessCode() string        { return p.prefix + "passwordless/code/" }
func (p paths) passwordlessLink() string        { return p.prefix + "passwordless/link/" }
func (p paths) passwordlessLinkPattern() string { return p.prefix + "passwordless/link/{id}/{token}/" }

// passwordlessRoutes mounts the passwordless pages under p.
func (m *Manager[U]) passwordlessRoutes(mux *http.ServeMux, p paths) {
	mux.Handle(p.passwordless()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasswordlessStart(w, r, p)
	}))))
	mux.Handle(p.passwordlessCode()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasswordlessCode(w, r, p)
	}))))
	mux.Handle(p.passwordlessLinkPattern()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasswordlessLink(w, r, p)
	}))))
}

// servePasswordlessStart is the "Email me a login link" form. A valid
// address always ends in the same redirect to the code page, whether it
// has an account or not (passwordless.Backend.Start answers alike and
// queues the mail); only throttling (429) differs, and it counts every
// address alike.
func (m *Manager[U]) servePasswordlessStart(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	page := &PasswordlessStartPage{Action: r.URL.EscapedPath(), LoginURL: m.auth.LoginURL(),
		Next: m.auth.RedirectTarget(r), RedirectFieldName: auth.RedirectFieldName}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.PasswordlessStart, page)
		return
	}
	page.Email, _ = cleanEmail(r.PostForm.Get("email"))
	err := m.StartPasswordless(r, r.PostForm.Get("email"))
	var fe *FormError
	switch {
	case errors.As(err, &fe):
		page.EmailErrors = fe.Fields["email"]
		m.render(w, r, http.StatusOK, m.templates.PasswordlessStart, page)
		return
	case errors.Is(err, ErrDisallowedHost):
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return
	}
	if !m.answerLimited(w, r, "passwordless: start", err, func(msg string) {
		page.Errors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.PasswordlessStart, page)
	}) {
		return
	}
	sessions := m.auth.Sessions()
	if page.Next != "" {
		sessions.Put(r.Context(), sessionKeyPasswordlessNext, page.Next)
	} else {
		sessions.Remove(r.Context(), sessionKeyPasswordlessNext)
	}
	auth.Redirect(w, r, p.passwordlessCode(), http.StatusFound)
}

// servePasswordlessCode is the "check your email" page: GET shows it while
// a request is pending in the session (else it sends the browser to the
// form), POST checks the code.
func (m *Manager[U]) servePasswordlessCode(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	pl := m.passwordless
	page := &PasswordlessCodePage{Action: r.URL.EscapedPath(), CodeLength: pl.CodeLength(),
		Minutes: int((pl.Timeout() + time.Minute - 1) / time.Minute), Bound: pl.Bound(),
		StartURL: p.passwordless(), LoginURL: m.auth.LoginURL()}
	pending := pl.Pending(r)
	if !post {
		if !pending {
			auth.Redirect(w, r, p.passwordless(), http.StatusFound)
			return
		}
		m.render(w, r, http.StatusOK, m.templates.PasswordlessCode, page)
		return
	}
	if !pending {
		page.Ended, page.Errors = true, []string{MsgLoginCodeEnded}
		m.render(w, r, http.StatusOK, m.templates.PasswordlessCode, page)
		return
	}
	code, msg := codeValue(r.PostForm.Get("code"))
	if msg != "" {
		page.CodeErrors = []string{msg}
		m.render(w, r, http.StatusOK, m.templates.PasswordlessCode, page)
		return
	}
	m.completePasswordless(w, r, auth.Credentials{passwordless.CredentialCode: code}, func(why refusal) {
		switch {
		case why.gate:
			page.Ended, page.Errors = true, []string{why.msg}
		case why.msg != "":
			page.Errors = []string{why.msg}
		case !pl.Pending(r):
			page.Ended, page.Errors = true, []string{MsgLoginCodeEnded}
		default:
			page.CodeErrors = []string{MsgInvalidCode}
		}
		m.render(w, r, why.status, m.templates.PasswordlessCode, page)
	})
}

// servePasswordlessLink is the page a login link opens: GET checks the
// link without consuming it and shows a button that posts to the same
// URL, or why the link does not work here; POST logs in.
func (m *Manager[U]) servePasswordlessLink(w http.ResponseWriter, r *http.Request, p paths) {
	// The token is in the URL: no page it links to may learn it.
	w.Header().Set("Referrer-Policy", "no-referrer")
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	page := &PasswordlessLinkPage{Action: r.URL.EscapedPath(), StartURL: p.passwordless(), LoginURL: m.auth.LoginURL()}
	id, token := r.PathValue("id"), r.PathValue("token")
	// check tells what the link is worth here, without counting an attempt.
	check := func() bool {
		if !linkPart(id) || !linkPart(token) {
			page.Errors = []string{MsgLoginLinkInvalid}
			return true
		}
		state, err := m.passwordless.CheckLink(r.Context(), r, id, token)
		if err != nil {
			m.serverError(w, r, "passwordless: check link", err)
			return false
		}
		switch state {
		case passwordless.LinkValid:
			page.Valid = true
		case passwordless.LinkOtherBrowser:
			page.Errors = []string{MsgLoginLinkOtherBrowser}
		default:
			page.Errors = []string{MsgLoginLinkInvalid}
		}
		return true
	}
	if !post || !linkPart(id) || !linkPart(token) {
		if check() {
			m.render(w, r, http.StatusOK, m.templates.PasswordlessLink, page)
		}
		return
	}
	c := auth.Credentials{passwordless.CredentialRequest: id, passwordless.CredentialLink: token}
	m.completePasswordless(w, r, c, func(why refusal) {
		switch {
		case why.gate:
			page.Errors = []string{why.msg}
		case why.msg != "":
			page.Valid, page.Errors = true, []string{why.msg}
		case !check():
			return
		}
		m.render(w, r, why.status, m.templates.PasswordlessLink, page)
	})
}

// linkPart reports whether s can be the ID or the token of a link: the
// unpadded base64url of passwordless' random values, of a sane length.
// Anything else is refused before it reaches a store.
func linkPart(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// refusal is why completePasswordless did not log in: a wrong, spent or
// expired credential (msg ""), throttling (msg is the wait, Retry-After
// is set) or the LoginGate's reason (gate; the credential is spent).
type refusal struct {
	status int
	msg    string
	gate   bool
}

// completePasswordless authenticates c through auth.Auth.Authenticate
// (so that UserLoginFailed is sent for a failure) and logs the user in
// through auth.Auth.Login, so that the second step of an mfa.Flow and
// the LoginGate still apply: ErrSecondFactorRequired leads to the
// challenge page with the login's next, a gate's refusal to its URL. For
// anything else that does not log in it calls refused, which renders the
// page.
func (m *Manager[U]) completePasswordless(w http.ResponseWriter, r *http.Request, c auth.Credentials, refused func(refusal)) {
	ctx := r.Context()
	user, backend, err := m.auth.Authenticate(ctx, r, c)
	if throttled := (*passwordless.ThrottledError)(nil); errors.As(err, &throttled) {
		auth.SetRetryAfter(w, throttled.RetryAfter)
		refused(refusal{status: http.StatusTooManyRequests, msg: m.auth.Translator(r).Translate(auth.ThrottledMsg(throttled.RetryAfter))})
		return
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		refused(refusal{status: http.StatusOK})
		return
	}
	if err != nil {
		m.serverError(w, r, "passwordless: authenticate", err)
		return
	}
	next := m.auth.Sessions().PopString(ctx, sessionKeyPasswordlessNext)
	err = m.auth.Login(r, user, backend)
	if gate := (*auth.LoginRefusedError)(nil); errors.As(err, &gate) {
		if gate.URL != "" {
			auth.Redirect(w, r, gate.URL, http.StatusFound)
			return
		}
		refused(refusal{status: http.StatusOK, msg: gate.Reason, gate: true})
		return
	}
	if errors.Is(err, auth.ErrSecondFactorRequired) {
		// The link or code was right; the second step decides, and its
		// page carries the login's next on.
		target := m.auth.SecondFactor().ChallengeURL()
		if next != "" {
			target = auth.RedirectToLoginURL(target, next, auth.RedirectFieldName)
		}
		auth.Redirect(w, r, target, http.StatusFound)
		return
	}
	if err != nil {
		m.serverError(w, r, "passwordless: login", err)
		return
	}
	if next == "" {
		next = m.auth.LoginRedirectURL()
	}
	auth.Redirect(w, r, next, http.StatusFound)
}
