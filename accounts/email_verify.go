package accounts

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	texttemplate "text/template"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mail"
)

// Messages of the verification pages.
const (
	// MsgWrongCode is shown on the code field for a wrong, old or used code.
	MsgWrongCode = "The code is wrong or has expired. Check the latest mail, or ask for a new one."
	// MsgVerificationSent is shown after a resend, whether or not a mail
	// went out.
	MsgVerificationSent = "If that address is waiting for verification, we have sent a new mail to it. It holds a link and a code."
)

// VerificationRequiredURL is the URL of the page that asks to verify an
// email address, under prefix ("" means auth.DefaultRoutePrefix): set it
// as emails.Gate's URL, so that a refused login lands there.
func VerificationRequiredURL(prefix string) string {
	if prefix == "" {
		prefix = auth.DefaultRoutePrefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return paths{prefix: prefix}.verificationRequired()
}

func (p paths) signup() string               { return p.prefix + "signup/" }
func (p paths) verificationRequired() string { return p.prefix + "confirm-email/" }
func (p paths) verifyCode() string           { return p.prefix + "confirm-email/code/" }
func (p paths) confirmEmail(key string) string {
	return p.prefix + "confirm-email/" + key + "/"
}
func (p paths) emailManage() string { return p.prefix + "email/" }

// ConfirmationMail is the data of the verification mail: it carries both
// the link, whose page confirms with a button, and the code to type.
type ConfirmationMail struct {
	// SiteName names the site.
	SiteName string
	// Link opens the confirmation page; Code is typed on CodeURL instead.
	Link    string
	Code    string
	CodeURL string
	// Username is the user's username; Email the address being verified.
	Username string
	Email    string
}

// AccountExistsMail is the data of the mail to an address that someone
// tried to sign up (or add) with although it has an account.
type AccountExistsMail struct {
	SiteName string
	Email    string
	// LoginURL and PasswordResetURL (empty without reset pages) help the
	// owner who forgot they had an account.
	LoginURL         string
	PasswordResetURL string
}

// PrimaryChangedMail is the data of the notice to the old primary
// address when another one becomes primary.
type PrimaryChangedMail struct {
	SiteName string
	Username string
	OldEmail string
	NewEmail string
}

// mailLinks are the scheme and host for the links of a mail: SiteURL's,
// or the request's when allowed; ok is false when there is none.
func (m *Manager[U]) mailLinks(r *http.Request) (base, siteName string, ok bool) {
	if r == nil && m.siteHost == "" {
		return "", "", false
	}
	var scheme, host string
	if r == nil {
		scheme, host = m.siteScheme, m.siteHost
	} else if scheme, host, ok = m.site(r); !ok {
		return "", "", false
	}
	return scheme + "://" + host, cmpOr(m.siteName, host), true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// queueMail renders subject and body with data and queues the mail to
// to. Failures are logged with what and the user's ID, never the address
// or the mail's text (links and codes are secrets).
func (m *Manager[U]) queueMail(ctx context.Context, tr *i18n.Translator, what string, userID int64, to string, subjectT, bodyT *texttemplate.Template, data any) {
	var subject, body bytes.Buffer
	subjectT, err := i18n.LocalizeText(subjectT, tr)
	if err == nil {
		bodyT, err = i18n.LocalizeText(bodyT, tr)
	}
	if err != nil {
		m.log.ErrorContext(ctx, "accounts: "+what+": localize", "user_id", userID, "error", err)
		return
	}
	if err := subjectT.Execute(&subject, data); err != nil {
		m.log.ErrorContext(ctx, "accounts: "+what+": render subject", "user_id", userID, "error", err)
		return
	}
	if err := bodyT.Execute(&body, data); err != nil {
		m.log.ErrorContext(ctx, "accounts: "+what+": render body", "user_id", userID, "error", err)
		return
	}
	msg := mail.Message{
		From:    m.from,
		To:      []string{to},
		Subject: strings.Join(strings.FieldsFunc(subject.String(), isLineBreak), ""),
		Text:    body.String(),
	}
	job := resetJob{send: func(ctx context.Context) {
		if err := m.mailer.Send(ctx, msg); err != nil {
			m.log.ErrorContext(ctx, "accounts: "+what+": send mail", "user_id", userID, "error", err)
		}
	}}
	if m.queue == nil || !m.queue.Enqueue(job) {
		m.log.ErrorContext(ctx, "accounts: "+what+": mail queue full, closed or missing (no Mailer), mail dropped", "user_id", userID)
	}
}

// mailTranslator is the translator of the mails that r causes: r's
// language, or the default language without a request, as Django
// renders a mail in the active language.
func (m *Manager[U]) mailTranslator(r *http.Request) *i18n.Translator {
	if r == nil {
		return m.auth.I18n().Translator("")
	}
	return m.auth.Translator(r)
}

// queueConfirmation queues the verification mail of a.
func (m *Manager[U]) queueConfirmation(ctx context.Context, r *http.Request, a emails.Address, username string) {
	base, site, ok := m.mailLinks(r)
	if !ok {
		m.log.WarnContext(ctx, "accounts: verification mail: no site URL (set accounts.Config.SiteURL or auth.Config.AllowedHosts); mail not sent", "user_id", a.UserID)
		return
	}
	key, err := m.emails.Key(a)
	if err != nil {
		m.log.ErrorContext(ctx, "accounts: verification mail: make key", "user_id", a.UserID, "error", err)
		return
	}
	p := m.paths()
	m.queueMail(ctx, m.mailTranslator(r), "verification mail", a.UserID, a.Email, m.templates.ConfirmEmailSubject, m.templates.ConfirmEmailBody, &ConfirmationMail{
		SiteName: site, Link: base + p.confirmEmail(key), Code: m.emails.Code(a),
		CodeURL: base + p.verifyCode(), Username: username, Email: a.Email,
	})
}

// queueAccountExists queues the mail to the owner of email, someone's
// address, that a sign-up or an addition tried to use it.
func (m *Manager[U]) queueAccountExists(ctx context.Context, r *http.Request, email string) {
	base, site, ok := m.mailLinks(r)
	if !ok {
		m.log.WarnContext(ctx, "accounts: account exists mail: no site URL (set accounts.Config.SiteURL or auth.Config.AllowedHosts); mail not sent")
		return
	}
	if !m.signup.mayMail(email) {
		return
	}
	data := &AccountExistsMail{SiteName: site, Email: email, LoginURL: base + m.auth.LoginURL()}
	if m.mailer != nil {
		data.PasswordResetURL = base + m.paths().passwordReset()
	}
	m.queueMail(ctx, m.mailTranslator(r), "account exists mail", 0, email, m.templates.AccountExistsSubject, m.templates.AccountExistsBody, data)
}

// paths returns the paths under the prefix Routes mounted (the default
// prefix before Routes).
func (m *Manager[U]) paths() paths {
	if m.prefix == "" {
		return paths{prefix: auth.DefaultRoutePrefix}
	}
	return paths{prefix: m.prefix}
}

// Resend queues a new verification mail for every unverified address
// SameEmail as email, unless one went to it within the cooldown
// (SignupConfig.EmailCooldown). It reports nothing about whether the
// address exists: the verification-required page answers alike.
func (m *Manager[U]) Resend(ctx context.Context, r *http.Request, email string) error {
	found, err := m.emails.Store().FindAddresses(ctx, email)
	if err != nil {
		return err
	}
	for _, a := range found {
		if a.Verified {
			continue
		}
		if !m.signup.mayMail(a.Email) {
			return nil
		}
		u, err := m.auth.Store().GetUser(ctx, a.UserID)
		if err != nil {
			if errors.Is(err, auth.ErrUserNotFound) {
				continue
			}
			return err
		}
		// Never mail one user's link to an address another user owns in
		// the user table: confirming it would give them that address.
		if other, err := m.emailOfAnother(ctx, a.Email, a.UserID); err != nil || other {
			if err != nil {
				return err
			}
			continue
		}
		m.queueConfirmation(ctx, r, a, auth.UserOf(u).Username)
	}
	return nil
}

// VerifyPage is the data of the verification-required page and of the
// code page.
type VerifyPage struct {
	// Action is the URL the form posts to.
	Action string
	// Email fills the address field.
	Email string
	// SignedIn is true when a user is logged in: the code page then needs
	// no address.
	SignedIn bool
	// Message says what was done ("we have sent a new mail").
	Message string
	// Errors are about the form as a whole (the throttle); EmailErrors
	// and CodeErrors each field's.
	Errors      []string
	EmailErrors []string
	CodeErrors  []string
	// CodeURL is the code page; ResendURL the verification-required page;
	// LoginURL the login page.
	CodeURL   string
	ResendURL string
	LoginURL  string
}

// HasErrors reports whether any error is shown.
func (p *VerifyPage) HasErrors() bool {
	return len(p.Errors)+len(p.EmailErrors)+len(p.CodeErrors) > 0
}

// ConfirmEmailPage is the data of the page a verification link opens.
type ConfirmEmailPage struct {
	// Action is the URL the confirmation form posts to.
	Action string
	// Valid is false for a forged, expired or used link.
	Valid bool
	// Confirmed is true once the POST has verified Email.
	Confirmed bool
	// Email is the address; Username its user's.
	Email    string
	Username string
	// LoginURL, ResendURL and EmailsURL lead on.
	LoginURL  string
	ResendURL string
	EmailsURL string
}

func (m *Manager[U]) verifyPage(r *http.Request, p paths) *VerifyPage {
	page := &VerifyPage{
		Action: r.URL.EscapedPath(), CodeURL: p.verifyCode(), ResendURL: p.verificationRequired(),
		LoginURL: m.auth.LoginURL(), SignedIn: m.auth.UserFromContext(r.Context()).IsAuthenticated(),
	}
	page.Email = m.auth.Sessions().GetString(r.Context(), sessionKeyVerifyEmail)
	return page
}

// serveVerificationRequired is the page of emails.Gate's refusals and of
// the end of a sign-up (allauth's email_verification_sent): what to do,
// and a form to have the mail sent again. Each resend counts against the
// address and the client (LimitScopeEmailSend), and the answer is the same
// whether or not the address is known or a mail went out.
func (m *Manager[U]) serveVerificationRequired(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	page := m.verifyPage(r, p)
	if !post {
		m.render(w, r, http.StatusOK, m.templates.VerifyEmail, page)
		return
	}
	email, errs := cleanEmail(r.PostForm.Get("email"))
	page.Email, page.EmailErrors = email, errs
	if len(errs) > 0 {
		m.render(w, r, http.StatusOK, m.templates.VerifyEmail, page)
		return
	}
	if !m.limitSend(w, r, email, func(msg string) {
		page.Errors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.VerifyEmail, page)
	}) {
		return
	}
	if err := m.Resend(r.Context(), r, email); err != nil {
		m.serverError(w, r, "resend verification", err)
		return
	}
	m.auth.Sessions().Put(r.Context(), sessionKeyVerifyEmail, email)
	page.Action, page.Message = p.verifyCode(), MsgVerificationSent
	m.render(w, r, http.StatusOK, m.templates.VerifyCode, page)
}

// limitSend checks and counts a request that may mail email
// (LimitScopeEmailSend): every request counts.
func (m *Manager[U]) limitSend(w http.ResponseWriter, r *http.Request, email string, refuse func(string)) bool {
	key := emailKey(email)
	if !m.limitCheck(w, r, LimitScopeEmailSend, key, refuse) {
		return false
	}
	if err := m.limitRecord(r, LimitScopeEmailSend, key, false); err != nil {
		m.serverError(w, r, LimitScopeEmailSend+": limiter", err)
		return false
	}
	return true
}

// serveVerifyCode is the page where the code of a verification mail is
// typed: with the address, or by a signed-in user for any of their
// unverified addresses. Wrong codes count (LimitScopeEmailCode). A right
// code verifies the address and logs nobody in.
func (m *Manager[U]) serveVerifyCode(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	page := m.verifyPage(r, p)
	if !post {
		m.render(w, r, http.StatusOK, m.templates.VerifyCode, page)
		return
	}
	raw := strings.TrimSpace(r.PostForm.Get("email"))
	if raw != "" || m.auth.UserFromContext(r.Context()).User() == nil {
		page.Email, _ = cleanEmail(raw)
	} else {
		page.Email = ""
	}
	confirmed, err := m.VerifyEmailCode(r, raw, r.PostForm.Get("code"))
	var fe *FormError
	switch {
	case errors.As(err, &fe):
		page.EmailErrors, page.CodeErrors = fe.Fields["email"], fe.Fields["code"]
		m.render(w, r, http.StatusOK, m.templates.VerifyCode, page)
		return
	case errors.Is(err, ErrWrongCode):
		page.CodeErrors = []string{MsgWrongCode}
		m.render(w, r, http.StatusOK, m.templates.VerifyCode, page)
		return
	}
	if !m.answerLimited(w, r, "verify code", err, func(msg string) {
		page.Errors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.VerifyCode, page)
	}) {
		return
	}
	m.renderConfirmed(w, r, p, confirmed)
}

// renderConfirmed shows the page after a verification.
func (m *Manager[U]) renderConfirmed(w http.ResponseWriter, r *http.Request, p paths, a emails.Address) {
	page := &ConfirmEmailPage{
		Valid: true, Confirmed: true, Email: a.Email, LoginURL: m.auth.LoginURL(),
		ResendURL: p.verificationRequired(), EmailsURL: p.emailManage(),
	}
	m.render(w, r, http.StatusOK, m.templates.ConfirmEmail, page)
}

// serveConfirmEmail is the page a verification link opens (allauth's
// ConfirmEmailView): GET only shows the address and a button, so that a
// mail scanner that follows links verifies nothing; the button's POST
// verifies. It logs nobody in. The key stays out of Referer headers.
func (m *Manager[U]) serveConfirmEmail(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	key := r.PathValue("key")
	page := &ConfirmEmailPage{
		Action: r.URL.EscapedPath(), LoginURL: m.auth.LoginURL(),
		ResendURL: p.verificationRequired(), EmailsURL: p.emailManage(),
	}
	var a emails.Address
	var err error
	if post {
		a, err = m.emails.ConfirmKey(r.Context(), key)
	} else {
		a, err = m.emails.AddressForKey(r.Context(), key)
	}
	if errors.Is(err, emails.ErrInvalidKey) {
		m.render(w, r, http.StatusOK, m.templates.ConfirmEmail, page)
		return
	}
	if err != nil {
		m.serverError(w, r, "confirm email", err)
		return
	}
	if post {
		m.renderConfirmed(w, r, p, a)
		return
	}
	page.Valid, page.Email = true, a.Email
	if u, err := m.auth.Store().GetUser(r.Context(), a.UserID); err == nil {
		page.Username = auth.UserOf(u).Username
	}
	m.render(w, r, http.StatusOK, m.templates.ConfirmEmail, page)
}

// emailRoutes mounts the sign-up and email pages (Config.Emails with a
// Mailer).
func (m *Manager[U]) emailRoutes(mux *http.ServeMux, p paths) {
	open := func(pattern string, serve func(http.ResponseWriter, *http.Request, paths)) {
		mux.Handle(pattern+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serve(w, r, p)
		}))))
	}
	open(p.signup(), m.serveSignup)
	open(p.verificationRequired(), m.serveVerificationRequired)
	open(p.verifyCode(), m.serveVerifyCode)
	open(p.confirmEmail("{key}"), m.serveConfirmEmail)
	mux.Handle(p.emailManage()+"{$}", m.auth.Protect(m.auth.LoginRequired(m.auth.RefuseWhileImpersonating(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveEmails(w, r, p)
	})))))
}
