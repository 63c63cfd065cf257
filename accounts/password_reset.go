package accounts

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/tokens"
)

// servePasswordReset is Django's PasswordResetView with PasswordResetForm.
// A valid address always ends in the same redirect to the done page,
// whether it matched no user, an inactive one, one without a usable
// password, one or several users, and whether sending worked: the answer
// tells nothing about which addresses have accounts. A mail goes to each
// matching user, at the address stored for that user; it is queued for
// the Manager's mail workers, so that neither the answer nor its timing
// depends on the Mailer.
func (m *Manager[U]) servePasswordReset(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	page := &PasswordResetPage{Action: r.URL.EscapedPath(), LoginURL: m.auth.LoginURL()}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.PasswordReset, page)
		return
	}
	page.Email, _ = cleanEmail(r.PostForm.Get("email"))
	err := m.RequestPasswordReset(r, r.PostForm.Get("email"))
	var fe *FormError
	switch {
	case errors.As(err, &fe):
		page.EmailErrors = fe.Fields["email"]
		m.render(w, r, http.StatusOK, m.templates.PasswordReset, page)
		return
	case errors.Is(err, ErrDisallowedHost):
		// Django's get_host raises DisallowedHost: 400, nothing sent.
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return
	}
	if !m.answerLimited(w, r, "password reset", err, func(msg string) {
		page.EmailErrors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.PasswordReset, page)
	}) {
		return
	}
	http.Redirect(w, r, p.passwordResetDone(), http.StatusFound)
}

// sendResetMail runs on a mail worker: it makes a token for the job's
// user and mails the reset link to the user's stored address. A failure
// is logged with the user's ID only, never the link, the token or the
// address, and is not reported to the client (Django logs and goes on).
func (m *Manager[U]) sendResetMail(ctx context.Context, j resetJob) {
	au, scheme, host, p := &j.user, j.scheme, j.host, j.p
	fail := func(what string, err error) {
		m.log.ErrorContext(ctx, "accounts: password reset: "+what, "user_id", au.ID, "error", err)
	}
	token, err := m.tokens.Make(au)
	if err != nil {
		fail("make token", err)
		return
	}
	uid := tokens.EncodeUID(au.ID)
	siteName := m.siteName
	if siteName == "" {
		siteName = host
	}
	data := &ResetEmail{
		SiteName: siteName,
		Protocol: scheme,
		Domain:   host,
		UID:      uid,
		Token:    token,
		Link:     scheme + "://" + host + p.resetConfirm(uid, token),
		Username: au.Username,
		Email:    j.to,
	}
	subjectT, err := i18n.LocalizeText(m.templates.ResetEmailSubject, j.tr)
	if err != nil {
		fail("localize subject", err)
		return
	}
	bodyT, err := i18n.LocalizeText(m.templates.ResetEmailBody, j.tr)
	if err != nil {
		fail("localize body", err)
		return
	}
	var subject, body bytes.Buffer
	if err := subjectT.Execute(&subject, data); err != nil {
		fail("render subject", err)
		return
	}
	if err := bodyT.Execute(&body, data); err != nil {
		fail("render body", err)
		return
	}
	msg := mail.Message{
		From:    m.from,
		To:      []string{j.to},
		Subject: strings.Join(strings.FieldsFunc(subject.String(), isLineBreak), ""),
		Text:    body.String(),
	}
	if err := m.mailer.Send(ctx, msg); err != nil {
		fail("send mail", err)
	}
}

// isLineBreak reports the characters at which Python's str.splitlines
// splits, which Django removes from the subject.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// site returns the scheme and host of reset links: Config.SiteURL's, else
// the request's Host when it is allowed, with https unless the request
// came over plain HTTP to a loopback host. ok is false for a Host that is
// not allowed.
//
// Behind a proxy that ends TLS the request reaching the app is plain HTTP
// although the site is https, and a link built from r.TLS alone would send
// the token in clear text; only a development server on a loopback host
// gets http links.
func (m *Manager[U]) site(r *http.Request) (scheme, host string, ok bool) {
	if m.siteHost != "" {
		return m.siteScheme, m.siteHost, true
	}
	host, err := m.auth.RequestHost(r)
	if err != nil {
		return "", "", false
	}
	scheme = "https"
	if auth.IsLoopbackRequest(r) {
		scheme = "http"
	}
	return scheme, host, true
}
