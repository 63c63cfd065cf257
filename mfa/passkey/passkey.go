package passkey

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/djauth/auth/mfa"
)

// Kind is the Kind of the passkey factor.
const Kind = "passkey"

// PersistentIDPrefix is the label of PersistentID: a passkey's device is
// "djauth.passkey/<id>" (django-otp has no passkeys).
const PersistentIDPrefix = "djauth.passkey/"

// DefaultCeremonyTimeout is how long a ceremony begun in a session may be
// finished when Config.CeremonyTimeout is zero.
const DefaultCeremonyTimeout = 5 * time.Minute

// MaxNameLength is the longest credential name, in characters.
const MaxNameLength = 64

// DefaultName is the name of a credential registered without one.
const DefaultName = "Passkey"

// userHandleLen is the length of the random user handles (WebAuthn allows
// up to 64 bytes).
const userHandleLen = 32

var (
	// ErrNoCeremony reports a finish without a matching begin in the
	// session: never begun, begun for another user, already finished
	// (each ceremony is single use) or expired.
	ErrNoCeremony = errors.New("passkey: no ceremony in progress")
	// ErrVerification reports an authenticator response that WebAuthn
	// verification refused: a wrong challenge, origin or RP ID, a bad
	// signature, a malformed response, or a credential that is not the
	// user's.
	ErrVerification = errors.New("passkey: verification failed")
	// ErrCloned reports a credential that go-webauthn flagged as possibly
	// cloned (its signature counter did not increase). Such a credential
	// signs in no more: remove it and register a new one.
	ErrCloned = errors.New("passkey: credential may be cloned")
	// ErrInactiveUser reports a passwordless sign-in by a user who may
	// not log in (is_active false) or no longer exists.
	ErrInactiveUser = errors.New("passkey: user is inactive")
	// ErrInvalidName reports a credential name that is too long or holds
	// control characters.
	ErrInvalidName = errors.New("passkey: invalid credential name")
	// ErrPasswordlessDisabled reports a passwordless ceremony on Passkeys
	// whose Config has no UserActive.
	ErrPasswordlessDisabled = errors.New("passkey: passwordless sign-in is not configured")
)

// Config configures Passkeys. RPID, Store and Sessions are required.
type Config struct {
	// RPID is the WebAuthn relying party ID: the site's registrable
	// domain or a host under it ("example.com"; "localhost" in
	// development). Credentials are bound to it: changing it orphans them.
	RPID string
	// RPDisplayName is the site's name that authenticators may show;
	// empty means RPID.
	RPDisplayName string
	// RPOrigins are the origins the browser may report
	// ("https://example.com"); empty means "https://" + RPID.
	RPOrigins []string
	// Store keeps credentials and user handles.
	Store Store
	// Sessions is the session manager whose session (loaded in the
	// request's context, as Auth.Middleware does) holds ceremony state:
	// the Auth's Sessions(). Leave it nil when the Passkeys is one of
	// the Factors of an mfa.Flow: the Flow binds it to the Auth's
	// sessions when auth.New binds the Flow (BindAuth), so that the
	// Passkeys can be made before the Auth.
	Sessions *scs.SessionManager
	// UserActive reports whether the user userID exists and may log in,
	// for passwordless sign-in; AuthUserActive builds it from an Auth,
	// and a Flow that binds the Passkeys gives one when it is nil.
	// Without it, passwordless ceremonies are refused with
	// ErrPasswordlessDisabled.
	UserActive func(ctx context.Context, userID int64) (bool, error)
	// NoPasswordless refuses passwordless ceremonies even when
	// UserActive is known: passkeys serve only as a second factor.
	NoPasswordless bool
	// CeremonyTimeout is how long a begun ceremony may be finished; zero
	// means DefaultCeremonyTimeout.
	CeremonyTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Passkeys registers passkeys and signs users in with them, as a second
// factor or without a password. It implements mfa.Factor. It is safe for
// concurrent use.
type Passkeys struct {
	wa             *webauthn.WebAuthn
	store          Store
	b              atomic.Pointer[binding]
	noPasswordless bool
	timeout        time.Duration
	now            func() time.Time
}

// binding is what the Passkeys learns of the Auth: from Config, or from
// BindAuth.
type binding struct {
	sessions *scs.SessionManager
	active   func(ctx context.Context, userID int64) (bool, error)
}

// ErrNotBound is returned by the ceremonies of a Passkeys made without
// Config.Sessions before an mfa.Flow (or BindAuth) bound it.
var ErrNotBound = errors.New("passkey: not bound to an Auth's sessions: set Config.Sessions or put the Passkeys in an mfa.Flow given to auth.New")

// BindAuth gives the Passkeys the Auth's session manager and its check of
// active users, when Config left them nil; package mfa's Flow calls it
// when auth.New binds the Flow. Binding again to the same manager is a
// no-op; another manager is an error.
func (p *Passkeys) BindAuth(sessions *scs.SessionManager, userActive func(ctx context.Context, userID int64) (bool, error)) error {
	if sessions == nil {
		return errors.New("passkey: BindAuth: nil session manager")
	}
	for {
		old := p.b.Load()
		nb := &binding{sessions: sessions, active: userActive}
		if old != nil {
			if old.sessions != nil && old.sessions != sessions {
				return errors.New("passkey: already bound to another session manager")
			}
			if old.active != nil {
				nb.active = old.active
			}
		}
		if p.b.CompareAndSwap(old, nb) {
			return nil
		}
	}
}

// bound returns the binding, or ErrNotBound.
func (p *Passkeys) bound() (*binding, error) {
	b := p.b.Load()
	if b == nil || b.sessions == nil {
		return nil, ErrNotBound
	}
	return b, nil
}

// activeCheck returns the check of active users for passwordless
// sign-in, or ErrPasswordlessDisabled.
func (p *Passkeys) activeCheck() (func(ctx context.Context, userID int64) (bool, error), error) {
	b, err := p.bound()
	if err != nil {
		return nil, err
	}
	if p.noPasswordless || b.active == nil {
		return nil, ErrPasswordlessDisabled
	}
	return b.active, nil
}

var _ mfa.Factor = (*Passkeys)(nil)

// New checks cfg and returns Passkeys.
func New(cfg Config) (*Passkeys, error) {
	if cfg.RPID == "" {
		return nil, errors.New("passkey: Config.RPID is required (the site's domain, \"localhost\" in development)")
	}
	if strings.ContainsAny(cfg.RPID, ":/ ") || strings.ToLower(cfg.RPID) != cfg.RPID {
		return nil, fmt.Errorf("passkey: Config.RPID %q is not a lower-case host name (no scheme, port or path)", cfg.RPID)
	}
	if cfg.Store == nil {
		return nil, errors.New("passkey: Config.Store is required")
	}
	if cfg.CeremonyTimeout < 0 {
		return nil, fmt.Errorf("passkey: Config.CeremonyTimeout %s is negative", cfg.CeremonyTimeout)
	}
	origins := cfg.RPOrigins
	if len(origins) == 0 {
		origins = []string{"https://" + cfg.RPID}
	}
	for _, o := range origins {
		if err := checkOrigin(o, cfg.RPID); err != nil {
			return nil, err
		}
	}
	name := cfg.RPDisplayName
	if name == "" {
		name = cfg.RPID
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          cfg.RPID,
		RPDisplayName: name,
		RPOrigins:     origins,
		// Expiry is ours (CeremonyTimeout, on Config.Now); the browser
		// gets the same timeout.
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: orDefault(cfg.CeremonyTimeout)},
			Registration: webauthn.TimeoutConfig{Timeout: orDefault(cfg.CeremonyTimeout)},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	p := &Passkeys{
		wa: wa, store: cfg.Store, noPasswordless: cfg.NoPasswordless,
		timeout: orDefault(cfg.CeremonyTimeout), now: cfg.Now,
	}
	if cfg.Sessions != nil || cfg.UserActive != nil {
		p.b.Store(&binding{sessions: cfg.Sessions, active: cfg.UserActive})
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

func orDefault(d time.Duration) time.Duration {
	if d == 0 {
		return DefaultCeremonyTimeout
	}
	return d
}

// checkOrigin accepts an origin whose host is rpID or under it, over
// https, or over http on localhost (as browsers do).
func checkOrigin(o, rpID string) error {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("passkey: Config.RPOrigins: %q is not an origin (scheme://host[:port])", o)
	}
	host := u.Hostname()
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return fmt.Errorf("passkey: Config.RPOrigins: %q is not on the RP ID %q or a subdomain of it", o, rpID)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && (host == "localhost" || strings.HasSuffix(host, ".localhost")):
	default:
		return fmt.Errorf("passkey: Config.RPOrigins: %q must be https (http only on localhost)", o)
	}
	return nil
}

// Kind implements mfa.Factor.
func (p *Passkeys) Kind() string { return Kind }

// Devices implements mfa.Factor: one Device per credential, oldest first.
func (p *Passkeys) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	creds, err := p.store.Credentials(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("passkey: devices of %d: %w", userID, err)
	}
	devs := make([]mfa.Device, len(creds))
	for i, c := range creds {
		devs[i] = Device(c)
	}
	return devs, nil
}

// Device returns the mfa.Device of c.
func Device(c Credential) mfa.Device {
	return mfa.Device{
		Factor: Kind, ID: c.ID, UserID: c.UserID, Name: c.Name,
		PersistentID: PersistentIDPrefix + strconv.FormatInt(c.ID, 10),
	}
}

// Credentials returns the credentials of the user userID, oldest first,
// for pages that list them with their flags and last use.
func (p *Passkeys) Credentials(ctx context.Context, userID int64) ([]Credential, error) {
	creds, err := p.store.Credentials(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("passkey: credentials of %d: %w", userID, err)
	}
	return creds, nil
}

// Rename renames the credential id of the user userID. A credential that
// is not the user's gives mfa.ErrNoDevice.
func (p *Passkeys) Rename(ctx context.Context, userID, id int64, name string) error {
	name, err := cleanName(name)
	if err != nil {
		return err
	}
	if err := p.store.RenameCredential(ctx, userID, id, name); err != nil {
		return storeErr("rename", err)
	}
	return nil
}

// Remove deletes the credential id of the user userID. A credential that
// is not the user's gives mfa.ErrNoDevice.
func (p *Passkeys) Remove(ctx context.Context, userID, id int64) error {
	if err := p.store.DeleteCredential(ctx, userID, id); err != nil {
		return storeErr("remove", err)
	}
	return nil
}

func storeErr(op string, err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("passkey: %s: %w", op, mfa.ErrNoDevice)
	}
	return fmt.Errorf("passkey: %s: %w", op, err)
}

// cleanName trims name, defaults it to DefaultName and checks it.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return DefaultName, nil
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLength {
		return "", fmt.Errorf("%w: at most %d characters", ErrInvalidName, MaxNameLength)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "", fmt.Errorf("%w: control characters are not allowed", ErrInvalidName)
		}
	}
	return name, nil
}

// handle returns the user's WebAuthn user handle, making a random one on
// first use. It is never the user's ID or username.
func (p *Passkeys) handle(ctx context.Context, userID int64) ([]byte, error) {
	candidate := make([]byte, userHandleLen)
	if _, err := rand.Read(candidate); err != nil {
		return nil, err
	}
	h, err := p.store.UserHandle(ctx, userID, candidate)
	if err != nil {
		return nil, fmt.Errorf("passkey: user handle of %d: %w", userID, err)
	}
	return h, nil
}

// waUser is a user as go-webauthn sees it.
type waUser struct {
	handle        []byte
	name, display string
	creds         []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte                         { return u.handle }
func (u *waUser) WebAuthnName() string                       { return u.name }
func (u *waUser) WebAuthnDisplayName() string                { return u.display }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// loadUser returns the user userID with their credentials, and those
// credentials as stored.
func (p *Passkeys) loadUser(ctx context.Context, userID int64, name, display string) (*waUser, []Credential, error) {
	h, err := p.handle(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	creds, err := p.store.Credentials(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: credentials of %d: %w", userID, err)
	}
	u := &waUser{handle: h, name: name, display: display}
	for _, c := range creds {
		u.creds = append(u.creds, toWebAuthn(c))
	}
	return u, creds, nil
}

func toWebAuthn(c Credential) webauthn.Credential {
	ts := make([]protocol.AuthenticatorTransport, len(c.Transports))
	for i, t := range c.Transports {
		ts[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID: c.CredentialID, PublicKey: c.PublicKey,
		AttestationType: c.AttestationType, AttestationFormat: c.AttestationFormat,
		Transport: ts,
		Flags: webauthn.CredentialFlags{
			UserPresent: true, UserVerified: c.UserVerified,
			BackupEligible: c.BackupEligible, BackupState: c.BackupState,
		},
		Authenticator: webauthn.Authenticator{
			AAGUID: c.AAGUID, SignCount: c.SignCount, CloneWarning: c.CloneWarning,
			Attachment: protocol.AuthenticatorAttachment(c.Attachment),
		},
	}
}

func fromWebAuthn(wc *webauthn.Credential) Credential {
	ts := make([]string, len(wc.Transport))
	for i, t := range wc.Transport {
		ts[i] = string(t)
	}
	return Credential{
		CredentialID: wc.ID, PublicKey: wc.PublicKey,
		AttestationType: wc.AttestationType, AttestationFormat: wc.AttestationFormat,
		Transports: ts, AAGUID: wc.Authenticator.AAGUID, Attachment: string(wc.Authenticator.Attachment),
		SignCount: wc.Authenticator.SignCount, CloneWarning: wc.Authenticator.CloneWarning,
		UserVerified: wc.Flags.UserVerified, BackupEligible: wc.Flags.BackupEligible, BackupState: wc.Flags.BackupState,
	}
}
