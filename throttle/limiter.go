package throttle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"
)

// Scopes used by packages auth and accounts; a Limiter accepts any other
// scope too, with the login Rule unless Config.Rules has one for it.
const (
	// ScopeLogin counts failed logins by normalised username.
	ScopeLogin = "login"
	// ScopePasswordReset counts password reset requests by email.
	ScopePasswordReset = "password_reset"
	// ScopePasswordChange counts failed password changes by user id.
	ScopePasswordChange = "password_change"
	// ScopeSignup counts every sign-up by client address (package
	// accounts; its key is empty).
	ScopeSignup = "signup"
	// ScopeEmailSend counts requests that may send a verification mail,
	// by email.
	ScopeEmailSend = "email_send"
	// ScopeEmailCode counts wrong email verification codes, by email or
	// user.
	ScopeEmailCode = "email_code"
	// ScopePasswordless counts passwordless login mails by email, as
	// password resets (package passwordless's ScopeRequest).
	ScopePasswordless = "passwordless"
	// ScopePasswordlessCode counts wrong passwordless codes and links by
	// user, as logins (package passwordless's ScopeCode).
	ScopePasswordlessCode = "passwordless_code"
)

// Policy is how one counter slows down and locks: the first FreeFailures
// failures cost nothing; after each further one the next attempt must
// wait BaseDelay after it, doubling with every failure up to MaxDelay;
// after LockoutAfter consecutive failures, attempts are refused until
// CoolOff after the last failure. A counter left alone for CoolOff starts
// again from zero.
type Policy struct {
	FreeFailures int
	BaseDelay    time.Duration
	MaxDelay     time.Duration
	// LockoutAfter is the number of failures that locks; 0 means the
	// default and a negative value never locks (the delays still apply).
	LockoutAfter int
	CoolOff      time.Duration
}

// Rule is the pair of policies of one scope: Key for the scope's own key
// (the account), Address for the client address. Address limits should be
// looser than Key ones, so that one address behind a proxy or NAT does not
// lock out everyone behind it.
type Rule struct {
	Key     Policy
	Address Policy
}

// DefaultRules are the rules of a zero Config. Logins: three free
// failures per account, then 1s, 2s, 4s… up to 1 minute, locked after 10
// for 15 minutes (NIST SP 800-63B allows up to 100); per address, 30 free
// failures and a lockout after 300. Password reset mails count every
// request: two mails per email without waiting, then 1 minute doubling
// to 15, and none after 5 for an hour; per address 10 free, locked after 100.
// Password changes, passwordless codes and email verification codes: as
// logins, per user or address. Passwordless login mails and verification
// mails: as reset mails. Sign-ups, per client address: 5 without waiting,
// then 1 minute doubling to 15, locked after 20 for an hour.
func DefaultRules() map[string]Rule {
	login := Rule{
		Key:     Policy{FreeFailures: 3, BaseDelay: time.Second, MaxDelay: time.Minute, LockoutAfter: 10, CoolOff: 15 * time.Minute},
		Address: Policy{FreeFailures: 30, BaseDelay: time.Second, MaxDelay: time.Minute, LockoutAfter: 300, CoolOff: 15 * time.Minute},
	}
	mails := Rule{
		Key:     Policy{FreeFailures: 1, BaseDelay: time.Minute, MaxDelay: 15 * time.Minute, LockoutAfter: 5, CoolOff: time.Hour},
		Address: Policy{FreeFailures: 10, BaseDelay: 10 * time.Second, MaxDelay: 5 * time.Minute, LockoutAfter: 100, CoolOff: time.Hour},
	}
	signup := Policy{FreeFailures: 5, BaseDelay: time.Minute, MaxDelay: 15 * time.Minute, LockoutAfter: 20, CoolOff: time.Hour}
	return map[string]Rule{
		ScopeLogin:            login,
		ScopePasswordReset:    mails,
		ScopePasswordChange:   login,
		ScopePasswordless:     mails,
		ScopePasswordlessCode: login,
		ScopeSignup:           {Key: signup, Address: signup},
		ScopeEmailSend:        mails,
		ScopeEmailCode:        login,
	}
}

// Config configures New. Only Store is required.
type Config struct {
	// Store keeps the counters; use one store shared by every instance.
	Store Store
	// Rules are the policies by scope. A scope missing here uses
	// DefaultRules' rule of the same name, or the login rule; a zero
	// field of a Policy means the default's value.
	Rules map[string]Rule
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (see ClientAddr). Empty means none: the client is r.RemoteAddr.
	TrustedProxies []netip.Prefix
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ErrConfig is wrapped by the errors of New.
var ErrConfig = errors.New("throttle: invalid configuration")

// Limiter counts failures per key and per client address and decides
// whether an attempt may go ahead. It implements auth.Limiter. It is safe
// for concurrent use.
type Limiter struct {
	store   Store
	rules   map[string]Rule
	trusted []netip.Prefix
	now     func() time.Time
}

// New checks cfg and returns a Limiter.
func New(cfg Config) (*Limiter, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: Config.Store is required", ErrConfig)
	}
	l := &Limiter{store: cfg.Store, rules: DefaultRules(), trusted: append([]netip.Prefix(nil), cfg.TrustedProxies...), now: cfg.Now}
	if l.now == nil {
		l.now = time.Now
	}
	for scope, r := range cfg.Rules {
		def, ok := l.rules[scope]
		if !ok {
			def = l.rules[ScopeLogin]
		}
		r.Key, r.Address = r.Key.withDefaults(def.Key), r.Address.withDefaults(def.Address)
		for _, p := range []Policy{r.Key, r.Address} {
			if p.FreeFailures < 0 || p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay || p.CoolOff < p.MaxDelay {
				return nil, fmt.Errorf("%w: rule %q: need FreeFailures >= 0 and 0 <= BaseDelay <= MaxDelay <= CoolOff", ErrConfig, scope)
			}
		}
		l.rules[scope] = r
	}
	return l, nil
}

func (p Policy) withDefaults(def Policy) Policy {
	if p.FreeFailures == 0 {
		p.FreeFailures = def.FreeFailures
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = def.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = max(def.MaxDelay, p.BaseDelay)
	}
	if p.LockoutAfter == 0 {
		p.LockoutAfter = def.LockoutAfter
	}
	if p.CoolOff == 0 {
		p.CoolOff = max(def.CoolOff, p.MaxDelay)
	}
	return p
}

// blockedUntil returns when a counter with n failures, the last at last,
// lets the next attempt through, and whether that is a lockout. A zero
// time means it is not blocked at all.
func (p Policy) blockedUntil(n int, last time.Time) (time.Time, bool) {
	if p.LockoutAfter > 0 && n >= p.LockoutAfter {
		return last.Add(p.CoolOff), true
	}
	if n <= p.FreeFailures {
		return time.Time{}, false
	}
	d := p.BaseDelay
	for i := p.FreeFailures + 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return last.Add(min(d, p.MaxDelay)), false
}

// clock is the time now, truncated to the microsecond that PostgreSQL
// keeps, so that a counter read back compares as it was written.
func (l *Limiter) clock() time.Time { return l.now().Truncate(time.Microsecond) }

// expireBefore is the Store.Fail argument at now: a counter whose last
// failure is CoolOff or more ago has expired, so the instant a lockout
// ends is also the instant its counter starts again from zero.
func (p Policy) expireBefore(now time.Time) time.Time {
	return now.Add(-p.CoolOff + time.Microsecond)
}

func (p Policy) expired(rec Record, now time.Time) bool {
	return rec.Last.Before(p.expireBefore(now))
}

func (l *Limiter) rule(scope string) Rule {
	if r, ok := l.rules[scope]; ok {
		return r
	}
	return l.rules[ScopeLogin]
}

// ClientAddr is ClientAddr(r, Config.TrustedProxies).
func (l *Limiter) ClientAddr(r *http.Request) netip.Addr {
	return ClientAddr(r, l.trusted)
}

func (l *Limiter) keys(r *http.Request, scope, key string) [2]Key {
	return [2]Key{
		{Scope: scope, Kind: KindKey, Value: key},
		{Scope: scope, Kind: KindAddress, Value: addressKey(l.ClientAddr(r))},
	}
}

func (l *Limiter) policy(scope string, k Kind) Policy {
	if k == KindAddress {
		return l.rule(scope).Address
	}
	return l.rule(scope).Key
}

// decide combines the two counters: the longest wait wins, and the
// attempt is a lockout when the counter that makes it wait longest is
// locked.
func decide(now time.Time, until [2]time.Time, locked [2]bool) (time.Duration, bool) {
	var wait time.Duration
	var lock bool
	for i := range until {
		if d := until[i].Sub(now); d > 0 && (d > wait || (d == wait && locked[i])) {
			wait, lock = d, locked[i]
		}
	}
	return wait, lock
}

// Check reports whether an attempt of scope for key (an empty key counts
// the address alone) from r may go ahead now: retryAfter is zero when it
// may, and otherwise how long to wait; locked says the wait is a lockout
// rather than a delay. Check records nothing: refused attempts are not
// failures, so hammering a locked account does not prolong its lockout.
func (l *Limiter) Check(ctx context.Context, r *http.Request, scope, key string) (retryAfter time.Duration, locked bool, err error) {
	now := l.clock()
	var until [2]time.Time
	var locks [2]bool
	for i, k := range l.keys(r, scope, key) {
		if k.Kind == KindKey && key == "" {
			continue
		}
		rec, err := l.store.Get(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, false, fmt.Errorf("throttle: check %s: %w", scope, err)
		}
		p := l.policy(scope, k.Kind)
		if p.expired(rec, now) {
			continue
		}
		until[i], locks[i] = p.blockedUntil(rec.Failures, rec.Last)
	}
	wait, lock := decide(now, until, locks)
	return wait, lock, nil
}

// Reserve is Check that, when it lets the attempt through, also counts it
// as a failure of key and of r's address before the attempt is made,
// atomically with the lockout check (Store.Reserve), so that concurrent
// attempts cannot overshoot the lockout: at most LockoutAfter attempts of
// a counter get through within its CoolOff, however many run at once. It
// implements auth.AttemptReserver. An attempt that failed needs nothing
// more; one that did not calls Release (and, after a right password,
// Succeed).
func (l *Limiter) Reserve(ctx context.Context, r *http.Request, scope, key string) (retryAfter time.Duration, locked bool, err error) {
	if wait, lock, err := l.Check(ctx, r, scope, key); err != nil || wait > 0 {
		return wait, lock, err
	}
	now := l.clock()
	var taken []Key
	release := func() error {
		for _, k := range taken {
			if err := l.store.Release(context.WithoutCancel(ctx), k); err != nil {
				return err
			}
		}
		return nil
	}
	for _, k := range l.keys(r, scope, key) {
		if k.Kind == KindKey && key == "" {
			continue
		}
		p := l.policy(scope, k.Kind)
		rec, ok, err := l.store.Reserve(ctx, k, now, p.expireBefore(now), p.LockoutAfter)
		if err != nil {
			if rerr := release(); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return 0, false, fmt.Errorf("throttle: reserve %s: %w", scope, err)
		}
		if !ok {
			if err := release(); err != nil {
				return 0, false, fmt.Errorf("throttle: reserve %s: %w", scope, err)
			}
			until, _ := p.blockedUntil(rec.Failures, rec.Last)
			// At the limit: locked until CoolOff after its last failure,
			// at least a microsecond so that the refusal is one.
			return max(until.Sub(now), time.Microsecond), true, nil
		}
		taken = append(taken, k)
	}
	return 0, false, nil
}

// Release takes back the failures that Reserve counted for an attempt
// that did not fail: after a right password (call Succeed too) or when
// there was no verdict (no hashing slot, a store error).
func (l *Limiter) Release(ctx context.Context, r *http.Request, scope, key string) error {
	for _, k := range l.keys(r, scope, key) {
		if k.Kind == KindKey && key == "" {
			continue
		}
		if err := l.store.Release(ctx, k); err != nil {
			return fmt.Errorf("throttle: release %s: %w", scope, err)
		}
	}
	return nil
}

// Fail records a failed attempt of scope for key (and for the address of
// r) and returns the wait that the next attempt now faces, as Check
// would; locked is true when this failure or an earlier one locked the
// key or the address.
func (l *Limiter) Fail(ctx context.Context, r *http.Request, scope, key string) (retryAfter time.Duration, locked bool, err error) {
	now := l.clock()
	var until [2]time.Time
	var locks [2]bool
	for i, k := range l.keys(r, scope, key) {
		if k.Kind == KindKey && key == "" {
			continue
		}
		p := l.policy(scope, k.Kind)
		rec, err := l.store.Fail(ctx, k, now, p.expireBefore(now))
		if err != nil {
			return 0, false, fmt.Errorf("throttle: record %s failure: %w", scope, err)
		}
		until[i], locks[i] = p.blockedUntil(rec.Failures, rec.Last)
	}
	wait, lock := decide(now, until, locks)
	return wait, lock, nil
}

// Succeed records a successful attempt: it resets the counter of key, and
// not the address's, so that an attacker cannot clear an address's count
// by logging into an account of their own.
func (l *Limiter) Succeed(ctx context.Context, r *http.Request, scope, key string) error {
	if key == "" {
		return nil
	}
	if err := l.store.Reset(ctx, Key{Scope: scope, Kind: KindKey, Value: key}); err != nil {
		return fmt.Errorf("throttle: reset %s: %w", scope, err)
	}
	return nil
}

// Lockout is a counter as an operator sees it.
type Lockout struct {
	Record
	// Until is when the next attempt is let through; before the last
	// failure when it is not blocked.
	Until time.Time
	// Locked is true for a lockout, false for a delay or nothing.
	Locked bool
}

// Blocked reports whether the counter blocks attempts at now.
func (o Lockout) Blocked(now time.Time) bool { return o.Until.After(now) }

// Lockouts returns every counter that has not expired (failed within its
// policy's CoolOff), with when it lets attempts through again.
func (l *Limiter) Lockouts(ctx context.Context) ([]Lockout, error) {
	now := l.clock()
	longest := time.Duration(0)
	for _, r := range l.rules {
		longest = max(longest, r.Key.CoolOff, r.Address.CoolOff)
	}
	recs, err := l.store.List(ctx, now.Add(-longest))
	if err != nil {
		return nil, fmt.Errorf("throttle: list: %w", err)
	}
	var out []Lockout
	for _, rec := range recs {
		p := l.policy(rec.Scope, rec.Kind)
		if p.expired(rec, now) {
			continue
		}
		until, locked := p.blockedUntil(rec.Failures, rec.Last)
		out = append(out, Lockout{Record: rec, Until: until, Locked: locked})
	}
	return out, nil
}

// Reset deletes the counters of value (a key or an address, as Lockouts
// shows them) of kind in every scope and returns how many it deleted.
func (l *Limiter) Reset(ctx context.Context, kind Kind, value string) (int, error) {
	recs, err := l.store.List(ctx, time.Time{})
	if err != nil {
		return 0, fmt.Errorf("throttle: reset: %w", err)
	}
	n := 0
	for _, rec := range recs {
		if rec.Kind == kind && rec.Value == value {
			if err := l.store.Reset(ctx, rec.Key); err != nil {
				return n, fmt.Errorf("throttle: reset: %w", err)
			}
			n++
		}
	}
	return n, nil
}

// Prune deletes counters that have expired under every rule.
func (l *Limiter) Prune(ctx context.Context) (int, error) {
	longest := time.Duration(0)
	for _, r := range l.rules {
		longest = max(longest, r.Key.CoolOff, r.Address.CoolOff)
	}
	return l.store.Prune(ctx, l.clock().Add(-longest))
}

// AddressKey returns the counter value that the address of the client of
// r is counted under (an IPv4 address, an IPv6 /64), as Lockouts shows it
// and Reset takes it.
func (l *Limiter) AddressKey(r *http.Request) string { return addressKey(l.ClientAddr(r)) }

// AddressKeyOf is the counter value of a (IPv4 address, IPv6 /64).
func AddressKeyOf(a netip.Addr) string { return addressKey(a.Unmap()) }
