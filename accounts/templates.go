package accounts

import (
	"embed"
	"html/template"
	texttemplate "text/template"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

//go:embed templates
var templateFS embed.FS

// Templates are the pages and the reset email. Replace one by setting
// Config.Templates to a value whose field holds your own template,
// executed with the data documented on the field. The pages are
// html/template, so what they print is escaped; the email is text/template,
// because it is plain text.
type Templates struct {
	// PasswordChange renders the password change form with a
	// *PasswordChangePage.
	PasswordChange *template.Template
	// PasswordChangeDone renders the page after a password change with a
	// *DonePage.
	PasswordChangeDone *template.Template
	// PasswordReset renders the form asking for an email address with a
	// *PasswordResetPage.
	PasswordReset *template.Template
	// PasswordResetDone renders the page after the form was sent, with a
	// *DonePage. It is the same whether or not a mail went out.
	PasswordResetDone *template.Template
	// PasswordResetConfirm renders the new-password form of a valid link,
	// or the "link was invalid" page, with a *SetPasswordPage.
	PasswordResetConfirm *template.Template
	// PasswordResetComplete renders the page after a reset, with a
	// *DonePage.
	PasswordResetComplete *template.Template
	// Sessions renders the list of the user's sessions with a
	// *SessionsPage.
	Sessions *template.Template
	// MFAChallenge renders the second step of a login with a
	// *MFAChallengePage; MFAVerify the verification (step-up) page with a
	// *MFAVerifyPage; MFALater the grace period's reminder with a
	// *MFALaterPage. They are mounted when auth.Config.SecondFactor is an
	// *mfa.Flow.
	MFAChallenge *template.Template
	MFAVerify    *template.Template
	MFALater     *template.Template
	// MFAOverview renders the user's second factors (the Flow's
	// EnrolURL) with a *MFAOverviewPage; MFATOTPAdd the authenticator
	// app set-up with a *MFATOTPPage; MFATOTPDevice one authenticator
	// app's page with a *MFATOTPDevicePage; MFARecovery the recovery
	// codes page with a *MFARecoveryPage.
	MFAOverview   *template.Template
	MFATOTPAdd    *template.Template
	MFATOTPDevice *template.Template
	MFARecovery   *template.Template
	// Passkeys renders the passkey management page with a
	// *PasskeysPage; it is mounted when Config.Passkeys is set.
	Passkeys *template.Template
	// Signup renders the sign-up form with a *SignupPage; VerifyEmail
	// the verification-required page and VerifyCode the code page with a
	// *VerifyPage; ConfirmEmail the page of a verification link with a
	// *ConfirmEmailPage; Emails the email management page with an
	// *EmailsPage. They are mounted with Config.Emails and a Mailer.
	Signup       *template.Template
	VerifyEmail  *template.Template
	VerifyCode   *template.Template
	ConfirmEmail *template.Template
	Emails       *template.Template
	// ConfirmEmailSubject and ConfirmEmailBody render the verification
	// mail with a *ConfirmationMail; AccountExistsSubject and
	// AccountExistsBody the mail to an address in use with an
	// *AccountExistsMail; PrimaryChangedSubject and PrimaryChangedBody the
	// notice to the old primary address with a *PrimaryChangedMail.
	ConfirmEmailSubject   *texttemplate.Template
	ConfirmEmailBody      *texttemplate.Template
	AccountExistsSubject  *texttemplate.Template
	AccountExistsBody     *texttemplate.Template
	PrimaryChangedSubject *texttemplate.Template
	PrimaryChangedBody    *texttemplate.Template
	// PasswordlessStart renders the "Email me a login link" form with a
	// *PasswordlessStartPage; PasswordlessCode the "check your email"
	// page with a *PasswordlessCodePage; PasswordlessLink the page of a
	// login link with a *PasswordlessLinkPage. They are mounted with
	// Config.Passwordless.
	PasswordlessStart *template.Template
	PasswordlessCode  *template.Template
	PasswordlessLink  *template.Template
	// ResetEmailSubject and ResetEmailBody render the reset email with a
	// *ResetEmail. Line breaks in the subject are removed, as Django does.
	ResetEmailSubject *texttemplate.Template
	ResetEmailBody    *texttemplate.Template
}

// DefaultTemplates returns the embedded pages, laid out like the login page
// (auth.Layout), and the email with Django's wording. The pages and the
// mails mark their text with package i18n's t, tn and tp; a replacement
// that uses them too is parsed with i18n.Funcs() (i18n.TextFuncs() for a
// mail).
func DefaultTemplates() *Templates { return defaultTemplates(auth.DefaultLook()) }

// defaultTemplates returns the embedded pages with the look l (an
// Auth's Look: its theme and blocks).
func defaultTemplates(l *auth.Look) *Templates {
	page := func(name string) *template.Template {
		return template.Must(l.Page(templateFS, "templates/"+name))
	}
	text := func(name string) *texttemplate.Template {
		return texttemplate.Must(texttemplate.New(name).Funcs(i18n.TextFuncs()).ParseFS(templateFS, "templates/"+name))
	}
	return &Templates{
		PasswordChange:        page("password_change.html"),
		PasswordChangeDone:    page("password_change_done.html"),
		PasswordReset:         page("password_reset.html"),
		PasswordResetDone:     page("password_reset_done.html"),
		PasswordResetConfirm:  page("password_reset_confirm.html"),
		PasswordResetComplete: page("password_reset_complete.html"),
		Sessions:              page("sessions.html"),
		MFAChallenge:          page("mfa_challenge.html"),
		MFAVerify:             page("mfa_verify.html"),
		MFALater:              page("mfa_later.html"),
		MFAOverview:           page("mfa_overview.html"),
		MFATOTPAdd:            page("mfa_totp_add.html"),
		MFATOTPDevice:         page("mfa_totp_device.html"),
		MFARecovery:           page("mfa_recovery.html"),
		Passkeys:              page("mfa_passkeys.html"),
		Signup:                page("signup.html"),
		VerifyEmail:           page("email_verify.html"),
		VerifyCode:            page("email_code.html"),
		ConfirmEmail:          page("email_confirm.html"),
		Emails:                page("email_manage.html"),
		ConfirmEmailSubject:   text("email_confirm_subject.txt"),
		ConfirmEmailBody:      text("email_confirm_body.txt"),
		AccountExistsSubject:  text("account_exists_subject.txt"),
		AccountExistsBody:     text("account_exists_body.txt"),
		PrimaryChangedSubject: text("email_primary_changed_subject.txt"),
		PrimaryChangedBody:    text("email_primary_changed_body.txt"),
		PasswordlessStart:     page("passwordless_start.html"),
		PasswordlessCode:      page("passwordless_code.html"),
		PasswordlessLink:      page("passwordless_link.html"),
		ResetEmailSubject:     text("password_reset_subject.txt"),
		ResetEmailBody:        text("password_reset_email.txt"),
	}
}

// withDefaults returns a copy of t with every nil field set to the
// default with the look l.
func (t *Templates) withDefaults(l *auth.Look) *Templates {
	def := defaultTemplates(l)
	if t == nil {
		return def
	}
	out := *t
	for _, f := range []struct {
		dst **template.Template
		def *template.Template
	}{
		{&out.PasswordChange, def.PasswordChange},
		{&out.PasswordChangeDone, def.PasswordChangeDone},
		{&out.PasswordReset, def.PasswordReset},
		{&out.PasswordResetDone, def.PasswordResetDone},
		{&out.Sessions, def.Sessions},
		{&out.PasswordResetConfirm, def.PasswordResetConfirm},
		{&out.PasswordResetComplete, def.PasswordResetComplete},
		{&out.MFAChallenge, def.MFAChallenge},
		{&out.MFAVerify, def.MFAVerify},
		{&out.MFALater, def.MFALater},
		{&out.MFAOverview, def.MFAOverview},
		{&out.MFATOTPAdd, def.MFATOTPAdd},
		{&out.MFATOTPDevice, def.MFATOTPDevice},
		{&out.MFARecovery, def.MFARecovery},
		{&out.Passkeys, def.Passkeys},
		{&out.Signup, def.Signup},
		{&out.VerifyEmail, def.VerifyEmail},
		{&out.VerifyCode, def.VerifyCode},
		{&out.ConfirmEmail, def.ConfirmEmail},
		{&out.Emails, def.Emails},
		{&out.PasswordlessStart, def.PasswordlessStart},
		{&out.PasswordlessCode, def.PasswordlessCode},
		{&out.PasswordlessLink, def.PasswordlessLink},
	} {
		if *f.dst == nil {
			*f.dst = f.def
		}
	}
	for _, f := range []struct{ dst, def **texttemplate.Template }{
		{&out.ConfirmEmailSubject, &def.ConfirmEmailSubject},
		{&out.ConfirmEmailBody, &def.ConfirmEmailBody},
		{&out.AccountExistsSubject, &def.AccountExistsSubject},
		{&out.AccountExistsBody, &def.AccountExistsBody},
		{&out.PrimaryChangedSubject, &def.PrimaryChangedSubject},
		{&out.PrimaryChangedBody, &def.PrimaryChangedBody},
	} {
		if *f.dst == nil {
			*f.dst = *f.def
		}
	}
	if out.ResetEmailSubject == nil {
		out.ResetEmailSubject = def.ResetEmailSubject
	}
	if out.ResetEmailBody == nil {
		out.ResetEmailBody = def.ResetEmailBody
	}
	return &out
}

// PasswordChangePage is the data of the password change form.
type PasswordChangePage struct {
	// Action is the URL the form posts to.
	Action string
	// Username is the user's username, for password managers.
	Username string
	// HelpTexts describe the password rules of the validators.
	HelpTexts []string
	// Errors are about the form as a whole (none by default).
	Errors []string
	// OldPasswordErrors, NewPassword1Errors and NewPassword2Errors are
	// the errors of each field. Validator failures are reported on
	// new_password2, as Django does.
	OldPasswordErrors  []string
	NewPassword1Errors []string
	NewPassword2Errors []string
	// ProfileURL is the profile page, for a link back.
	ProfileURL string
}

// HasErrors reports whether any error is shown.
func (p *PasswordChangePage) HasErrors() bool {
	return len(p.Errors)+len(p.OldPasswordErrors)+len(p.NewPassword1Errors)+len(p.NewPassword2Errors) > 0
}

// PasswordResetPage is the data of the form asking for an email address.
type PasswordResetPage struct {
	// Action is the URL the form posts to.
	Action string
	// Email is the address that was submitted, to fill the field again.
	Email string
	// EmailErrors are the errors of the email field.
	EmailErrors []string
	// LoginURL is the login page.
	LoginURL string
}

// SetPasswordPage is the data of the reset confirmation page.
type SetPasswordPage struct {
	// ValidLink is false when the link was invalid, used or expired; the
	// page then says so and shows no form.
	ValidLink bool
	// Action is the URL the form posts to (the link without the token).
	Action string
	// Username is the user's username, for password managers.
	Username string
	// HelpTexts describe the password rules of the validators.
	HelpTexts []string
	// NewPassword1Errors and NewPassword2Errors are the errors of each
	// field.
	NewPassword1Errors []string
	NewPassword2Errors []string
	// PasswordResetURL is the page to ask for a new link.
	PasswordResetURL string
}

// HasErrors reports whether any error is shown.
func (p *SetPasswordPage) HasErrors() bool {
	return len(p.NewPassword1Errors)+len(p.NewPassword2Errors) > 0
}

// DonePage is the data of the pages without a form.
type DonePage struct {
	// LoginURL is the login page.
	LoginURL string
	// HomeURL is the site's home page, "/".
	HomeURL string
}

// ResetEmail is the data of the reset email.
type ResetEmail struct {
	// SiteName names the site (Config.SiteName, or the link's host).
	SiteName string
	// Protocol is "http" or "https"; Domain is the host of the link.
	Protocol string
	Domain   string
	// UID and Token are the two parts of the link's path.
	UID   string
	Token string
	// Link is the whole reset link.
	Link string
	// Username is the user's username; Email the address written to.
	Username string
	Email    string
}
