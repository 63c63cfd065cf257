package social

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/i18n"
)

// Config configures New. The zero value of every optional field is
// usable.
type Config[U any] struct {
	// Store holds the social accounts (required).
	Store Store
	// Providers are the providers people can log in with; their IDs
	// must differ. ProvidersFromApps builds them from allauth's
	// socialaccount_socialapp rows.
	Providers []Provider
	// BaseURL is the site's external origin ("https://example.com"),
	// from which the callback URL registered at each provider is built:
	// BaseURL + Prefix + "{provider}/callback/" (required).
	BaseURL string
	// Prefix is where Handler's pages live; "" is "/accounts/social/".
	Prefix string
	// SignUp lets an identity that matches no account create one (when
	// its email, if any, belongs to no account).
	SignUp bool
	// StoreTokens keeps each login's tokens in socialaccount_socialtoken
	// (allauth's SOCIALACCOUNT_STORE_TOKENS); EncryptTokens encrypts
	// them there with a TokenCipher from the Auth's SecretKey, which
	// Django cannot read.
	StoreTokens   bool
	EncryptTokens bool
	// NewUser makes the user a sign-up creates from the auth.User the
	// flow filled in; nil works when U is auth.User.
	NewUser func(u auth.User) *U
	// Emails, when set, is the store of the users' addresses (allauth's
	// account_emailaddress, package emails): an identity's email then
	// matches an account by any of its addresses too, and a sign-up
	// with a verified email records it there as verified and primary, as
	// allauth does, so that emails.Gate lets the new user in.
	Emails emails.Store
	// UsersByEmail returns the users that own email (any case); nil
	// matches auth_user.email through the store's ListUsers, and the
	// addresses of Emails when it is set.
	UsersByEmail func(ctx context.Context, email string) ([]*U, error)
	// Backend is the name of the auth backend that social logins are
	// recorded with; "" is BackendName. The Auth must be configured
	// with a backend of that name (NewBackend).
	Backend string
	// StateTTL is how long a started login may take; 0 is 10 minutes.
	// LinkTTL is how long a pending link waits for its login; 0 is 15
	// minutes.
	StateTTL time.Duration
	LinkTTL  time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// StepUpMaxAge applies when auth.Config.SecondFactor is an
	// *mfa.Flow: removing an identity then needs a verification of the
	// session's user within this time (mfa.Flow.CheckStepUp), a second
	// factor for a user who has one. Zero is DefaultStepUpMaxAge; a
	// negative value turns the step-up off.
	StepUpMaxAge time.Duration
	// Templates replaces pages; nil fields keep the defaults.
	Templates *Templates
}

// Social serves the social login pages of an Auth. Build it with New.
type Social[U any] struct {
	a         *auth.Auth[U]
	cfg       Config[U]
	prefix    string
	providers map[string]Provider
	order     []Provider
	cipher    *TokenCipher
	tmpl      *Templates
	pages     *i18n.Pages // tmpl localized per language
	now       func() time.Time
	logger    *slog.Logger
	changed   auth.Signal[IdentityChange]
	removeMu  sync.Mutex
}

// New checks cfg and returns the social login of a.
func New[U any](a *auth.Auth[U], cfg Config[U]) (*Social[U], error) {
	if a == nil || cfg.Store == nil {
		return nil, errors.New("social: New: an Auth and a Store are required")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || (base.Path != "" && base.Path != "/") {
		return nil, fmt.Errorf("social: New: BaseURL %q must be an origin such as https://example.com", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Social[U]{a: a, cfg: cfg, prefix: cfg.Prefix, providers: map[string]Provider{},
		now: cfg.Now, logger: a.Logger()}
	if s.prefix == "" {
		s.prefix = "/accounts/social/"
	}
	if !strings.HasPrefix(s.prefix, "/") || !strings.HasSuffix(s.prefix, "/") {
		return nil, fmt.Errorf("social: New: Prefix %q must start and end with /", s.prefix)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.Backend == "" {
		s.cfg.Backend = BackendName
	}
	if a.Backend(s.cfg.Backend) == nil {
		return nil, fmt.Errorf("social: New: the Auth has no backend %q; add social.NewBackend to auth.Config.Backends", s.cfg.Backend)
	}
	if s.cfg.StateTTL <= 0 {
		s.cfg.StateTTL = 10 * time.Minute
	}
	if s.cfg.StepUpMaxAge == 0 {
		s.cfg.StepUpMaxAge = DefaultStepUpMaxAge
	}
	if s.cfg.LinkTTL <= 0 {
		s.cfg.LinkTTL = 15 * time.Minute
	}
	if s.cfg.NewUser == nil {
		if _, ok := any(new(U)).(*auth.User); !ok {
			return nil, fmt.Errorf("social: New: Config.NewUser is required for the user type %T", new(U))
		}
		s.cfg.NewUser = func(u auth.User) *U { return any(&u).(*U) }
	}
	for _, p := range cfg.Providers {
		if p == nil {
			return nil, errors.New("social: New: nil provider")
		}
		if err := checkProviderID(p.ID()); err != nil {
			return nil, fmt.Errorf("social: New: %w", err)
		}
		if _, dup := s.providers[p.ID()]; dup {
			return nil, fmt.Errorf("social: New: two providers have the id %q", p.ID())
		}
		s.providers[p.ID()] = p
		s.order = append(s.order, p)
	}
	if cfg.EncryptTokens {
		if s.cipher, err = NewTokenCipher(a.SecretKey()); err != nil {
			return nil, err
		}
	}
	s.tmpl = cfg.Templates.withDefaults(a.Look())
	t := s.tmpl
	if s.pages, err = a.I18n().LocalizePages(t.Start, t.Message, t.LinkRequired, t.Link, t.Identities); err != nil {
		return nil, fmt.Errorf("social: Config.Templates: %w", err)
	}
	return s, nil
}

// Cipher returns the TokenCipher of stored tokens, or nil when
// Config.EncryptTokens is off.
func (s *Social[U]) Cipher() *TokenCipher { return s.cipher }

// Button is one "Log in with ..." entry for a login page: a form that
// POSTs to URL (with "next" in a hidden field) starts the login. It is
// the root package's LoginButton, so that Buttons goes straight into
// auth.RouteLinks.SocialLogins (or accounts.Config.SocialLogins).
type Button = auth.LoginButton

// Buttons lists the providers in Config order, for the login page.
func (s *Social[U]) Buttons() []Button {
	out := make([]Button, 0, len(s.order))
	for _, p := range s.order {
		out = append(out, Button{Provider: p.ID(), Name: p.Name(), URL: s.LoginURL(p.ID())})
	}
	return out
}

// LoginURL is the page that starts a login with the provider.
func (s *Social[U]) LoginURL(provider string) string { return s.prefix + provider + "/login/" }

// CallbackURL is the absolute callback URL to register at the provider.
func (s *Social[U]) CallbackURL(provider string) string {
	return s.cfg.BaseURL + s.prefix + provider + "/callback/"
}

// LinkURL is the page that confirms a pending link after login.
func (s *Social[U]) LinkURL() string { return s.prefix + "link/" }

// Handler serves the pages under Config.Prefix:
//
//	{provider}/login/     GET: a page with a button; POST: starts the login
//	{provider}/callback/  where the provider sends the browser back
//	link/                 GET: confirm a pending link; POST: link it
//	identities/           the user's linked identities: connect, remove
//
// Every page is wrapped in the Auth's Protect (session, CSRF protection of
// POSTs, no caching, no framing) and marked auth.LoginNotRequired.
func (s *Social[U]) Handler() http.Handler {
	mux := http.NewServeMux()
	// While the session is an impersonation, no identity may be linked
	// to or removed from the target (RefuseWhileImpersonating refuses
	// the POSTs that start a login or connect, link or remove).
	refuse := func(h http.HandlerFunc) http.Handler { return s.a.RefuseWhileImpersonating(h) }
	mux.Handle(s.prefix+"{provider}/login/{$}", refuse(s.serveLogin))
	mux.HandleFunc("GET "+s.prefix+"{provider}/callback/{$}", s.serveCallback)
	mux.Handle(s.prefix+"link/{$}", refuse(s.serveLink))
	mux.Handle(s.prefix+"identities/{$}", refuse(s.serveIdentities))
	return auth.LoginNotRequired(s.a.Protect(mux))
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Social[U]) provider(w http.ResponseWriter, r *http.Request) Provider {
	p := s.providers[r.PathValue("provider")]
	if p == nil {
		s.fail(w, r, http.StatusNotFound, "Unknown provider", i18n.Message{ID: "There is no login with this provider here."})
	}
	return p
}

// serveLogin: GET shows a button (allauth's SOCIALACCOUNT_LOGIN_ON_GET =
// False: a link alone must not start a login), POST starts it.
func (s *Social[U]) serveLogin(w http.ResponseWriter, r *http.Request) {
	p := s.provider(w, r)
	if p == nil {
		return
	}
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, s.tmpl.Start, &StartPage{Provider: p.Name(), Action: s.LoginURL(p.ID()),
			RedirectFieldName: auth.RedirectFieldName, Next: s.a.RedirectTarget(r)})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "Login failed", i18n.Message{ID: "The form could not be read."})
		return
	}
	ctx := r.Context()
	st := loginState{Provider: p.ID(), State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Next: s.a.RedirectTarget(r), Started: s.now().Unix()}
	if r.PostForm.Get("process") == "connect" {
		u := s.a.UserFromContext(ctx)
		if u == nil || !u.IsAuthenticated() {
			auth.Redirect(w, r, s.a.LoginURL()+"?"+url.Values{auth.RedirectFieldName: {s.LoginURL(p.ID())}}.Encode(), http.StatusFound)
			return
		}
		// Linking an identity adds a way in that outlives a password
		// change: as removing one, it needs a recent verification.
		if !s.stepUp(w, r) {
			return
		}
		st.ConnectUser = u.ID()
	}
	target, err := p.AuthCodeURL(ctx, s.authorization(p, st))
	if err != nil {
		s.logger.WarnContext(ctx, "social: cannot start a login", "provider", p.ID(), "err", err)
		s.fail(w, r, http.StatusBadGateway, "Login failed", i18n.Message{ID: "%(provider)s cannot be reached. Try again later.", Args: map[string]any{"provider": p.Name()}})
		return
	}
	s.a.Sessions().Put(ctx, SessionKeyLogin, st.encode())
	http.Redirect(w, r, target, http.StatusFound)
}

func (s *Social[U]) authorization(p Provider, st loginState) Authorization {
	return Authorization{RedirectURL: s.CallbackURL(p.ID()), State: st.State, Nonce: st.Nonce, Verifier: st.Verifier}
}

// serveCallback finishes a login.
func (s *Social[U]) serveCallback(w http.ResponseWriter, r *http.Request) {
	p := s.provider(w, r)
	if p == nil {
		return
	}
	ctx := r.Context()
	// The login state serves once: taken out before anything else.
	raw := s.a.Sessions().PopString(ctx, SessionKeyLogin)
	q := r.URL.Query()
	st, err := decodeLogin(raw)
	if err != nil || st.Provider != p.ID() || !fresh(st.Started, s.now(), s.cfg.StateTTL) ||
		subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		s.logger.InfoContext(ctx, "social: callback without a matching login", "provider", p.ID())
		s.fail(w, r, http.StatusBadRequest, "Login failed",
			i18n.Message{ID: "This login was not started here, has expired or was already used. Start again."})
		return
	}
	if e := q.Get("error"); e != "" {
		msg := i18n.Message{ID: "The login at %(provider)s did not finish.", Args: map[string]any{"provider": p.Name()}}
		if e == "access_denied" {
			msg = i18n.Message{ID: "You did not allow the login at %(provider)s.", Args: map[string]any{"provider": p.Name()}}
		}
		s.fail(w, r, http.StatusOK, "Login cancelled", msg)
		return
	}
	code := q.Get("code")
	if code == "" {
		s.fail(w, r, http.StatusBadRequest, "Login failed", i18n.Message{ID: "The provider sent no authorization code."})
		return
	}
	id, err := p.Exchange(ctx, s.authorization(p, st), code)
	if err != nil {
		s.logger.WarnContext(ctx, "social: provider answer refused", "provider", p.ID(), "err", err)
		s.fail(w, r, http.StatusBadRequest, "Login failed", i18n.Message{ID: "The answer of %(provider)s could not be verified.", Args: map[string]any{"provider": p.Name()}})
		return
	}
	id.Provider = p.ID()
	s.finish(w, r, p, st, id)
}

// finish acts on a verified identity.
func (s *Social[U]) finish(w http.ResponseWriter, r *http.Request, p Provider, st loginState, id *Identity) {
	ctx := r.Context()
	extra, err := json.Marshal(id.ExtraData)
	if err != nil || ValidateExtraData(extra) != nil {
		extra = []byte("{}")
	}
	acct, err := s.cfg.Store.GetAccount(ctx, id.Provider, id.UID)
	switch {
	case err == nil:
		if st.ConnectUser != 0 && acct.UserID != st.ConnectUser {
			s.fail(w, r, http.StatusConflict, "Not linked", i18n.Message{ID: "This %(provider)s identity is linked to another account.", Args: map[string]any{"provider": p.Name()}})
			return
		}
		if err := s.cfg.Store.TouchAccount(ctx, acct.ID, extra, s.now()); err != nil {
			s.storeDown(w, r, err)
			return
		}
		s.saveToken(ctx, p, acct.ID, id.Token)
		if st.ConnectUser != 0 {
			s.done(w, r, "Already linked", i18n.Message{ID: "This %(provider)s identity was already linked to your account.", Args: map[string]any{"provider": p.Name()}}, st.Next)
			return
		}
		s.loginUser(w, r, acct.UserID, st.Next)
		return
	case !errors.Is(err, ErrAccountNotFound):
		s.storeDown(w, r, err)
		return
	}
	if st.ConnectUser != 0 {
		s.connect(w, r, p, st, id, extra)
		return
	}
	var owners []*U
	if id.Email != "" {
		if owners, err = s.usersByEmail(ctx, id.Email); err != nil {
			s.storeDown(w, r, err)
			return
		}
	}
	if len(owners) > 0 {
		if !id.EmailVerified {
			s.fail(w, r, http.StatusConflict, "Log in to link",
				i18n.Message{ID: "An account already uses the email address of this %(provider)s identity, which %(provider)s does not vouch for. Log in to your account first, then link %(provider)s from there.", Args: map[string]any{"provider": p.Name()}})
			return
		}
		s.offerLink(w, r, p, st, id, owners)
		return
	}
	if !s.cfg.SignUp {
		s.fail(w, r, http.StatusForbidden, "No account", i18n.Message{ID: "No account is linked to this %(provider)s identity, and sign-up is closed.", Args: map[string]any{"provider": p.Name()}})
		return
	}
	s.signUp(w, r, p, st, id, extra)
}

// connect links the identity to the logged-in user who asked for it.
func (s *Social[U]) connect(w http.ResponseWriter, r *http.Request, p Provider, st loginState, id *Identity, extra []byte) {
	ctx := r.Context()
	u := s.a.UserFromContext(ctx)
	if u == nil || !u.IsAuthenticated() || u.ID() != st.ConnectUser {
		s.fail(w, r, http.StatusForbidden, "Not linked", i18n.Message{ID: "You are no longer logged in as the account that asked for the link."})
		return
	}
	acct, err := s.cfg.Store.CreateAccount(ctx, Account{UserID: st.ConnectUser, Provider: id.Provider, UID: id.UID, ExtraData: extra})
	if err != nil {
		if errors.Is(err, ErrDuplicateAccount) {
			s.fail(w, r, http.StatusConflict, "Not linked", i18n.Message{ID: "This %(provider)s identity is linked to another account.", Args: map[string]any{"provider": p.Name()}})
			return
		}
		s.storeDown(w, r, err)
		return
	}
	s.linked(r, acct)
	s.saveToken(ctx, p, acct.ID, id.Token)
	s.done(w, r, "Linked", i18n.Message{ID: "You can now log in with %(provider)s.", Args: map[string]any{"provider": p.Name()}}, st.Next)
}

// offerLink keeps the identity in the session and sends the person to
// log in to the account that owns the email: never a silent link.
func (s *Social[U]) offerLink(w http.ResponseWriter, r *http.Request, p Provider, st loginState, id *Identity, owners []*U) {
	ctx := r.Context()
	pl := pendingLink{Provider: id.Provider, UID: id.UID, Email: id.Email, ExtraData: id.ExtraData,
		Next: st.Next, Created: s.now().Unix()}
	for _, o := range owners {
		pl.Users = append(pl.Users, auth.UserOf(o).ID)
	}
	v, err := pl.encode()
	if err != nil {
		pl.ExtraData = nil
		if v, err = pl.encode(); err != nil {
			s.storeDown(w, r, err)
			return
		}
	}
	s.a.Sessions().Put(ctx, SessionKeyPendingLink, v)
	login := s.a.LoginURL() + "?" + url.Values{auth.RedirectFieldName: {s.LinkURL()}}.Encode()
	s.render(w, r, http.StatusOK, s.tmpl.LinkRequired, &LinkRequiredPage{Provider: p.Name(), Email: id.Email, LoginURL: login})
}

// serveLink confirms a pending link for the logged-in user.
func (s *Social[U]) serveLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := s.a.Sessions()
	pl, err := decodePending(sess.GetString(ctx, SessionKeyPendingLink))
	if err != nil || !fresh(pl.Created, s.now(), s.cfg.LinkTTL) {
		sess.Remove(ctx, SessionKeyPendingLink)
		s.fail(w, r, http.StatusNotFound, "Nothing to link", i18n.Message{ID: "There is no identity waiting to be linked, or it waited too long. Log in with the provider again."})
		return
	}
	name := pl.Provider
	if p := s.providers[pl.Provider]; p != nil {
		name = p.Name()
	}
	u := s.a.UserFromContext(ctx)
	if u == nil || !u.IsAuthenticated() {
		auth.Redirect(w, r, s.a.LoginURL()+"?"+url.Values{auth.RedirectFieldName: {s.LinkURL()}}.Encode(), http.StatusFound)
		return
	}
	user := u.AuthUser()
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, s.tmpl.Link, &LinkPage{Provider: name, Email: pl.Email, Username: user.Username, Action: s.LinkURL()})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "Not linked", i18n.Message{ID: "The form could not be read."})
		return
	}
	sess.Remove(ctx, SessionKeyPendingLink)
	if !slices.Contains(pl.Users, user.ID) {
		// The login proved control of another account than the one
		// whose address the provider vouched for.
		s.fail(w, r, http.StatusForbidden, "Not linked", i18n.Message{ID: "You are logged in to another account than the one that uses %(email)s. The %(provider)s identity was not linked; log in with %(provider)s again to start over.", Args: map[string]any{"email": pl.Email, "provider": name}})
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		s.done(w, r, "Not linked", i18n.Message{ID: "The %(provider)s identity was not linked.", Args: map[string]any{"provider": name}}, pl.Next)
		return
	}
	extra, err := json.Marshal(pl.ExtraData)
	if err != nil || pl.ExtraData == nil {
		extra = []byte("{}")
	}
	acct, err := s.cfg.Store.CreateAccount(ctx, Account{UserID: user.ID, Provider: pl.Provider, UID: pl.UID, ExtraData: extra})
	if err != nil {
		if errors.Is(err, ErrDuplicateAccount) {
			s.fail(w, r, http.StatusConflict, "Not linked", i18n.Message{ID: "This identity is already linked to an account."})
			return
		}
		s.storeDown(w, r, err)
		return
	}
	s.linked(r, acct)
	s.done(w, r, "Linked", i18n.Message{ID: "You can now log in with %(provider)s.", Args: map[string]any{"provider": name}}, pl.Next)
}

// signUp creates a user for the identity and logs it in.
func (s *Social[U]) signUp(w http.ResponseWriter, r *http.Request, p Provider, st loginState, id *Identity, extra []byte) {
	ctx := r.Context()
	creator, ok := s.a.Store().(interface {
		CreateUser(ctx context.Context, u *U) error
		GetUserByUsernameFold(ctx context.Context, username string) (*U, error)
	})
	if !ok {
		s.storeDown(w, r, fmt.Errorf("social: the store %T cannot create users", s.a.Store()))
		return
	}
	var created *U
	for attempt := 0; attempt < 8 && created == nil; attempt++ {
		name, err := s.freeUsername(ctx, creator.GetUserByUsernameFold, id, attempt)
		if err != nil {
			s.storeDown(w, r, err)
			return
		}
		au := auth.NewUser(name)
		au.Password = s.a.Hashers().MakeUnusable()
		au.FirstName, au.LastName = truncate(id.FirstName, 150), truncate(id.LastName, 150)
		if id.EmailVerified && len(id.Email) <= auth.MaxEmailLength {
			au.Email = id.Email
		}
		u := s.cfg.NewUser(au)
		switch err := creator.CreateUser(ctx, u); {
		case err == nil:
			created = u
		case errors.Is(err, auth.ErrDuplicateUsername):
		default:
			s.storeDown(w, r, err)
			return
		}
	}
	if created == nil {
		s.storeDown(w, r, errors.New("social: no free username"))
		return
	}
	uid := auth.UserOf(created).ID
	acct, err := s.cfg.Store.CreateAccount(ctx, Account{UserID: uid, Provider: id.Provider, UID: id.UID, ExtraData: extra})
	if err != nil {
		// A concurrent login of the same identity won: undo this user.
		if d, ok := s.a.Store().(interface {
			DeleteUser(ctx context.Context, id int64) error
		}); ok {
			_ = d.DeleteUser(ctx, uid)
		}
		if errors.Is(err, ErrDuplicateAccount) {
			s.fail(w, r, http.StatusConflict, "Login failed", i18n.Message{ID: "This identity was linked at the same moment. Log in again."})
			return
		}
		s.storeDown(w, r, err)
		return
	}
	s.linked(r, acct)
	if id.EmailVerified && auth.UserOf(created).Email != "" {
		if err := s.recordEmail(ctx, uid, auth.UserOf(created).Email); err != nil {
			// The account works; only the address record is missing.
			s.logger.ErrorContext(ctx, "social: sign-up email not recorded", "err", err)
		}
	}
	s.saveToken(ctx, p, acct.ID, id.Token)
	s.loginUser(w, r, uid, st.Next)
}

// loginUser logs the linked user in through Auth.Login, so that the
// second factor and the signals apply as to any login.
func (s *Social[U]) loginUser(w http.ResponseWriter, r *http.Request, userID int64, next string) {
	ctx := r.Context()
	b := s.a.Backend(s.cfg.Backend)
	user, err := b.GetUser(ctx, userID)
	if err != nil {
		if errors.Is(err, auth.ErrUserNotFound) {
			s.fail(w, r, http.StatusForbidden, "Login refused", i18n.Message{ID: auth.MsgInactive})
			return
		}
		s.storeDown(w, r, err)
		return
	}
	if next == "" {
		next = s.a.LoginRedirectURL()
	}
	switch err := s.a.Login(r, user, s.cfg.Backend); {
	case err == nil:
		auth.Redirect(w, r, next, http.StatusFound)
	case errors.Is(err, auth.ErrSecondFactorRequired):
		auth.Redirect(w, r, s.a.SecondFactor().ChallengeURL()+"?"+url.Values{auth.RedirectFieldName: {next}}.Encode(), http.StatusFound)
	case errors.Is(err, auth.ErrLoginRefused):
		// Config.LoginGate (such as emails.Gate) said no.
		var lr *auth.LoginRefusedError
		if errors.As(err, &lr) && lr.URL != "" {
			auth.Redirect(w, r, lr.URL, http.StatusFound)
			return
		}
		reason := i18n.Message{ID: "This account may not log in now."}
		if lr != nil && lr.Reason != "" {
			reason = i18n.Message{ID: lr.Reason}
		}
		s.fail(w, r, http.StatusForbidden, "Login refused", reason)
	default:
		s.storeDown(w, r, err)
	}
}

func (s *Social[U]) usersByEmail(ctx context.Context, email string) ([]*U, error) {
	if s.cfg.UsersByEmail != nil {
		return s.cfg.UsersByEmail(ctx, email)
	}
	lister, ok := s.a.Store().(interface {
		ListUsers(ctx context.Context, q auth.UserQuery) ([]*U, error)
	})
	if !ok {
		return nil, fmt.Errorf("social: the store %T cannot list users by email; set Config.UsersByEmail", s.a.Store())
	}
	if len(email) > auth.MaxEmailLength {
		return nil, nil
	}
	users, err := lister.ListUsers(ctx, auth.UserQuery{Email: email, Limit: 10})
	if err != nil || s.cfg.Emails == nil {
		return users, err
	}
	addrs, err := s.cfg.Emails.FindAddresses(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("social: find email addresses: %w", err)
	}
	for _, ad := range addrs {
		if slices.ContainsFunc(users, func(u *U) bool { return auth.UserOf(u).ID == ad.UserID }) {
			continue
		}
		u, err := s.a.Store().GetUser(ctx, ad.UserID)
		if errors.Is(err, auth.ErrUserNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

// recordEmail adds the verified email of a new user to Config.Emails,
// verified, which makes it primary.
func (s *Social[U]) recordEmail(ctx context.Context, userID int64, email string) error {
	if s.cfg.Emails == nil || email == "" {
		return nil
	}
	ad, _, err := s.cfg.Emails.AddAddress(ctx, userID, email)
	if err != nil {
		return fmt.Errorf("social: record email: %w", err)
	}
	if _, err := s.cfg.Emails.VerifyAddress(ctx, ad.ID); err != nil {
		return fmt.Errorf("social: verify email: %w", err)
	}
	return nil
}

// saveToken stores the login's token when the Config asks for it. A
// failure is logged: the login goes on without it.
func (s *Social[U]) saveToken(ctx context.Context, p Provider, accountID int64, tok *oauth2.Token) {
	if !s.cfg.StoreTokens || tok == nil || tok.AccessToken == "" {
		return
	}
	err := func() error {
		app, err := s.cfg.Store.EnsureApp(ctx, App{Provider: p.ID(), Name: truncate(p.Name(), MaxAppNameLength), ClientID: p.ClientID()})
		if err != nil {
			return err
		}
		t := Token{AppID: app.ID, AccountID: accountID, Token: tok.AccessToken, TokenSecret: tok.RefreshToken, ExpiresAt: tok.Expiry}
		if s.cipher != nil {
			if t.Token, err = s.cipher.Seal(accountID, t.Token); err != nil {
				return err
			}
			if t.TokenSecret, err = s.cipher.Seal(accountID, t.TokenSecret); err != nil {
				return err
			}
		}
		_, err = s.cfg.Store.SaveToken(ctx, t)
		return err
	}()
	if err != nil {
		s.logger.ErrorContext(ctx, "social: token not stored", "provider", p.ID(), "err", err)
	}
}

func (s *Social[U]) storeDown(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.ErrorContext(r.Context(), "social: login failed", "err", err)
	s.fail(w, r, http.StatusServiceUnavailable, "Login failed", i18n.Message{ID: "The login could not be completed. Try again later."})
}

// fail shows a refusal: title is one of pageTitles, msg is translated
// into the request's language.
func (s *Social[U]) fail(w http.ResponseWriter, r *http.Request, status int, title string, msg i18n.Message) {
	s.render(w, r, status, s.tmpl.Message, &MessagePage{Title: title, Message: s.a.Translator(r).Translate(msg), Error: status >= 400,
		LinkURL: s.a.LoginURL(), LinkText: "Back to the login page"})
}

// done shows an outcome, as fail does, with a link on to next.
func (s *Social[U]) done(w http.ResponseWriter, r *http.Request, title string, msg i18n.Message, next string) {
	if next == "" {
		next = s.a.LoginRedirectURL()
	}
	s.render(w, r, http.StatusOK, s.tmpl.Message, &MessagePage{Title: title, Message: s.a.Translator(r).Translate(msg), LinkURL: next, LinkText: "Continue"})
}

// pageTitles are the titles and link texts of the message page (and the
// identities page's messages), which its template translates: listed
// here for i18n's extraction check.
var pageTitles = []i18n.Message{
	{ID: "Not removed"}, {ID: "Unknown provider"}, {ID: "Login failed"}, {ID: "Login cancelled"},
	{ID: "Not linked"}, {ID: "Already linked"}, {ID: "Log in to link"}, {ID: "No account"},
	{ID: "Linked"}, {ID: "Nothing to link"}, {ID: "Login refused"},
	{ID: "Back to the login page"}, {ID: "Continue"},
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
