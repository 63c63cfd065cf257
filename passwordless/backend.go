package passwordless

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/internal/mailqueue"
	"github.com/djauth/auth/mail"
)

// Name is the Backend's name, the _auth_user_backend of the sessions it
// logs in.
const Name = "djauth.passwordless.EmailBackend"

// Defaults of Config.
const (
	// DefaultTimeout is how long a link and its code work.
	DefaultTimeout = 15 * time.Minute
	// DefaultCodeLength is the length of a code: 8 characters, 40 bits.
	DefaultCodeLength = 8
	// DefaultMaxAttempts is how many verifications (codes or links) one
	// request takes before it is void.
	DefaultMaxAttempts = 5
	// DefaultFromEmail is the sender, Django's DEFAULT_FROM_EMAIL.
	DefaultFromEmail = "webmaster@localhost"
	// DefaultMailWorkers, DefaultMailQueueSize, DefaultMailSendTimeout and
	// DefaultMailDrainTimeout are the mail queue's defaults.
	DefaultMailWorkers      = mailqueue.DefaultWorkers
	DefaultMailQueueSize    = mailqueue.DefaultSize
	DefaultMailSendTimeout  = mailqueue.DefaultSendTimeout
	DefaultMailDrainTimeout = mailqueue.DefaultDrainTimeout
)

// Limiter scopes (auth.Limiter; package throttle has rules of these names).
const (
	// ScopeRequest counts every login request, keyed by the case-folded
	// address, whether it has an account or not.
	ScopeRequest = "passwordless"
	// ScopeCode counts wrong codes and links, keyed by the request's
	// Subject (the user).
	ScopeCode = "passwordless_code"
)

// Credential names understood by Backend.Authenticate. The two secrets'
// names contain "token", so that auth.Credentials.Cleansed hides them in
// the UserLoginFailed signal.
const (
	// CredentialRequest is the request ID of a link.
	CredentialRequest = "passwordless_request"
	// CredentialLink is the token of a link (with CredentialRequest).
	CredentialLink = "passwordless_link_token"
	// CredentialCode is a typed code; the request is the one pending in
	// the session.
	CredentialCode = "passwordless_code_token"
)

// SessionKey holds the request pending in the browser that asked: its ID
// and the browser's nonce.
const SessionKey = "_passwordless_request"

// ThrottledError is returned when the Limiter refuses a request or a
// code; the caller answers 429 with Retry-After.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "passwordless: throttled, retry after " + e.RetryAfter.String()
}

// Config configures New. Store and Mailer are required.
type Config struct {
	// Store keeps the requests.
	Store Store
	// Mailer sends the login mails.
	Mailer mail.Sender
	// From is the mails' sender; empty means DefaultFromEmail.
	From string
	// Emails, when set, restricts logins to VERIFIED addresses of package
	// emails (allauth's account_emailaddress), mailed at the address as
	// stored. Nil means the user table's email column (Django's reset).
	Emails *emails.Manager
	// Timeout is how long a link and its code work; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// CodeLength is the code's length, 6 to 8; zero means
	// DefaultCodeLength.
	CodeLength int
	// MaxAttempts bounds the verifications of one request; zero means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Unbound lets the link complete in any browser (after a confirmation
	// there). By default a link and a code complete only in the session
	// that asked, which holds the request's nonce.
	Unbound bool
	// KeepOlder keeps a user's earlier pending requests working when a
	// new one is made; by default a new request voids them.
	KeepOlder bool
	// SiteName names the site in the mail; empty means the link's host.
	SiteName string
	// Subject and Body replace the mail's templates (data: Mail).
	Subject, Body *texttemplate.Template
	// MailWorkers, MailQueueSize, MailSendTimeout and MailDrainTimeout
	// configure the queue that sends the mails; zero means the Default*.
	MailWorkers, MailQueueSize        int
	MailSendTimeout, MailDrainTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mail is the data of the mail templates.
type Mail struct {
	SiteName string
	Username string
	Email    string
	Link     string
	Code     string
	Minutes  int
}

//go:embed templates
var templateFS embed.FS

// Backend is passwordless login by email as an auth.Backend: Start mails
// a link and a code, Authenticate checks them (CredentialLink,
// CredentialCode) and returns the user for auth.Auth.Login. Put it in
// auth.Config.Backends; auth.New binds it. Close it when done.
type Backend[U any] struct {
	cfg      Config
	store    Store
	subject  *texttemplate.Template
	body     *texttemplate.Template
	now      func() time.Time
	queue    *mailqueue.Queue[mailJob]
	a        *auth.Auth[U]
	keys     keyed
	log      *slog.Logger
	codeLen  int
	attempts int
	timeout  time.Duration
}

var (
	_ auth.Backend[auth.User] = (*Backend[auth.User])(nil)
	_ auth.Binder[auth.User]  = (*Backend[auth.User])(nil)
)

// New returns a Backend and starts its mail workers. It returns an error
// wrapping auth.ErrConfig for a missing Store or Mailer or a setting out
// of range.
func New[U any](cfg Config) (*Backend[U], error) {
	bad := func(format string, args ...any) (*Backend[U], error) {
		return nil, fmt.Errorf("%w: passwordless: "+format, append([]any{auth.ErrConfig}, args...)...)
	}
	if err := auth.CheckUserType[U](); err != nil {
		return nil, err
	}
	switch {
	case cfg.Store == nil:
		return bad("Config.Store is nil")
	case cfg.Mailer == nil:
		return bad("Config.Mailer is nil")
	case cfg.Timeout < 0, cfg.MaxAttempts < 0, cfg.MailWorkers < 0, cfg.MailQueueSize < 0,
		cfg.MailSendTimeout < 0, cfg.MailDrainTimeout < 0:
		return bad("a Config duration or count is negative")
	case cfg.CodeLength != 0 && (cfg.CodeLength < 6 || cfg.CodeLength > 8):
		return bad("Config.CodeLength %d is not 6 to 8", cfg.CodeLength)
	}
	b := &Backend[U]{
		cfg: cfg, store: cfg.Store, subject: cfg.Subject, body: cfg.Body, now: cfg.Now,
		codeLen: cmp.Or(cfg.CodeLength, DefaultCodeLength), attempts: cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts),
		timeout: cmp.Or(cfg.Timeout, DefaultTimeout), log: slog.Default(),
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.subject == nil {
		b.subject = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/email_subject.txt"))
	}
	if b.body == nil {
		b.body = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/email_body.txt"))
	}
	b.cfg.From = cmp.Or(cfg.From, DefaultFromEmail)
	b.queue = mailqueue.New(mailqueue.Config{Workers: cfg.MailWorkers, Size: cfg.MailQueueSize,
		SendTimeout: cfg.MailSendTimeout, DrainTimeout: cfg.MailDrainTimeout, NotDrained: ErrMailNotDrained}, b.sendMail)
	return b, nil
}

// Close stops the mail workers, waiting up to Config.MailDrainTimeout for
// the queued mails (then ErrMailNotDrained). Close it before the Auth.
func (b *Backend[U]) Close() error { return b.queue.Close() }

// Bind implements auth.Binder: the Backend keys its HMACs with a's
// secret key and uses a's store, sessions, Limiter and logger. Without
// Config.Emails, a's store must list users by email.
func (b *Backend[U]) Bind(a *auth.Auth[U]) error {
	if b.a != nil && b.a != a {
		return fmt.Errorf("%w: passwordless: Backend already bound to another Auth", auth.ErrConfig)
	}
	if _, ok := a.Store().(userLister[U]); !ok && b.cfg.Emails == nil {
		return fmt.Errorf("%w: passwordless: the store %T cannot list users by email (ListUsers) and Config.Emails is nil", auth.ErrConfig, a.Store())
	}
	b.a, b.keys, b.log = a, newKeyed(a.SecretKey()), a.Logger()
	return nil
}

// Name implements auth.Backend.
func (b *Backend[U]) Name() string { return Name }

// Bound reports whether links and codes complete only in the asking
// browser (Config.Unbound is false).
func (b *Backend[U]) Bound() bool { return !b.cfg.Unbound }

// Timeout is how long a link and its code work.
func (b *Backend[U]) Timeout() time.Duration { return b.timeout }

// CodeLength is the length of the codes.
func (b *Backend[U]) CodeLength() int { return b.codeLen }

// GetUser implements auth.Backend: the stored user, unless inactive.
func (b *Backend[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	if b.a == nil {
		return nil, errNotBound
	}
	u, err := b.a.Store().GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !auth.UserOf(u).IsActive {
		return nil, fmt.Errorf("%w: user %d is inactive", auth.ErrUserNotFound, id)
	}
	return u, nil
}

var errNotBound = errors.New("passwordless: Backend not bound to an Auth (put it in auth.Config.Backends)")

type userLister[U any] interface {
	ListUsers(ctx context.Context, q auth.UserQuery) ([]*U, error)
}

// Start makes a login request for email in r's session and queues its
// mail, whose link is linkBase+ID+"/"+token+"/" (linkBase is an absolute
// URL ending in "/"). The answer is the same for every valid address:
// when no single active user has it (with Config.Emails: as a verified
// address), a request is stored all the same (UserID 0, never
// completing) and no mail is queued. Every call counts in the Limiter
// (ScopeRequest), and a refused one returns *ThrottledError.
//
// A user whose password is unusable (auth.User.HasUsablePassword false)
// may log in this way: passwordless is meant for accounts without one.
func (b *Backend[U]) Start(ctx context.Context, r *http.Request, email, linkBase string) error {
	if b.a == nil {
		return errNotBound
	}
	if l := b.a.Limiter(); l != nil {
		key := foldEmail(email)
		wait, _, err := l.Check(ctx, r, ScopeRequest, key)
		if err != nil {
			return fmt.Errorf("passwordless: limiter: %w", err)
		}
		if wait > 0 {
			return &ThrottledError{RetryAfter: wait}
		}
		if _, _, err := l.Fail(context.WithoutCancel(ctx), r, ScopeRequest, key); err != nil {
			return fmt.Errorf("passwordless: limiter: %w", err)
		}
	}
	user, to, err := b.findUser(ctx, email)
	if err != nil {
		return err
	}
	id, token, code, nonce := randomToken(16), randomToken(32), randomCode(b.codeLen), randomToken(32)
	now := b.now()
	req := Request{
		ID: id, Subject: "email:" + fmt.Sprintf("%x", b.keys.sum("subject", "", foldEmail(email))),
		LinkHash: b.keys.sum("link", id, token), CodeHash: b.keys.sum("code", id, code),
		BindingHash: b.keys.sum("binding", id, nonce), Created: now, Expires: now.Add(b.timeout),
	}
	if user != nil {
		req.UserID = auth.UserOf(user).ID
		req.Subject = "user:" + strconv.FormatInt(req.UserID, 10)
	}
	if err := b.store.Create(ctx, req, !b.cfg.KeepOlder); err != nil {
		return fmt.Errorf("passwordless: create request: %w", err)
	}
	b.a.Sessions().Put(ctx, SessionKey, id+"."+nonce)
	if user == nil {
		return nil
	}
	link := linkBase + id + "/" + token + "/"
	site := b.cfg.SiteName
	if site == "" {
		site = hostOf(linkBase)
	}
	if !b.queue.Enqueue(mailJob{userID: req.UserID, to: to, username: auth.UserOf(user).Username, link: link, code: code, site: site}) {
		b.log.ErrorContext(ctx, "passwordless: mail queue full or closed, mail dropped; raise Config.MailQueueSize or MailWorkers",
			"user_id", req.UserID)
	}
	return nil
}

func hostOf(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	host, _, _ := strings.Cut(u, "/")
	return host
}

// findUser returns the one active user with email (verified, with
// Config.Emails) and the address to mail, or nil when there is none or
// more than one.
func (b *Backend[U]) findUser(ctx context.Context, email string) (*U, string, error) {
	want := foldEmail(email)
	var found []*U
	var to string
	if b.cfg.Emails != nil {
		addrs, err := b.cfg.Emails.Store().FindAddresses(ctx, email)
		if err != nil {
			return nil, "", fmt.Errorf("passwordless: find addresses: %w", err)
		}
		seen := map[int64]bool{}
		for _, a := range addrs {
			if !a.Verified || foldEmail(a.Email) != want || seen[a.UserID] {
				continue
			}
			seen[a.UserID] = true
			u, err := b.a.Store().GetUser(ctx, a.UserID)
			if errors.Is(err, auth.ErrUserNotFound) {
				continue
			}
			if err != nil {
				return nil, "", fmt.Errorf("passwordless: get user %d: %w", a.UserID, err)
			}
			if auth.UserOf(u).IsActive {
				found, to = append(found, u), a.Email
			}
		}
	} else {
		lister := b.a.Store().(userLister[U])
		active := true
		for offset := 0; ; {
			page, err := lister.ListUsers(ctx, auth.UserQuery{Email: email, IsActive: &active, Offset: offset, Limit: auth.MaxUserListLimit})
			if err != nil {
				return nil, "", fmt.Errorf("passwordless: find users by email: %w", err)
			}
			for _, u := range page {
				if au := auth.UserOf(u); au.IsActive && foldEmail(au.Email) == want {
					found, to = append(found, u), au.Email
				}
			}
			if len(page) < auth.MaxUserListLimit {
				break
			}
			offset += len(page)
		}
	}
	if len(found) != 1 {
		if len(found) > 1 {
			b.log.WarnContext(ctx, "passwordless: an address belongs to several active users; no login mail sent", "users", len(found))
		}
		return nil, "", nil
	}
	return found[0], to, nil
}

// Pending reports whether r's session holds a login request (the "check
// your email" page then asks for the code).
func (b *Backend[U]) Pending(r *http.Request) bool {
	_, _, ok := b.pending(r.Context())
	return ok
}

func (b *Backend[U]) pending(ctx context.Context) (id, nonce string, ok bool) {
	if b.a == nil {
		return "", "", false
	}
	id, nonce, ok = strings.Cut(b.a.Sessions().GetString(ctx, SessionKey), ".")
	return id, nonce, ok && id != "" && nonce != ""
}

// LinkState is what a link is worth in a browser (Backend.CheckLink).
type LinkState int

// The states of a link.
const (
	// LinkInvalid: unknown, used, voided, expired or altered.
	LinkInvalid LinkState = iota
	// LinkValid: it completes here (after a POST).
	LinkValid
	// LinkOtherBrowser: valid, but bound to the browser that asked, and
	// this is another one.
	LinkOtherBrowser
)

// CheckLink tells what the link (id, token) is worth in r's session
// without consuming it or counting an attempt: the page that a GET of the
// link shows (a confirmation button, or why not) depends on it. A mail
// scanner that follows the link changes nothing.
func (b *Backend[U]) CheckLink(ctx context.Context, r *http.Request, id, token string) (LinkState, error) {
	if b.a == nil {
		return LinkInvalid, errNotBound
	}
	req, err := b.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return LinkInvalid, nil
	}
	if err != nil {
		return LinkInvalid, fmt.Errorf("passwordless: get request: %w", err)
	}
	if !req.Expires.After(b.now()) || !b.keys.match(req.LinkHash, "link", id, token) {
		return LinkInvalid, nil
	}
	if !b.boundHere(ctx, req) {
		return LinkOtherBrowser, nil
	}
	return LinkValid, nil
}

// boundHere reports whether req may complete in this session: always
// with Config.Unbound, else when the session holds req's nonce.
func (b *Backend[U]) boundHere(ctx context.Context, req Request) bool {
	if b.cfg.Unbound {
		return true
	}
	id, nonce, ok := b.pending(ctx)
	return ok && id == req.ID && b.keys.match(req.BindingHash, "binding", req.ID, nonce)
}

// Authenticate implements auth.Backend. With CredentialRequest and
// CredentialLink it checks a link, with CredentialCode the code of the
// request pending in r's session; other credentials (or a nil r) are not
// for it. The request must exist, be unexpired and, unless
// Config.Unbound, be pending in r's session (a code always is). Each
// check counts an attempt of the request (at most Config.MaxAttempts,
// then it is void) and, when wrong, a failure in the Limiter
// (ScopeCode); a refused one returns *ThrottledError. A right one
// consumes the request, so its link and its code are spent together, and
// returns its user unless inactive. Wrong, spent and expired answer
// (nil, nil), for auth.Auth.Authenticate to send UserLoginFailed.
func (b *Backend[U]) Authenticate(ctx context.Context, r *http.Request, c auth.Credentials) (*U, error) {
	if b.a == nil {
		return nil, errNotBound
	}
	link, isLink := c[CredentialLink]
	code, isCode := c[CredentialCode]
	if r == nil || isLink == isCode {
		return nil, nil
	}
	var id string
	if isLink {
		id = c[CredentialRequest]
	} else {
		pid, _, ok := b.pending(ctx)
		if !ok {
			return nil, nil
		}
		id = pid
	}
	req, err := b.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		b.forget(ctx, id)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("passwordless: get request: %w", err)
	}
	if !req.Expires.After(b.now()) {
		b.forget(ctx, id)
		return nil, nil
	}
	if (isCode || !b.cfg.Unbound) && !b.boundHereStrict(ctx, req) {
		return nil, nil
	}
	l := b.a.Limiter()
	if l != nil {
		wait, _, err := l.Check(ctx, r, ScopeCode, req.Subject)
		if err != nil {
			return nil, fmt.Errorf("passwordless: limiter: %w", err)
		}
		if wait > 0 {
			return nil, &ThrottledError{RetryAfter: wait}
		}
	}
	if _, err := b.store.Attempt(ctx, id, b.attempts); errors.Is(err, ErrTooManyAttempts) || errors.Is(err, ErrNotFound) {
		b.forget(ctx, id)
		return nil, b.fail(ctx, r, req.Subject)
	} else if err != nil {
		return nil, fmt.Errorf("passwordless: count attempt: %w", err)
	}
	var ok bool
	if isLink {
		ok = b.keys.match(req.LinkHash, "link", id, link)
	} else {
		ok = b.keys.match(req.CodeHash, "code", id, normalizeCode(code))
	}
	if !ok {
		return nil, b.fail(ctx, r, req.Subject)
	}
	if _, err := b.store.Consume(ctx, id); errors.Is(err, ErrNotFound) {
		b.forget(ctx, id)
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("passwordless: consume request: %w", err)
	}
	b.forget(ctx, id)
	if l != nil {
		if err := l.Succeed(context.WithoutCancel(ctx), r, ScopeCode, req.Subject); err != nil {
			b.log.ErrorContext(ctx, "passwordless: limiter", "error", err)
		}
	}
	if req.UserID == 0 {
		return nil, nil
	}
	u, err := b.GetUser(ctx, req.UserID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, nil
	}
	return u, err
}

// boundHereStrict is boundHere without the Unbound shortcut: the session
// must hold req's nonce.
func (b *Backend[U]) boundHereStrict(ctx context.Context, req Request) bool {
	id, nonce, ok := b.pending(ctx)
	return ok && id == req.ID && b.keys.match(req.BindingHash, "binding", req.ID, nonce)
}

// fail counts a wrong code or link; one that cannot be counted is an
// error (fail closed).
func (b *Backend[U]) fail(ctx context.Context, r *http.Request, subject string) error {
	l := b.a.Limiter()
	if l == nil {
		return nil
	}
	if _, _, err := l.Fail(context.WithoutCancel(ctx), r, ScopeCode, subject); err != nil {
		return fmt.Errorf("passwordless: limiter: %w", err)
	}
	return nil
}

// forget removes the session's pending request when it is id.
func (b *Backend[U]) forget(ctx context.Context, id string) {
	if pid, _, ok := b.pending(ctx); ok && pid == id {
		b.a.Sessions().Remove(ctx, SessionKey)
	}
}

// DeleteExpired deletes the expired requests (run it now and then; an
// expired request never completes either way).
func (b *Backend[U]) DeleteExpired(ctx context.Context) (int, error) {
	return b.store.DeleteExpired(ctx, b.now())
}

// sendMail runs on a mail worker. Failures are logged with the user's ID
// only, never the address, the link or the code.
func (b *Backend[U]) sendMail(ctx context.Context, j mailJob) {
	data := &Mail{SiteName: j.site, Username: j.username, Email: j.to, Link: j.link, Code: j.code,
		Minutes: int((b.timeout + time.Minute - 1) / time.Minute)}
	var subject, body bytes.Buffer
	if err := b.subject.Execute(&subject, data); err != nil {
		b.log.ErrorContext(ctx, "passwordless: render subject", "user_id", j.userID, "error", err)
		return
	}
	if err := b.body.Execute(&body, data); err != nil {
		b.log.ErrorContext(ctx, "passwordless: render body", "user_id", j.userID, "error", err)
		return
	}
	msg := mail.Message{From: b.cfg.From, To: []string{j.to},
		Subject: strings.Join(strings.Fields(subject.String()), " "), Text: body.String()}
	if err := b.cfg.Mailer.Send(ctx, msg); err != nil {
		b.log.ErrorContext(ctx, "passwordless: send mail", "user_id", j.userID, "error", err)
	}
}
