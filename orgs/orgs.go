package orgs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mail"
)

// Defaults of Config.
const (
	// DefaultInvitationTTL is how long an invitation link works: seven
	// days.
	DefaultInvitationTTL = 7 * 24 * time.Hour
	// DefaultFromEmail is Django's DEFAULT_FROM_EMAIL.
	DefaultFromEmail = "webmaster@localhost"
	// DefaultAcceptPath is where an invitation link points under
	// Config.BaseURL; the token follows it as the last path segment.
	DefaultAcceptPath = "/orgs/invitations/accept/"
	// SessionKeyOrg is the session key of the organization chosen with
	// Switch (its ID as a decimal string).
	SessionKeyOrg = "djauth_org_id"
	// LimitScopeInvitation is the Limiter scope of Accept; its key is the
	// user's ID.
	LimitScopeInvitation = "org_invitation"
	// LimitScopeInvite counts the invitations a user sends
	// (Config.MaxInvitations an hour).
	LimitScopeInvite = "org_invite"
)

// The global Django permissions of django-organizations' Organization
// model (app label "organizations"), which let a user manage every
// organization without being a member of it.
const (
	PermChange = "organizations.change_organization"
	PermDelete = "organizations.delete_organization"
)

// Errors of Orgs beside the Store's, checked with errors.Is.
var (
	// ErrInvalidInvitation is the answer to a token that names no
	// invitation (or one of an inactive organization): a malformed,
	// unknown or revoked link.
	ErrInvalidInvitation = errors.New("orgs: invalid invitation link")
	// ErrWrongInvitee is the answer when the signed-in user's email is not
	// the address the invitation was sent to.
	ErrWrongInvitee = errors.New("orgs: the invitation was sent to another email address")
	// ErrThrottled is wrapped by a *ThrottledError.
	ErrThrottled = errors.New("orgs: too many attempts")
	// ErrInvalid wraps a bad argument: an empty name, a malformed slug or
	// email address, a permission that may not be given to roles.
	ErrInvalid = errors.New("orgs: invalid value")
)

// ThrottledError refuses an attempt for RetryAfter.
type ThrottledError struct{ RetryAfter time.Duration }

// Error says how long to wait.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("orgs: too many attempts; retry after %s", e.RetryAfter)
}

// Is reports ErrThrottled.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Config configures New. Only Auth and Store are required.
type Config[U any] struct {
	// Auth is the site's Auth: its users, sessions, global permissions,
	// guards and Limiter. Required.
	Auth *auth.Auth[U]
	// Store keeps organizations. Required.
	Store Store
	// Mailer sends invitations; nil means Invite does not mail them (the
	// caller delivers the returned link itself).
	Mailer mail.Sender
	// From is the sender of invitations; empty means DefaultFromEmail.
	From string
	// BaseURL is the site's address ("https://example.com"), the start of
	// invitation links; required with a Mailer.
	BaseURL string
	// AcceptPath is the path of the acceptance page; empty means
	// DefaultAcceptPath.
	AcceptPath string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// InvitationTTL is how long an invitation works; zero means
	// DefaultInvitationTTL.
	InvitationTTL time.Duration
	// Limiter throttles wrong invitation tokens per user (scope
	// LimitScopeInvitation). Nil means the Auth's Limiter, and without one
	// a limiter in memory that refuses a user for MaxFailures' window
	// after MaxFailures wrong tokens.
	Limiter auth.Limiter
	// MaxFailures and FailureWindow tune the limiter in memory; zero means
	// 5 and 15 minutes.
	MaxFailures   int
	FailureWindow time.Duration
	// MaxInvitations is how many invitations one user may send in an
	// hour, across organizations (zero means 20): invitation mails carry
	// text the inviter chose (the organization's name) to any address,
	// so they are throttled like any mail an attacker can make the site
	// send. The count is kept in memory, per process.
	MaxInvitations int
	// FromRequest names the request's organization by its slug; nil means
	// r.PathValue("org"). A request that names none falls back to the
	// session's organization.
	FromRequest func(r *http.Request) (slug string, ok bool)
	// AssignablePermissions, when not nil, are the only permissions
	// roles may be given (an empty, non-nil list: none). Nil allows every
	// permission of the store, the site's own auth.change_user included:
	// set it to the app's models' permissions.
	AssignablePermissions []string
	// EmailVerified, when set, must say that the user has verified the
	// invitation's address before Accept lets them in (emails.Manager can
	// answer it).
	EmailVerified func(ctx context.Context, userID int64, email string) (bool, error)
	// Logger logs failures of the store; nil means the Auth's logger.
	Logger *slog.Logger
}

// Orgs is organizations for an Auth: management checked against the
// actor's rights, invitations, organization-scoped permissions and the
// request's current organization. It is safe for concurrent use.
type Orgs[U any] struct {
	a          *auth.Auth[U]
	store      Store
	mailer     mail.Sender
	from       string
	baseURL    string
	acceptPath string
	now        func() time.Time
	ttl        time.Duration
	limiter    auth.Limiter
	invites    *memLimiter // invitations sent per inviter (Config.MaxInvitations)
	fromReq    func(*http.Request) (string, bool)
	assignable map[string]bool
	verified   func(context.Context, int64, string) (bool, error)
	logger     *slog.Logger
	signals    *Signals

	// pages and prefix are set by Routes.
	pages  pageSet
	prefix string
}

// ErrConfig wraps the errors of New.
var ErrConfig = errors.New("orgs: invalid config")

// New returns the Orgs of cfg, or an error wrapping ErrConfig.
func New[U any](cfg Config[U]) (*Orgs[U], error) {
	if cfg.Auth == nil || cfg.Store == nil {
		return nil, fmt.Errorf("%w: Auth and Store are required", ErrConfig)
	}
	if cfg.InvitationTTL < 0 || cfg.MaxFailures < 0 || cfg.FailureWindow < 0 || cfg.MaxInvitations < 0 {
		return nil, fmt.Errorf("%w: negative duration or count", ErrConfig)
	}
	if cfg.Mailer != nil && !strings.HasPrefix(cfg.BaseURL, "https://") && !strings.HasPrefix(cfg.BaseURL, "http://") {
		return nil, fmt.Errorf("%w: a Mailer needs BaseURL (http:// or https://)", ErrConfig)
	}
	o := &Orgs[U]{
		a:          cfg.Auth,
		store:      cfg.Store,
		mailer:     cfg.Mailer,
		from:       cmpOr(cfg.From, DefaultFromEmail),
		baseURL:    strings.TrimRight(cfg.BaseURL, "/"),
		acceptPath: cmpOr(cfg.AcceptPath, DefaultAcceptPath),
		now:        cfg.Now,
		ttl:        cfg.InvitationTTL,
		limiter:    cfg.Limiter,
		fromReq:    cfg.FromRequest,
		verified:   cfg.EmailVerified,
		logger:     cfg.Logger,
		signals:    newSignals(),
	}
	if !strings.HasPrefix(o.acceptPath, "/") {
		o.acceptPath = "/" + o.acceptPath
	}
	if !strings.HasSuffix(o.acceptPath, "/") {
		o.acceptPath += "/"
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.ttl == 0 {
		o.ttl = DefaultInvitationTTL
	}
	if o.limiter == nil {
		o.limiter = cfg.Auth.Limiter()
	}
	if o.limiter == nil {
		o.limiter = newMemLimiter(o.now, cmpOr(cfg.MaxFailures, 5), cmpOr(cfg.FailureWindow, 15*time.Minute))
	}
	o.invites = newMemLimiter(o.now, cmpOr(cfg.MaxInvitations, 20), time.Hour)
	if o.fromReq == nil {
		o.fromReq = func(r *http.Request) (string, bool) {
			s := r.PathValue("org")
			return s, s != ""
		}
	}
	if cfg.AssignablePermissions != nil {
		o.assignable = map[string]bool{}
		for _, p := range cfg.AssignablePermissions {
			o.assignable[p] = true
		}
	}
	if o.logger == nil {
		o.logger = cfg.Auth.Logger()
	}
	if o.verified == nil {
		// Said once at start-up: without the hook an invitation link,
		// if it leaks, lets whoever signs up with the invited address
		// (unverified) join.
		o.logger.Warn("orgs: Config.EmailVerified is nil: an invitation is accepted by any account whose email is the invited address, verified or not")
	}
	return o, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Store returns Config.Store.
func (o *Orgs[U]) Store() Store { return o.store }

// Auth returns Config.Auth.
func (o *Orgs[U]) Auth() *auth.Auth[U] { return o.a }

// Signals returns the hubs of the Orgs' events.
func (o *Orgs[U]) Signals() *Signals { return o.signals }

// activeUser returns the Django fields of user when it is a stored,
// active user, else nil.
func activeUser[U any](user *U) *auth.User {
	u := auth.UserOf(user)
	if u == nil || u.ID == 0 || !u.IsActive {
		return nil
	}
	return u
}
