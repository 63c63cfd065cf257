// Package hashers is a port of Django's django.contrib.auth.hashers: it
// makes and checks password hashes in Django's stored formats, so that a
// hash written by any Django release verifies here and a hash made here
// verifies in Django. Defaults are those of Django 6.0.
//
// # Hashers
//
// Each algorithm is a type named after Django's class without the
// PasswordHasher suffix. Its zero value uses Django 6.0's parameters and
// its fields override them:
//
//	PBKDF2        pbkdf2_sha256$1200000$<salt>$<base64 32 bytes>
//	PBKDF2SHA1    pbkdf2_sha1$1200000$<salt>$<base64 20 bytes>
//	Argon2        argon2$argon2id$v=19$m=102400,t=2,p=8$<b64 salt>$<b64 32 bytes>
//	BCryptSHA256  bcrypt_sha256$$2b$12$<salt><hash>  (bcrypt of hex SHA-256)
//	BCrypt        bcrypt$$2b$12$<salt><hash>
//	Scrypt        scrypt$16384$<salt>$8$5$<base64 64 bytes>
//	MD5           md5$<salt>$<hex>
//
// and, to import old databases, the verify-only SHA1 (sha1$<salt>$<hex>),
// UnsaltedSHA1 (sha1$$<hex>) and UnsaltedMD5 (a bare 32-digit hex digest,
// or md5$$<hex>), whose Encode returns ErrVerifyOnly. Django 6.0 removed
// these three; they are never in [Default].
//
// Argon2 verifies every format Django has stored: argon2id and argon2i (and
// argon2d), version 19, or version 16 with or without the "v=" field, with
// whatever hash length is stored. golang.org/x/crypto/argon2 only computes
// version 19 argon2i/argon2id; the other cases use internal/argon2ref, a
// copy of x/crypto's portable code extended with version 16 and argon2d,
// checked against the reference implementation's test vectors.
//
// Salts are 22 characters from [a-zA-Z0-9] (at least 128 bits) drawn from
// crypto/rand without bias, as Django makes them; bcrypt makes its own.
//
// # Registry
//
// A [Registry] is Django's PASSWORD_HASHERS: an ordered list whose first
// hasher makes new hashes. [Default] returns a fresh one with Django 6.0's
// list (PBKDF2, PBKDF2SHA1, Argon2, BCryptSHA256, Scrypt); there is no
// global state. A login path uses:
//
//	ok, mustUpdate, err := reg.Check(ctx, password, user.Password)
//	if ok && mustUpdate { user.Password, _ = reg.Make(ctx, password); save(user) }
//	err := reg.RunDummy(ctx, password)  // when no such user exists
//	reg.IsUsable(user.Password) / reg.MakeUnusable()
//
// [ForDjango] returns instead the list and work factors of a given Django
// release ("3.2" to "6.0"), for a service that shares its user table with
// a Django site of that release: then neither side re-hashes what the
// other made, which would end the user's sessions on the other side.
//
// Check follows Django's verify_password: mustUpdate is true when the
// stored algorithm is not the preferred one, when the preferred hasher's
// MustUpdate says its parameters differ (PBKDF2 iterations; argon2 variety,
// version, time, memory, parallelism and hash length; bcrypt rounds; scrypt
// N, r and p) or when the salt has under 128 bits. Unlike Django's
// verify_password, mustUpdate is only ever true for a correct password
// (Django only calls its setter then). An empty or unidentifiable value
// returns false with an error wrapping ErrUnknownAlgorithm; an unusable one
// ("!...") returns false and no error. [IsUsable] follows Django's
// is_password_usable exactly: only values starting with "!" are unusable,
// and the empty string counts as usable (it never verifies). Make("")
// hashes the empty password, like Django's make_password("").
//
// # Timing
//
// No caller can tell from the time taken whether a user exists, has a
// usable password, or typed the wrong one: Check runs the preferred hasher
// once for an unusable, unknown or malformed value (Django runs
// make_password), RunDummy does the same for a login naming no user
// (Django's ModelBackend calls set_password), and a wrong password against
// an older hash of the preferred algorithm is topped up by HardenRuntime
// (PBKDF2: the missing iterations; bcrypt: 2^(rounds difference)-1 extra
// runs; argon2 and scrypt: nothing, as in Django). The tests prove this by
// counting hasher runs, as Django's tests do. Comparisons use crypto/subtle.
// A 1 MB password costs about as much as a short one: HMAC digests a long
// key once, argon2 and scrypt read the password once, and bcrypt_sha256
// digests it first.
//
// # Concurrency and memory
//
// Argon2 at Django's defaults allocates 100 MiB per hash. A registry lets
// at most Options.MaxConcurrent hash computations run at once
// (runtime.NumCPU() by default) and makes the others wait; Make, Check and
// RunDummy give up when their context ends while waiting (a started hash is
// never interrupted), and after Options.MaxWait ([DefaultMaxWait], 5 s, by
// default) with an error wrapping [ErrBusy], so that an overload sheds
// requests instead of queueing them without bound. Peak memory is thus about
// MaxConcurrent times the preferred hasher's, per registry: give one
// registry to everything that hashes.
//
// # Limits
//
// Parameters read from stored values are bounded so that a corrupt or
// hostile value can neither allocate without bound nor run for hours;
// values outside them fail with an error wrapping ErrParameterOutOfRange,
// and unparsable values with ErrMalformed. Nothing panics.
//
//	PBKDF2   1 <= iterations <= 100,000,000; salt 1..1024 bytes; key of exactly the digest size
//	Argon2   1 <= t <= 1024; 8*p <= m <= 1,048,576 KiB (1 GiB); m*t <= 2^25;
//	         1 <= p <= 255; salt 8..1024 bytes; hash 4..1024 bytes; version 16 or 19
//	bcrypt   cost 4..20 (bcrypt allows 31, which takes days); $2a$, $2b$, $2y$
//	scrypt   N a power of two >= 2; r, p >= 1; 128*r*(N+p) <= 1 GiB; N*r*p <= 2^26;
//	         key of exactly 64 bytes
//	MD5/SHA1 hex digest of exactly the digest size; salt 1..1024 bytes
//
// Parameters are written in decimal without sign or leading zeros, as
// Django writes them (a value with leading zeros could never verify in
// Django either).
//
// # Compatibility notes
//
// Plain bcrypt reads only the first 72 bytes of a password: Verify does the
// same, matching Django with bcrypt before 5.0 (with bcrypt 5.0 Django
// raises instead); Encode returns ErrPasswordTooLong rather than truncate.
// Django's scrypt passes maxmem=0, so OpenSSL's 32 MiB default limits the
// scrypt parameters Django itself can compute; this package allows more.
package hashers
