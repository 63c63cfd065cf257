package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/validation"
)

// AuthMethod is how people identify themselves when they log in, allauth's
// ACCOUNT_AUTHENTICATION_METHOD; it decides which fields the sign-up form
// asks for and whether an email address there must not tell who has an
// account.
type AuthMethod string

// The authentication methods, allauth's values.
const (
	// AuthUsername: people log in with their username (the default).
	AuthUsername AuthMethod = "username"
	// AuthEmail: people log in with a verified email address (see
	// EmailBackend); the sign-up form asks for the email, not always a
	// username.
	AuthEmail AuthMethod = "email"
	// AuthUsernameEmail: either.
	AuthUsernameEmail AuthMethod = "username_email"
)

// Limiter scopes of the sign-up and email pages (see auth.Limiter;
// package throttle has default rules of the same names).
const (
	// LimitScopeSignup counts every sign-up attempt by client address
	// alone (the key is empty).
	LimitScopeSignup = "signup"
	// LimitScopeEmailSend counts every request that may send a
	// verification mail (a resend, an added address), keyed by the
	// case-folded address, whether or not it is known.
	LimitScopeEmailSend = "email_send"
	// LimitScopeEmailCode counts wrong verification codes, keyed by the
	// case-folded address typed, or "user:<id>" for a signed-in user who
	// typed none.
	LimitScopeEmailCode = "email_code"
)

// DefaultEmailCooldown is allauth's ACCOUNT_EMAIL_CONFIRMATION_COOLDOWN:
// the least time between two verification mails to one address.
const DefaultEmailCooldown = 3 * time.Minute

// MaxEmailAddresses is how many addresses one user may have on the email
// management page.
const MaxEmailAddresses = 20

// Messages of the sign-up form (allauth's and Django's wording).
const (
	// MsgEmailTaken is shown on the email field when the address belongs
	// to someone and the form may say so (see SignupConfig).
	MsgEmailTaken = "A user is already registered with this email address."
	// MsgSignupClosed is the page shown when sign-up is turned off.
	MsgSignupClosed = "We are sorry, but the sign up is currently closed."
)

// SignupConfig configures the sign-up page and Manager.SignUp. Its zero
// value is allauth's defaults: a username is required, an email address
// optional, people log in with the username.
type SignupConfig struct {
	// Disabled closes sign-up: the page says so (403) and SignUp returns
	// ErrSignupClosed (allauth's is_open_for_signup).
	Disabled bool
	// Method is ACCOUNT_AUTHENTICATION_METHOD; "" means AuthUsername.
	// With AuthEmail or AuthUsernameEmail the email address is required,
	// and the form never tells whether an address has an account: an
	// address in use gets the same answer as a new one, and its owner a
	// mail saying that someone tried to sign up with it (allauth's
	// ACCOUNT_PREVENT_ENUMERATION). Such a sign-up then never logs in by
	// itself: it ends on the "check your inbox" page.
	Method AuthMethod
	// NoUsername is ACCOUNT_USERNAME_REQUIRED = False: the form has no
	// username field and a username is made from the email address. It
	// needs Method AuthEmail.
	NoUsername bool
	// EmailRequired is ACCOUNT_EMAIL_REQUIRED; implied by Method
	// AuthEmail and AuthUsernameEmail.
	EmailRequired bool
	// EmailCooldown is the least time between two verification mails to
	// one address; extra requests get the usual answer and no mail. It is
	// kept in this process's memory (the Limiter's email_send scope counts
	// across processes). Zero means DefaultEmailCooldown; negative turns
	// it off.
	EmailCooldown time.Duration
	// Now is the clock of the cooldown; nil means time.Now.
	Now func() time.Time
}

// ErrSignupClosed is returned by SignUp when SignupConfig.Disabled.
var ErrSignupClosed = errors.New("accounts: sign-up is closed")

// ErrEmailInUse is returned by SignUp when the email address belongs to
// another user. The sign-up page shows it only when the method does not
// use email addresses to log in; otherwise the page hides it (see
// SignupConfig.Method) and mails the address's owner.
var ErrEmailInUse = errors.New("accounts: email address in use")

// SignupForm is what a person fills in to sign up.
type SignupForm struct {
	Username  string
	Email     string
	Password1 string
	Password2 string
}

// SignupError lists every problem of a SignupForm by field, with the
// messages to show. It wraps auth.ErrInvalid, and ErrEmailInUse when the
// email belongs to someone.
type SignupError struct {
	Username  []string
	Email     []string
	Password1 []string
	Password2 []string
	emailUsed bool
}

func (e *SignupError) Error() string {
	var all []string
	for _, f := range [][]string{e.Username, e.Email, e.Password1, e.Password2} {
		all = append(all, f...)
	}
	return "accounts: sign-up: " + strings.Join(all, " ")
}

// Is reports auth.ErrInvalid, and ErrEmailInUse when the email is taken.
func (e *SignupError) Is(target error) bool {
	return target == auth.ErrInvalid || target == ErrEmailInUse && e.emailUsed
}

func (e *SignupError) empty() bool {
	return len(e.Username)+len(e.Email)+len(e.Password1)+len(e.Password2) == 0 && !e.emailUsed
}

// signup is the state of the sign-up and email pages.
type signup struct {
	cfg      SignupConfig
	cooldown time.Duration
	mu       sync.Mutex
	lastMail map[string]time.Time // emailKey → last verification mail
}

// maxCooldownEntries bounds signup.lastMail.
const maxCooldownEntries = 10000

func newSignup(cfg SignupConfig) (*signup, error) {
	switch cfg.Method {
	case "":
		cfg.Method = AuthUsername
	case AuthUsername, AuthEmail, AuthUsernameEmail:
	default:
		return nil, fmt.Errorf("Config.Signup.Method %q is not username, email or username_email", cfg.Method)
	}
	if cfg.Method != AuthUsername {
		cfg.EmailRequired = true
	}
	if cfg.NoUsername && cfg.Method != AuthEmail {
		return nil, fmt.Errorf("Config.Signup.NoUsername needs Method %q: people must be able to log in", AuthEmail)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &signup{cfg: cfg, cooldown: cfg.EmailCooldown, lastMail: map[string]time.Time{}}
	if s.cooldown == 0 {
		s.cooldown = DefaultEmailCooldown
	}
	return s, nil
}

// emailIsIdentifier reports whether people log in with email addresses.
func (s *signup) emailIsIdentifier() bool { return s.cfg.Method != AuthUsername }

// mayMail reports whether a verification mail to email may go now, and
// when it may, records it: at most one per cooldown. When the table is
// full of fresh entries it refuses (fail closed: no mail).
func (s *signup) mayMail(email string) bool {
	if s.cooldown < 0 {
		return true
	}
	key, now := emailKey(email), s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.lastMail[key]; ok && now.Sub(last) < s.cooldown {
		return false
	}
	if len(s.lastMail) >= maxCooldownEntries {
		for k, t := range s.lastMail {
			if now.Sub(t) >= s.cooldown {
				delete(s.lastMail, k)
			}
		}
		if len(s.lastMail) >= maxCooldownEntries {
			return false
		}
	}
	s.lastMail[key] = now
	return true
}

// SignupResult is what SignUp did.
type SignupResult[U any] struct {
	// User is the new user; nil when the email belonged to someone and
	// the sign-up was hidden (SignupConfig.Method uses email addresses).
	User *U
	// Address is the new user's unverified address (zero without one).
	Address emails.Address
}

// SignUp creates a user from form, as the sign-up page does (allauth's
// SignupForm and signup view): the username (unless NoUsername) passes
// auth.UsernameValidator and is unused, compared without case; the email
// is a valid address, required as configured, and in nobody's use; the
// two passwords match and pass the validators, which see the new user's
// username and email. Every problem is returned at once as a
// *SignupError, and nothing is written then. On success the user is
// stored through the Auth's store, the address recorded unverified
// (Config.Emails) and a verification mail queued (with a link and a
// code). When the method uses email addresses to log in and the address
// is someone's, SignUp writes nothing, queues a mail to that address
// saying someone tried to sign up, and returns a result without a User
// and no error, so that a page can answer as for a new account. r, which
// may be nil, gives the links' host when Config.SiteURL is not set; no
// mail is sent without one.
func (m *Manager[U]) SignUp(ctx context.Context, r *http.Request, form SignupForm) (SignupResult[U], error) {
	var res SignupResult[U]
	if m.signup.cfg.Disabled {
		return res, ErrSignupClosed
	}
	cfg := m.signup.cfg
	fe := &SignupError{}
	username := ""
	if !cfg.NoUsername {
		username = auth.NormalizeUsername(form.Username)
		if username == "" {
			fe.Username = append(fe.Username, auth.MsgRequired)
		} else if msg := auth.InvalidTextMessage(username); msg != "" {
			fe.Username = append(fe.Username, msg)
		}
	}
	email := ""
	if strings.TrimSpace(form.Email) != "" || cfg.EmailRequired {
		var errs []string
		email, errs = cleanEmail(form.Email)
		if len(errs) == 0 {
			n, err := emails.Normalize(email)
			if err != nil {
				errs = append(errs, MsgInvalidEmail)
			} else {
				email = n
			}
		}
		fe.Email = append(fe.Email, errs...)
	}
	fe.Password1 = passwordFieldErrors(form.Password1)
	fe.Password2 = passwordFieldErrors(form.Password2)
	if fe.Password1 == nil && fe.Password2 == nil && form.Password1 != form.Password2 {
		fe.Password2 = append(fe.Password2, MsgPasswordMismatch)
	}
	taken := false
	if email != "" && len(fe.Email) == 0 {
		var err error
		if taken, err = m.emailInUse(ctx, email); err != nil {
			return res, fmt.Errorf("accounts: sign-up: %w", err)
		}
		if taken && !m.signup.emailIsIdentifier() {
			fe.Email = append(fe.Email, MsgEmailTaken)
			fe.emailUsed = true
		}
	}
	if cfg.NoUsername && email != "" {
		username = m.usernameFor(ctx, email)
	}
	u := new(U)
	au := auth.UserOf(u)
	*au = auth.NewUser(username)
	au.Email = email
	// CreateUser checks the username and the password (for a user with
	// these attributes); it writes nothing when anything is wrong.
	if !fe.empty() || taken {
		if fe.Password1 == nil && fe.Password2 == nil {
			if err := m.ValidatePassword(form.Password2, u); err != nil {
				var ve validation.Errors
				if !errors.As(err, &ve) {
					return res, fmt.Errorf("accounts: sign-up: %w", err)
				}
				fe.Password2 = append(fe.Password2, ve.Translate(m.auth.Translator(r))...)
			}
		}
		if fe.Username == nil && !cfg.NoUsername {
			if err := m.usernameTaken(ctx, username); err != nil {
				var ve *auth.ValidationError
				if !errors.As(err, &ve) {
					return res, fmt.Errorf("accounts: sign-up: %w", err)
				}
				fe.Username = append(fe.Username, ve.Message)
			}
		}
		if !fe.empty() {
			return res, fe
		}
		// The address is someone's and the form must not say so: the
		// same cost as a new account (a hash), then a mail to the owner.
		if _, err := m.auth.Hashers().Make(ctx, form.Password1); err != nil {
			return res, fmt.Errorf("accounts: sign-up: %w", err)
		}
		m.queueAccountExists(ctx, r, email)
		return res, nil
	}
	if err := m.CreateUser(ctx, u, form.Password1); err != nil {
		if !errors.Is(err, auth.ErrInvalid) {
			return res, fmt.Errorf("accounts: sign-up: %w", err)
		}
		var ve *auth.ValidationError
		var pe validation.Errors
		if errors.As(err, &ve) {
			fe.Username = append(fe.Username, ve.Message)
		}
		if errors.As(err, &pe) {
			fe.Password2 = append(fe.Password2, pe.Translate(m.auth.Translator(r))...)
		}
		if fe.empty() {
			fe.Password2 = append(fe.Password2, err.Error())
		}
		return res, fe
	}
	res.User = u
	if email == "" || m.emails == nil {
		return res, nil
	}
	a, _, err := m.emails.Store().AddAddress(ctx, au.ID, email)
	if err != nil {
		// Another sign-up took the address since the check: undo the user.
		if d, ok := m.auth.Store().(userDeleter); ok {
			if derr := d.DeleteUser(context.WithoutCancel(ctx), au.ID); derr != nil {
				m.log.ErrorContext(ctx, "accounts: sign-up: remove the user whose address failed", "user_id", au.ID, "error", derr)
			}
		}
		if errors.Is(err, emails.ErrEmailTaken) {
			if m.signup.emailIsIdentifier() {
				m.queueAccountExists(ctx, r, email)
				return SignupResult[U]{}, nil
			}
			return SignupResult[U]{}, &SignupError{Email: []string{MsgEmailTaken}, emailUsed: true}
		}
		return SignupResult[U]{}, fmt.Errorf("accounts: sign-up: record the address: %w", err)
	}
	res.Address = a
	m.signup.mayMail(a.Email) // the first mail starts the cooldown
	m.queueConfirmation(ctx, r, a, au.Username)
	return res, nil
}

// userDeleter undoes a sign-up whose address could not be recorded.
type userDeleter interface {
	DeleteUser(ctx context.Context, id int64) error
}

// usernameTaken is CreateUser's username check alone: nil when username
// passes auth.UsernameValidator and is unused; otherwise a
// *auth.ValidationError, or the store's error.
func (m *Manager[U]) usernameTaken(ctx context.Context, username string) error {
	if err := (auth.UsernameValidator{}).Validate(username); err != nil {
		return err
	}
	creator, ok := m.auth.Store().(userCreator[U])
	if !ok {
		return fmt.Errorf("the store %T cannot create users", m.auth.Store())
	}
	_, err := creator.GetUserByUsernameFold(ctx, username)
	switch {
	case err == nil, errors.Is(err, auth.ErrMultipleUsers):
		return &auth.ValidationError{Field: "Username", Code: "unique", Message: "A user with that username already exists."}
	case errors.Is(err, auth.ErrUserNotFound):
		return nil
	}
	return err
}

// emailInUse reports whether email is an address of anyone, verified or
// not (account_emailaddress), or the email column of a user (Django's
// users who have no address rows yet), as allauth's
// filter_users_by_email.
func (m *Manager[U]) emailInUse(ctx context.Context, email string) (bool, error) {
	if m.emails != nil {
		found, err := m.emails.Store().FindAddresses(ctx, email)
		if err != nil {
			return false, err
		}
		if len(found) > 0 {
			return true, nil
		}
	}
	lister, ok := m.auth.Store().(userLister[U])
	if !ok {
		return false, nil
	}
	us, err := lister.ListUsers(ctx, auth.UserQuery{Email: email, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(us) > 0, nil
}

// emailOfAnother reports whether a user other than userID has email in
// the user table's email column (compared as EmailsMatch does): a
// Django user whose address was never copied into account_emailaddress
// still owns it, and nobody else may add it, or be mailed its
// verification links.
func (m *Manager[U]) emailOfAnother(ctx context.Context, email string, userID int64) (bool, error) {
	lister, ok := m.auth.Store().(userLister[U])
	if !ok {
		return false, nil
	}
	for offset := 0; ; {
		us, err := lister.ListUsers(ctx, auth.UserQuery{Email: email, Offset: offset, Limit: auth.MaxUserListLimit})
		if err != nil {
			return false, err
		}
		for _, u := range us {
			au := auth.UserOf(u)
			if au.ID != userID && EmailsMatch(email, au.Email) {
				return true, nil
			}
		}
		if len(us) < auth.MaxUserListLimit {
			return false, nil
		}
		offset += len(us)
	}
}

// usernameFor makes a username from email for SignupConfig.NoUsername:
// the local part's characters that a username may hold, then a random
// suffix until one is free (allauth's generate_unique_username).
func (m *Manager[U]) usernameFor(ctx context.Context, email string) string {
	local := email[:strings.LastIndexByte(email, '@')]
	var b strings.Builder
	for _, r := range local {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@.+-_", r)) {
			b.WriteRune(r)
		}
	}
	base := b.String()
	if len(base) > 120 {
		base = base[:120]
	}
	if base == "" {
		base = "user"
	}
	name := base
	for range 5 {
		if m.usernameTaken(ctx, name) == nil {
			return name
		}
		var rnd [4]byte
		_, _ = rand.Read(rnd[:])
		name = base + hex.EncodeToString(rnd[:])
	}
	return name
}

// SignupPage is the data of the sign-up form.
type SignupPage struct {
	// Action is the URL the form posts to.
	Action string
	// Closed is true when sign-up is turned off: the page says so.
	Closed bool
	// AskUsername and AskEmail tell which fields the form has;
	// EmailRequired whether the email must be given.
	AskUsername   bool
	AskEmail      bool
	EmailRequired bool
	// Username and Email fill the fields again.
	Username string
	Email    string
	// HelpTexts describe the password rules of the validators.
	HelpTexts []string
	// Errors are about the form as a whole (the throttle's message).
	Errors []string
	// UsernameErrors, EmailErrors, Password1Errors and Password2Errors
	// are each field's errors.
	UsernameErrors  []string
	EmailErrors     []string
	Password1Errors []string
	Password2Errors []string
	// LoginURL is the login page.
	LoginURL string
}

// HasErrors reports whether any error is shown.
func (p *SignupPage) HasErrors() bool {
	return len(p.Errors)+len(p.UsernameErrors)+len(p.EmailErrors)+len(p.Password1Errors)+len(p.Password2Errors) > 0
}

// sessionKeyVerifyEmail keeps the address that the last sign-up or
// resend of this session mailed, to fill the code page's field.
const sessionKeyVerifyEmail = "_accounts_verify_email"

// serveSignup is allauth's SignupView: GET shows the form, POST signs up
// (Manager.SignUp) and then logs the new user in, or, when a LoginGate
// refuses (mandatory verification) or email addresses are identifiers,
// goes to the page that asks to verify the address. A logged-in user is
// sent to the login redirect URL. Every POST counts against the client
// address (LimitScopeSignup).
func (m *Manager[U]) serveSignup(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	cfg := m.signup.cfg
	page := &SignupPage{
		Action: r.URL.EscapedPath(), AskUsername: !cfg.NoUsername, AskEmail: true,
		EmailRequired: cfg.EmailRequired, HelpTexts: m.helpTexts(r),
		LoginURL: m.auth.LoginURL(),
	}
	if cfg.Disabled {
		page.Closed = true
		m.render(w, r, http.StatusForbidden, m.templates.Signup, page)
		return
	}
	if m.auth.UserFromContext(r.Context()).IsAuthenticated() {
		http.Redirect(w, r, m.auth.LoginRedirectURL(), http.StatusFound)
		return
	}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.Signup, page)
		return
	}
	page.Username, page.Email = r.PostForm.Get("username"), r.PostForm.Get("email")
	if !m.limitCheck(w, r, LimitScopeSignup, "", func(msg string) {
		page.Errors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.Signup, page)
	}) {
		return
	}
	if err := m.limitRecord(r, LimitScopeSignup, "", false); err != nil {
		m.serverError(w, r, "sign-up: limiter", err)
		return
	}
	res, err := m.SignUp(r.Context(), r, SignupForm{
		Username: page.Username, Email: page.Email,
		Password1: r.PostForm.Get("password1"), Password2: r.PostForm.Get("password2"),
	})
	var fe *SignupError
	if errors.As(err, &fe) {
		page.UsernameErrors, page.EmailErrors = fe.Username, fe.Email
		page.Password1Errors, page.Password2Errors = fe.Password1, fe.Password2
		m.render(w, r, http.StatusOK, m.templates.Signup, page)
		return
	}
	if err != nil {
		m.serverError(w, r, "sign-up", err)
		return
	}
	verify := p.verificationRequired()
	if res.User == nil || m.signup.emailIsIdentifier() {
		// A new account and an address in use end alike.
		m.auth.Sessions().Put(r.Context(), sessionKeyVerifyEmail, strings.TrimSpace(page.Email))
		http.Redirect(w, r, verify, http.StatusFound)
		return
	}
	if res.Address.ID != 0 {
		m.auth.Sessions().Put(r.Context(), sessionKeyVerifyEmail, res.Address.Email)
	}
	err = m.auth.Login(r, res.User, m.auth.Backends()[0].Name())
	var refused *auth.LoginRefusedError
	switch {
	case errors.As(err, &refused):
		http.Redirect(w, r, verify, http.StatusFound)
	case errors.Is(err, auth.ErrSecondFactorRequired):
		http.Redirect(w, r, m.auth.SecondFactor().ChallengeURL(), http.StatusFound)
	case err != nil:
		m.serverError(w, r, "sign-up: login", err)
	default:
		http.Redirect(w, r, m.auth.LoginRedirectURL(), http.StatusFound)
	}
}

// flowOf returns the Auth's *mfa.Flow, or nil.
func (m *Manager[U]) flowOf() *mfa.Flow[U] {
	f, _ := m.auth.SecondFactor().(*mfa.Flow[U])
	return f
}
