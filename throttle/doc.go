// Package throttle slows down and locks out password guessing: failed
// attempts are counted per account and per client address, each failure
// beyond a few free ones makes the next attempt wait twice as long, and
// too many lock the account (or address) for a cool-off. It is the
// counterpart of django-axes, with gentler defaults (a lockout after 10
// failures for 15 minutes, not 3 for ever).
//
//	counters, err := postgres.NewThrottleStore(pool) // or throttle.NewMemoryStore()
//	proxies, err := throttle.ParseTrustedProxies("10.0.0.0/8") // the load balancers, if any
//	limiter, err := throttle.New(throttle.Config{Store: counters, TrustedProxies: proxies})
//	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: key, Limiter: limiter})
//
// # Counters
//
// A Limiter implements auth.Limiter (set it as auth.Config.Limiter): the
// login page asks it before an attempt (Check), tells it the outcome
// after (Fail, Succeed), and answers a refused attempt with 429 and
// Retry-After without hashing a password. Each call names a scope
// ("login", "password_reset", "password_change") and a key (the
// normalised username, the email, the
// user id). Each Rule has one Policy for the key and a looser one for the
// address, so that many users behind one proxy or NAT are not locked out
// together, while an account under attack is locked whatever addresses
// the attack comes from. A success resets the key's counter and not the
// address's. Refused attempts are not counted, so a lockout ends on time
// however hard it is hammered.
//
// Reserve (auth.AttemptReserver, used by the login page) counts the
// attempt as a failure before it is made, atomically with the lockout
// check (Store.Reserve), and Release gives it back when the password was
// right or no verdict came: however many wrong passwords arrive at once,
// at most LockoutAfter of them are hashed within a CoolOff.
//
// # Client addresses
//
// The client address is r.RemoteAddr unless Config.TrustedProxies says
// the peer is a proxy; only then is X-Forwarded-For read, right to left,
// through trusted hops only (see ClientAddr). IPv6 clients are counted by
// their /64.
//
// # Stores
//
// A Store keeps the counters, shared by every instance of a site:
// MemoryStore here and store/postgres' ThrottleStore (the djauth_throttle
// table, created by postgres.Migrate) both pass the conformance suite in
// throttletest.
package throttle
