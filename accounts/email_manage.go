package accounts

import (
	"errors"
	"net/http"
	"strconv"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/i18n"
)

// Messages of the email management page.
const (
	// MsgEmailAdded and the others are the page's messages after each action.
	MsgEmailAdded        = "We have sent a mail to %(email)s to verify it. The address cannot be used to sign in or to reset your password until then."
	MsgEmailResent       = "We have sent a new verification mail, unless we sent one a moment ago."
	MsgEmailPrimary      = "Your primary email address was changed."
	MsgEmailRemoved      = "The address was removed."
	MsgEmailUnverified   = "Verify the address before making it your primary one."
	MsgEmailCantRemove   = "Your primary address cannot be removed. Make another address primary first."
	MsgEmailTooMany      = "You cannot add more email addresses."
	MsgEmailNoSuch       = "That address is not one of yours."
	MsgEmailAlreadyYours = "That address is already one of yours, and verified."
	sessionKeyEmailsMsg  = "_accounts_emails_message"
)

// EmailsPage is the data of the email management page.
type EmailsPage struct {
	// Action is the URL every form posts to.
	Action string
	// Addresses are the user's addresses, in the order they were added.
	Addresses []emails.Address
	// Email fills the add field again after an error.
	Email string
	// Message says what the last action did; Errors what went wrong;
	// EmailErrors are the add field's.
	Message     string
	Errors      []string
	EmailErrors []string
	// CodeURL is the page to type a code; ProfileURL the account page.
	CodeURL    string
	ProfileURL string
}

// HasErrors reports whether any error is shown.
func (p *EmailsPage) HasErrors() bool { return len(p.Errors)+len(p.EmailErrors) > 0 }

// serveEmails is allauth's EmailView for the logged-in user: the list
// of addresses and the actions add, resend, primary and remove (POST
// "action" with "email" or "id"). Each action ends in a redirect back
// with a message. Adding an address someone else has answers as for a
// new one and mails its owner. Making an address primary needs a recent
// verification with an *mfa.Flow (Config.StepUpMaxAge), and mails the
// old primary address a notice.
func (m *Manager[U]) serveEmails(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ru := m.auth.UserFromContext(ctx)
	user := ru.User()
	if user == nil {
		m.serverError(w, r, "emails: no user", ru.Err())
		return
	}
	au := auth.UserOf(user)
	as, err := m.emails.Store().UserAddresses(ctx, au.ID)
	if err != nil {
		m.serverError(w, r, "emails: list", err)
		return
	}
	page := &EmailsPage{Action: r.URL.EscapedPath(), Addresses: as, CodeURL: p.verifyCode(), ProfileURL: p.prefix + "profile/"}
	if !post {
		page.Message = m.auth.Sessions().PopString(ctx, sessionKeyEmailsMsg)
		m.render(w, r, http.StatusOK, m.templates.Emails, page)
		return
	}
	done := func(msg string) {
		m.auth.Sessions().Put(ctx, sessionKeyEmailsMsg, msg)
		http.Redirect(w, r, p.emailManage(), http.StatusSeeOther)
	}
	fail := func(code int, msg string) {
		page.Errors = []string{msg}
		m.render(w, r, code, m.templates.Emails, page)
	}
	action := r.PostForm.Get("action")
	if action == "add" {
		email, errs := cleanEmail(r.PostForm.Get("email"))
		if len(errs) == 0 {
			if n, err := emails.Normalize(email); err != nil {
				errs = []string{MsgInvalidEmail}
			} else {
				email = n
			}
		}
		page.Email, page.EmailErrors = email, errs
		if len(errs) == 0 && len(as) >= MaxEmailAddresses {
			page.EmailErrors = []string{MsgEmailTooMany}
		}
		if page.HasErrors() {
			m.render(w, r, http.StatusOK, m.templates.Emails, page)
			return
		}
		// A new address is a new way in (resets and passwordless logins
		// go to verified addresses): with a Flow it needs a recent
		// verification, as making one primary does.
		if !m.emailStepUp(w, r) {
			return
		}
		if !m.limitSend(w, r, email, func(msg string) { fail(http.StatusTooManyRequests, msg) }) {
			return
		}
		// An address in another user's email column is theirs, even when
		// account_emailaddress does not list it yet (a Django user from
		// before allauth): answered as taken, and its owner is told.
		other, err := m.emailOfAnother(ctx, email, au.ID)
		if err != nil {
			m.serverError(w, r, "emails: add", err)
			return
		}
		if other {
			m.queueAccountExists(ctx, r, email)
			done(m.auth.Translator(r).Translate(i18n.Message{ID: MsgEmailAdded, Args: map[string]any{"email": email}}))
			return
		}
		a, _, err := m.emails.Store().AddAddress(ctx, au.ID, email)
		switch {
		case err == nil && a.Verified:
			done(MsgEmailAlreadyYours)
			return
		case errors.Is(err, emails.ErrEmailTaken):
			m.queueAccountExists(ctx, r, email)
		case err != nil:
			m.serverError(w, r, "emails: add", err)
			return
		case !a.Verified && m.signup.mayMail(a.Email):
			m.queueConfirmation(ctx, r, a, au.Username)
		}
		done(m.auth.Translator(r).Translate(i18n.Message{ID: MsgEmailAdded, Args: map[string]any{"email": email}}))
		return
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	var a emails.Address
	for _, x := range as {
		if x.ID == id {
			a = x
		}
	}
	if a.ID == 0 {
		fail(http.StatusOK, MsgEmailNoSuch)
		return
	}
	switch action {
	case "resend":
		if a.Verified {
			done(MsgEmailResent)
			return
		}
		if !m.limitSend(w, r, a.Email, func(msg string) { fail(http.StatusTooManyRequests, msg) }) {
			return
		}
		if m.signup.mayMail(a.Email) {
			m.queueConfirmation(ctx, r, a, au.Username)
		}
		done(MsgEmailResent)
	case "primary":
		if a.Primary {
			done(MsgEmailPrimary)
			return
		}
		if !m.emailStepUp(w, r) {
			return
		}
		old, err := m.emails.MakePrimary(ctx, au.ID, a.ID)
		if errors.Is(err, emails.ErrUnverified) {
			fail(http.StatusOK, MsgEmailUnverified)
			return
		}
		if err != nil {
			m.serverError(w, r, "emails: make primary", err)
			return
		}
		if old.ID != 0 && !emails.SameEmail(old.Email, a.Email) {
			_, site, _ := m.mailLinks(r)
			m.queueMail(ctx, m.mailTranslator(r), "primary changed notice", au.ID, old.Email, m.templates.PrimaryChangedSubject, m.templates.PrimaryChangedBody,
				&PrimaryChangedMail{SiteName: site, Username: au.Username, OldEmail: old.Email, NewEmail: a.Email})
		}
		done(MsgEmailPrimary)
	case "remove":
		err := m.emails.Store().DeleteAddress(ctx, au.ID, a.ID)
		if errors.Is(err, emails.ErrPrimary) {
			fail(http.StatusOK, MsgEmailCantRemove)
			return
		}
		if err != nil && !errors.Is(err, emails.ErrNotFound) {
			m.serverError(w, r, "emails: remove", err)
			return
		}
		done(MsgEmailRemoved)
	default:
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
	}
}

// emailStepUp checks, with an *mfa.Flow and a positive StepUpMaxAge, that
// the session's user proved who they are recently (mfa.Flow.CheckStepUp);
// when not, the form's POST is sent (303) to the verification page, which
// returns here. It reports whether to go on.
func (m *Manager[U]) emailStepUp(w http.ResponseWriter, r *http.Request) bool {
	f := m.flowOf()
	return f == nil || f.StepUpPage(w, r, m.stepUp)
}
