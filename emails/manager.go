package emails

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/djauth/auth/signing"
)

// Defaults of Config.
const (
	// DefaultConfirmationExpiry is allauth's
	// ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS, three days.
	DefaultConfirmationExpiry = 3 * 24 * time.Hour
	// DefaultCodeLifetime is how long a typed code is accepted at least;
	// it is accepted for up to twice as long.
	DefaultCodeLifetime = 15 * time.Minute
	// Salt is allauth's ACCOUNT_SALT default ("account"), under which its
	// EmailConfirmationHMAC signs keys.
	Salt = "account"
)

// Config configures NewManager.
type Config struct {
	// Store keeps the addresses. Required.
	Store Store
	// SecretKey signs confirmation keys and derives codes: Django's
	// SECRET_KEY, so that keys made by allauth confirm here and the
	// reverse. Required.
	SecretKey string
	// SecretKeyFallbacks also verify keys and codes, never sign them.
	SecretKeyFallbacks []string
	// ConfirmationExpiry is how long a link works. Zero means
	// DefaultConfirmationExpiry.
	ConfirmationExpiry time.Duration
	// CodeLifetime is the lifetime of typed codes (between it and twice
	// it). Zero means DefaultCodeLifetime.
	CodeLifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Manager verifies email addresses: it makes and checks allauth's HMAC
// confirmation keys (the links) and short typed codes, and answers
// whether a user has a verified address. It is safe for concurrent use.
type Manager struct {
	store    Store
	signer   *signing.TimestampSigner
	keys     []string
	expiry   time.Duration
	lifetime time.Duration
	now      func() time.Time
}

// NewManager returns a Manager for cfg, or an error for a missing Store
// or SecretKey or a negative duration.
func NewManager(cfg Config) (*Manager, error) {
	if cfg.Store == nil {
		return nil, errors.New("emails: Config.Store is nil")
	}
	if cfg.SecretKey == "" {
		return nil, errors.New("emails: Config.SecretKey is empty")
	}
	if cfg.ConfirmationExpiry < 0 || cfg.CodeLifetime < 0 {
		return nil, errors.New("emails: negative Config.ConfirmationExpiry or CodeLifetime")
	}
	m := &Manager{
		store:    cfg.Store,
		keys:     append([]string{cfg.SecretKey}, cfg.SecretKeyFallbacks...),
		expiry:   cfg.ConfirmationExpiry,
		lifetime: cfg.CodeLifetime,
		now:      cfg.Now,
	}
	if m.expiry == 0 {
		m.expiry = DefaultConfirmationExpiry
	}
	if m.lifetime == 0 {
		m.lifetime = DefaultCodeLifetime
	}
	if m.now == nil {
		m.now = time.Now
	}
	s, err := signing.NewTimestampSigner(signing.Config{
		Key: cfg.SecretKey, FallbackKeys: cfg.SecretKeyFallbacks, Salt: Salt, Now: m.now,
	})
	if err != nil {
		return nil, fmt.Errorf("emails: %w", err)
	}
	m.signer = s
	return m, nil
}

// Store returns Config.Store.
func (m *Manager) Store() Store { return m.store }

// Key returns the confirmation key of a, as allauth's
// EmailConfirmationHMAC.key makes it: signing.dumps(a.pk, salt="account").
func (m *Manager) Key(a Address) (string, error) {
	return m.signer.SignObject(a.ID)
}

// AddressForKey returns the unverified address that key confirms, without
// confirming it: the page a link opens shows it and asks for a POST, so
// that a mail scanner following the link burns nothing. A key that is
// forged, expired, or whose address is gone or already verified gives
// ErrInvalidKey.
func (m *Manager) AddressForKey(ctx context.Context, key string) (Address, error) {
	var id int64
	if len(key) > 256 {
		return Address{}, ErrInvalidKey
	}
	if err := m.signer.UnsignObjectMaxAge(key, m.expiry, &id); err != nil {
		return Address{}, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	a, err := m.store.GetAddress(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Address{}, ErrInvalidKey
	}
	if err != nil {
		return Address{}, err
	}
	if a.Verified {
		return Address{}, ErrInvalidKey
	}
	return a, nil
}

// ConfirmKey verifies the address that key confirms (see AddressForKey)
// and returns it as it now is.
func (m *Manager) ConfirmKey(ctx context.Context, key string) (Address, error) {
	a, err := m.AddressForKey(ctx, key)
	if err != nil {
		return Address{}, err
	}
	return m.store.VerifyAddress(ctx, a.ID)
}

// ConfirmCode verifies the unverified address SameEmail as email whose
// current code is code (see Code) and returns it. A wrong or old code, or
// one for an address already verified, gives ErrInvalidKey: once used,
// a code confirms nothing more. The caller throttles attempts (the
// accounts pages count them per address and per client).
func (m *Manager) ConfirmCode(ctx context.Context, email, code string) (Address, error) {
	code, ok := normalizeCode(code)
	if !ok {
		return Address{}, ErrInvalidKey
	}
	found, err := m.store.FindAddresses(ctx, email)
	if err != nil {
		return Address{}, err
	}
	for _, a := range found {
		if !a.Verified && m.checkCode(a, code) {
			return m.store.VerifyAddress(ctx, a.ID)
		}
	}
	return Address{}, ErrInvalidKey
}

// Verified reports whether the user has a verified address (allauth's
// has_verified_email).
func (m *Manager) Verified(ctx context.Context, userID int64) (bool, error) {
	as, err := m.store.UserAddresses(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, a := range as {
		if a.Verified {
			return true, nil
		}
	}
	return false, nil
}

// HasVerified reports whether the user has email as a verified address,
// compared as SameEmail; it has the shape of orgs.Config.EmailVerified.
func (m *Manager) HasVerified(ctx context.Context, userID int64, email string) (bool, error) {
	ids, err := m.VerifiedUsers(ctx, email)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, userID), nil
}

// VerifiedUsers returns the IDs of the users who have email as a verified
// address (allauth's get_users_for): the only ones a password reset or a
// passwordless login for email may reach.
func (m *Manager) VerifiedUsers(ctx context.Context, email string) ([]int64, error) {
	as, err := m.store.FindAddresses(ctx, email)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, a := range as {
		if a.Verified {
			ids = append(ids, a.UserID)
		}
	}
	return ids, nil
}

// MakePrimary makes the user's verified address the primary one and the
// user's email, and returns the address that was primary before (zero
// when none), to be told of the change. An unverified address gives
// ErrUnverified: it would become the address password resets go to.
func (m *Manager) MakePrimary(ctx context.Context, userID, id int64) (Address, error) {
	a, err := m.store.GetAddress(ctx, id)
	if err != nil {
		return Address{}, err
	}
	if a.UserID != userID {
		return Address{}, ErrNotFound
	}
	if !a.Verified {
		return Address{}, ErrUnverified
	}
	return m.store.SetPrimary(ctx, userID, id)
}
