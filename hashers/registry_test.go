package hashers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// cheap hashers used by most tests.
var (
	cheapPBKDF2 = PBKDF2{Iterations: 10}
	cheapArgon2 = Argon2{TimeCost: 1, MemoryCost: 64, Parallelism: 2}
	cheapBcrypt = BCryptSHA256{Rounds: 4}
	cheapScrypt = Scrypt{WorkFactor: 16, BlockSize: 2, Parallelism: 1}
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	makers := []Hasher{cheapPBKDF2, PBKDF2SHA1{Iterations: 10}, cheapArgon2, cheapBcrypt, BCrypt{Rounds: 4}, cheapScrypt, MD5{}}
	passwords := []string{"lètmein", "", " ", "пароль 🔑", strings.Repeat("p", 72), "with$dollar"}
	for _, h := range makers {
		t.Run(h.Algorithm(), func(t *testing.T) {
			t.Parallel()
			r := New(append([]Hasher{h}, all().Hashers()...)...)
			for _, pw := range passwords {
				enc, err := r.Make(t.Context(), pw)
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(enc, h.Algorithm()+"$"), enc)
				assert.True(t, r.IsUsable(enc))
				got, err := r.Identify(enc)
				require.NoError(t, err)
				assert.Equal(t, h.Algorithm(), got.Algorithm())

				ok, upd, err := r.Check(t.Context(), pw, enc)
				require.NoError(t, err)
				assert.True(t, ok, "%q %s", pw, enc)
				assert.False(t, upd, "fresh hash must not need an update: %s", enc)
				for _, wrong := range []string{pw + "x", "x" + pw, " "} {
					if wrong == pw || (h.Algorithm() == "bcrypt" && len(pw) >= 72 && strings.HasPrefix(wrong, pw)) {
						continue // plain bcrypt reads 72 bytes only
					}
					ok, upd, err = r.Check(t.Context(), wrong, enc)
					require.NoError(t, err)
					assert.False(t, ok, "%q against %s", wrong, enc)
					assert.False(t, upd)
				}
				enc2, err := r.Make(t.Context(), pw)
				require.NoError(t, err)
				assert.NotEqual(t, enc, enc2, "salt must be random")
			}
		})
	}
}

// TestBcryptMatchesXCrypto cross-checks our bcrypt core with x/crypto.
func TestBcryptMatchesXCrypto(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", "a", "lètmein", strings.Repeat("z", 72)} {
		enc, err := BCrypt{Rounds: 4}.Encode(pw, BCrypt{Rounds: 4}.Salt())
		require.NoError(t, err)
		require.NoError(t, bcrypt.CompareHashAndPassword([]byte(strings.TrimPrefix(enc, "bcrypt$")), []byte(pw)))
		x, err := bcrypt.GenerateFromPassword([]byte(pw), 5)
		require.NoError(t, err)
		ok, err := BCrypt{}.Verify(pw, "bcrypt$"+string(x))
		require.NoError(t, err)
		assert.True(t, ok)
	}
}

func TestBcryptLongPassword(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 72) + "tail"
	_, err := BCrypt{Rounds: 4}.Encode(long, BCrypt{Rounds: 4}.Salt())
	assert.ErrorIs(t, err, ErrPasswordTooLong)
	_, err = BCrypt{Rounds: 4}.Encode("nul\x00byte", BCrypt{Rounds: 4}.Salt())
	assert.Error(t, err)

	// bcrypt_sha256 digests first, so no truncation (Django's test).
	pw := "VSK0UYV6FFQVZ0KG88DYN9WADAADZO1CTSIVDJUNZSUML6IBX7LN7ZS3R5JGB3RGZ7VI7G7DJQ9NI8BQFSRPTG6UWTTVESA5ZPUN"
	enc, err := cheapBcrypt.Encode(pw, cheapBcrypt.Salt())
	require.NoError(t, err)
	ok, _ := cheapBcrypt.Verify(pw, enc)
	assert.True(t, ok)
	ok, _ = cheapBcrypt.Verify(pw[:72], enc)
	assert.False(t, ok)
}

func TestEncodeInvalidSalt(t *testing.T) {
	t.Parallel()
	for _, h := range []Hasher{MD5{}, cheapPBKDF2, PBKDF2SHA1{Iterations: 1}, cheapScrypt} {
		for _, salt := range []string{"", "sea$salt"} {
			_, err := h.Encode("password", salt)
			assert.ErrorIs(t, err, ErrInvalidSalt, "%s %q", h.Algorithm(), salt)
		}
	}
	_, err := cheapArgon2.Encode("password", "short")
	assert.ErrorIs(t, err, ErrInvalidSalt)
	_, err = cheapBcrypt.Encode("password", "seasalt")
	assert.ErrorIs(t, err, ErrInvalidSalt)
	for _, h := range []Hasher{SHA1{}, UnsaltedSHA1{}, UnsaltedMD5{}} {
		_, err := h.Encode("password", "seasalt")
		assert.ErrorIs(t, err, ErrVerifyOnly)
	}
}

func TestSaltAndUnusable(t *testing.T) {
	t.Parallel()
	s := NewSalt()
	assert.Len(t, s, 22)
	assert.False(t, mustUpdateSalt(s, SaltEntropy))
	assert.True(t, mustUpdateSalt(s[:21], SaltEntropy))
	assert.True(t, mustUpdateSalt("iodizedsalt", SaltEntropy))
	seen := map[rune]bool{}
	for range 200 {
		for _, c := range RandomString(50) {
			require.True(t, strings.ContainsRune(RandomStringChars, c))
			seen[c] = true
		}
	}
	assert.Len(t, seen, 62, "every character of the alphabet appears")

	r := New(MD5{})
	u := r.MakeUnusable()
	assert.Len(t, u, 41)
	assert.True(t, strings.HasPrefix(u, "!"))
	assert.False(t, r.IsUsable(u))
	assert.NotEqual(t, u, r.MakeUnusable())
	for _, p := range []string{"", "!", u, "lètmein"} {
		ok, upd, err := r.Check(t.Context(), p, u)
		assert.NoError(t, err)
		assert.False(t, ok)
		assert.False(t, upd)
	}
	_, err := r.Identify(u)
	assert.ErrorIs(t, err, ErrUnknownAlgorithm)
	// Django: "" and non-hashes are "usable" (they just never verify).
	assert.True(t, r.IsUsable(""))
	assert.True(t, r.IsUsable("lètmein_badencoded"))
}

func TestMustUpdate(t *testing.T) {
	t.Parallel()
	mk := func(h Hasher, salt string) string {
		t.Helper()
		if salt == "" {
			salt = saltFor(h)
		}
		enc, err := h.Encode("lètmein", salt)
		require.NoError(t, err)
		return enc
	}
	cases := []struct {
		name      string
		preferred Hasher
		stored    string
		want      bool
	}{
		{"pbkdf2 same", cheapPBKDF2, mk(cheapPBKDF2, ""), false},
		{"pbkdf2 fewer iterations", cheapPBKDF2, mk(PBKDF2{Iterations: 5}, ""), true},
		{"pbkdf2 more iterations", cheapPBKDF2, mk(PBKDF2{Iterations: 20}, ""), true},
		{"pbkdf2 weak salt", cheapPBKDF2, mk(cheapPBKDF2, "iodizedsalt"), true},
		{"pbkdf2_sha1 stored, sha256 preferred", cheapPBKDF2, mk(PBKDF2SHA1{Iterations: 10}, ""), true},
		{"md5 stored", cheapPBKDF2, mk(MD5{}, ""), true},
		{"md5 preferred strong salt", MD5{}, mk(MD5{}, ""), false},
		{"md5 preferred weak salt", MD5{}, mk(MD5{}, "seasalt"), true},
		{"argon2 same", cheapArgon2, mk(cheapArgon2, ""), false},
		{"argon2 time", cheapArgon2, mk(Argon2{TimeCost: 2, MemoryCost: 64, Parallelism: 2}, ""), true},
		{"argon2 memory", cheapArgon2, mk(Argon2{TimeCost: 1, MemoryCost: 128, Parallelism: 2}, ""), true},
		{"argon2 parallelism", cheapArgon2, mk(Argon2{TimeCost: 1, MemoryCost: 64, Parallelism: 1}, ""), true},
		{"argon2 weak salt", cheapArgon2, mk(cheapArgon2, "abcdefghijk"), true},
		{"argon2i variety", Argon2{TimeCost: 1, MemoryCost: 8, Parallelism: 1}, "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", true},
		{"argon2 v=16", Argon2{TimeCost: 1, MemoryCost: 8, Parallelism: 1}, "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg", true},
		{"argon2 16-byte hash", Argon2{TimeCost: 2, MemoryCost: 102400, Parallelism: 8}, "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", true},
		{"bcrypt same", cheapBcrypt, mk(cheapBcrypt, ""), false},
		{"bcrypt rounds", cheapBcrypt, mk(BCryptSHA256{Rounds: 5}, ""), true},
		{"plain bcrypt stored", cheapBcrypt, mk(BCrypt{Rounds: 4}, ""), true},
		{"scrypt same", cheapScrypt, mk(cheapScrypt, ""), false},
		{"scrypt N", cheapScrypt, mk(Scrypt{WorkFactor: 32, BlockSize: 2, Parallelism: 1}, ""), true},
		{"scrypt r", cheapScrypt, mk(Scrypt{WorkFactor: 16, BlockSize: 1, Parallelism: 1}, ""), true},
		{"scrypt p", cheapScrypt, mk(Scrypt{WorkFactor: 16, BlockSize: 2, Parallelism: 2}, ""), true},
		{"scrypt short salt (Django does not check)", cheapScrypt, mk(cheapScrypt, "seasalt"), false},
		{"unsalted md5", cheapPBKDF2, "5f4dcc3b5aa765d61d8327deb882cf99", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := New(append([]Hasher{c.preferred}, all().Hashers()...)...)
			pw := "lètmein"
			if strings.HasPrefix(c.stored, "argon2$argon2i$") || strings.HasPrefix(c.stored, "argon2$argon2id$v=19$m=102400") {
				pw = "secret"
			}
			if c.stored == "5f4dcc3b5aa765d61d8327deb882cf99" {
				pw = "password"
			}
			ok, upd, err := r.Check(t.Context(), pw, c.stored)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, c.want, upd)
			// mustUpdate is only reported for the right password.
			ok, upd, err = r.Check(t.Context(), pw+"wrong", c.stored)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, upd)
		})
	}
}

func saltFor(h Hasher) string {
	if s, ok := h.(Salter); ok {
		return s.Salt()
	}
	return NewSalt()
}

// counting wraps a hasher and counts its calls, like Django's
// CountingMD5PasswordHasher.
type counting struct {
	Hasher
	encode, verify, harden atomic.Int64
}

func (c *counting) Encode(p, s string) (string, error) {
	c.encode.Add(1)
	return c.Hasher.Encode(p, s)
}

func (c *counting) Verify(p, e string) (bool, error) {
	c.verify.Add(1)
	return c.Hasher.Verify(p, e)
}

func (c *counting) HardenRuntime(p, e string) {
	c.harden.Add(1)
	c.Hasher.HardenRuntime(p, e)
}

func (c *counting) counts() [3]int64 {
	return [3]int64{c.encode.Load(), c.verify.Load(), c.harden.Load()}
}

// TestTimingRunsPreferredHasher proves by counting that every way a login
// can fail costs one run of the preferred hasher.
func TestTimingRunsPreferredHasher(t *testing.T) {
	t.Parallel()
	md5Hash, _ := MD5{}.Encode("lètmein", NewSalt())
	weak, _ := MD5{}.Encode("lètmein", "seasalt")
	cases := []struct {
		name     string
		password string
		encoded  string
		wantErr  error
		want     [3]int64 // encode, verify, harden
	}{
		{"right password", "lètmein", md5Hash, nil, [3]int64{0, 1, 0}},
		{"wrong password", "wrong", md5Hash, nil, [3]int64{0, 1, 0}},
		{"wrong password, outdated hash", "wrong", weak, nil, [3]int64{0, 1, 1}},
		{"right password, outdated hash", "lètmein", weak, nil, [3]int64{0, 1, 0}},
		{"unusable", "lètmein", "!" + RandomString(40), nil, [3]int64{1, 0, 0}},
		{"empty encoded", "lètmein", "", ErrUnknownAlgorithm, [3]int64{1, 0, 0}},
		{"unknown algorithm", "lètmein", "lolcat$salt$hash", ErrUnknownAlgorithm, [3]int64{1, 0, 0}},
		{"malformed", "lètmein", "md5$salt$nothex", ErrMalformed, [3]int64{1, 1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ch := &counting{Hasher: MD5{}}
			r := New(ch)
			_, _, err := r.Check(t.Context(), c.password, c.encoded)
			if c.wantErr != nil {
				assert.ErrorIs(t, err, c.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, c.want, ch.counts())
		})
	}
	t.Run("RunDummy", func(t *testing.T) {
		t.Parallel()
		ch := &counting{Hasher: MD5{}}
		require.NoError(t, New(ch).RunDummy(t.Context(), "whatever"))
		assert.Equal(t, [3]int64{1, 0, 0}, ch.counts())
	})
	t.Run("other algorithm is not hardened", func(t *testing.T) {
		t.Parallel()
		pref := &counting{Hasher: cheapPBKDF2}
		old := &counting{Hasher: MD5{}}
		_, _, err := New(pref, old).Check(t.Context(), "wrong", weak)
		require.NoError(t, err)
		assert.Equal(t, [3]int64{0, 1, 0}, old.counts())
		assert.Equal(t, [3]int64{0, 0, 0}, pref.counts())
	})
}

// TestHardenRuntimeWork counts the PBKDF2 iterations and bcrypt runs spent
// on a wrong password against an older hash: the same as a current hash.
func TestHardenRuntimeWork(t *testing.T) {
	t.Parallel()
	t.Run("pbkdf2", func(t *testing.T) {
		t.Parallel()
		var iterations atomic.Int64
		h := PBKDF2{Iterations: 6, observe: func(n int) { iterations.Add(int64(n)) }}
		old, err := PBKDF2{Iterations: 1}.Encode("letmein", NewSalt())
		require.NoError(t, err)
		r := New(h)
		ok, _, err := r.Check(t.Context(), "wrong_password", old)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.EqualValues(t, 6, iterations.Load(), "1 verify + 5 hardening")
		iterations.Store(0)
		ok, upd, err := r.Check(t.Context(), "letmein", old)
		require.NoError(t, err)
		assert.True(t, ok && upd)
		assert.EqualValues(t, 1, iterations.Load(), "no hardening for the right password")
		iterations.Store(0)
		require.NoError(t, r.RunDummy(t.Context(), "x"))
		assert.EqualValues(t, 6, iterations.Load(), "unknown user costs the preferred iterations")
	})
	t.Run("bcrypt", func(t *testing.T) {
		t.Parallel()
		var work atomic.Int64
		h := BCrypt{Rounds: 6, observe: func(cost int) { work.Add(1 << cost) }}
		old, err := BCrypt{Rounds: 4}.Encode("letmein", BCrypt{Rounds: 4}.Salt())
		require.NoError(t, err)
		ok, _, err := New(h).Check(t.Context(), "wrong_password", old)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.EqualValues(t, 1<<6, work.Load(), "1 verify at cost 4 + 3 hardening runs = 2^6")
	})
}

// blocking is a hasher whose every run waits on a channel, to observe how
// many run at once.
type blocking struct {
	MD5
	active, peak atomic.Int64
	runs         atomic.Int64
	gate         chan struct{}
}

func (b *blocking) run() {
	b.runs.Add(1)
	n := b.active.Add(1)
	for {
		p := b.peak.Load()
		if n <= p || b.peak.CompareAndSwap(p, n) {
			break
		}
	}
	<-b.gate
	b.active.Add(-1)
}

func (b *blocking) Encode(p, s string) (string, error) { b.run(); return b.MD5.Encode(p, s) }
func (b *blocking) Verify(p, e string) (bool, error)   { b.run(); return b.MD5.Verify(p, e) }

func TestMaxConcurrent(t *testing.T) {
	t.Parallel()
	b := &blocking{gate: make(chan struct{})}
	r, err := NewWithOptions(Options{MaxConcurrent: 3}, b)
	require.NoError(t, err)
	enc, _ := MD5{}.Encode("pw", NewSalt())
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			switch i % 3 {
			case 0:
				_, _ = r.Make(t.Context(), "pw")
			case 1:
				_, _, _ = r.Check(t.Context(), "pw", enc)
			default:
				_ = r.RunDummy(t.Context(), "pw")
			}
		})
	}
	// Let them pile up, then release one run at a time.
	require.Eventually(t, func() bool { return b.active.Load() == 3 }, 5*time.Second, time.Millisecond)
	for range 12 {
		b.gate <- struct{}{}
	}
	wg.Wait()
	assert.EqualValues(t, 3, b.peak.Load())

	// A waiting caller can give up.
	b2 := &blocking{gate: make(chan struct{})}
	r2, _ := NewWithOptions(Options{MaxConcurrent: 1}, b2)
	go func() { _, _ = r2.Make(t.Context(), "pw") }()
	require.Eventually(t, func() bool { return b2.active.Load() == 1 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = r2.Check(ctx, "pw", enc)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = r2.Make(ctx, "pw")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, r2.RunDummy(ctx, "pw"), context.DeadlineExceeded)
	b2.gate <- struct{}{}

	_, err = NewWithOptions(Options{MaxConcurrent: -1}, MD5{})
	assert.Error(t, err)
	_, err = NewWithOptions(Options{})
	assert.Error(t, err)
	assert.Panics(t, func() { New() })
}

// TestMaxWait fills every slot with a run that blocks, then proves that
// Make, Check and RunDummy give up with ErrBusy after exactly MaxWait (fake
// time) without running the hasher, and that a freed slot serves again.
func TestMaxWait(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		wait time.Duration
		want time.Duration
	}{
		{"default", 0, DefaultMaxWait},
		{"configured", 1500 * time.Millisecond, 1500 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				b := &blocking{gate: make(chan struct{})}
				r, err := NewWithOptions(Options{MaxConcurrent: 2, MaxWait: c.wait}, b)
				require.NoError(t, err)
				assert.Equal(t, c.want, r.MaxWait())
				assert.Equal(t, 2, r.MaxConcurrent())
				enc, _ := MD5{}.Encode("pw", NewSalt())
				var holders sync.WaitGroup
				for range 2 {
					holders.Go(func() { _ = r.RunDummy(t.Context(), "pw") })
				}
				synctest.Wait()
				require.EqualValues(t, 2, b.active.Load(), "both slots held")

				calls := map[string]func() error{
					"Make": func() error { _, err := r.Make(t.Context(), "pw"); return err },
					"Check": func() error {
						ok, upd, err := r.Check(t.Context(), "pw", enc)
						assert.False(t, ok || upd)
						return err
					},
					"RunDummy": func() error { return r.RunDummy(t.Context(), "pw") },
				}
				for name, call := range calls {
					start := time.Now()
					err := call()
					assert.ErrorIs(t, err, ErrBusy, name)
					assert.NotErrorIs(t, err, context.DeadlineExceeded, name)
					assert.Equal(t, c.want, time.Since(start), name)
				}
				assert.EqualValues(t, 2, b.runs.Load(), "no busy call ran the hasher")

				// A slot freed while a caller waits goes to that caller.
				done := make(chan error)
				go func() { _, err := r.Make(t.Context(), "pw"); done <- err }()
				synctest.Wait()
				b.gate <- struct{}{} // one holder finishes; the waiter runs
				synctest.Wait()
				assert.EqualValues(t, 2, b.active.Load())
				b.gate <- struct{}{}
				b.gate <- struct{}{}
				assert.NoError(t, <-done)
				holders.Wait()
				assert.EqualValues(t, 3, b.runs.Load())
			})
		})
	}
	_, err := NewWithOptions(Options{MaxWait: -time.Second}, MD5{})
	assert.Error(t, err)
}

// TestSlotsPerRegistry: the slot limit belongs to one Registry. With every
// slot of one registry (or of one Default()) held, another registry still
// hashes at once: there is no hidden package-wide semaphore, so a process
// that builds two registries gets two limits (and twice the memory).
func TestSlotsPerRegistry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &blocking{gate: make(chan struct{})}
		r1, err := NewWithOptions(Options{MaxConcurrent: 1}, b)
		require.NoError(t, err)
		d1, d2 := Default(), Default()
		var wg sync.WaitGroup
		wg.Go(func() { _ = r1.RunDummy(t.Context(), "pw") })
		synctest.Wait()
		require.EqualValues(t, 1, b.active.Load())
		// Take every slot of d1 (its hashers are too slow to hold them by
		// running).
		for range d1.MaxConcurrent() {
			require.NoError(t, d1.acquire(t.Context()))
		}
		start := time.Now()
		r2 := New(MD5{})
		_, err = r2.Make(t.Context(), "pw")
		require.NoError(t, err)
		require.NoError(t, d2.acquire(t.Context()), "a second Default() has its own slots")
		d2.release()
		assert.Zero(t, time.Since(start), "no wait for a slot")
		_, err = d1.Make(t.Context(), "pw")
		assert.ErrorIs(t, err, ErrBusy, "d1 itself is full")
		for range d1.MaxConcurrent() {
			d1.release()
		}
		b.gate <- struct{}{}
		wg.Wait()
	})
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	r := all()
	cases := []struct {
		encoded string
		want    error
	}{
		{"pbkdf2_sha256$1000$salt", ErrMalformed},
		{"pbkdf2_sha256$abc$salt$hash", ErrMalformed},
		{"pbkdf2_sha256$-5$salt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=", ErrMalformed},
		{"pbkdf2_sha256$0$salt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=", ErrParameterOutOfRange},
		{"pbkdf2_sha256$1000000000000$salt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=", ErrParameterOutOfRange},
		{"pbkdf2_sha256$99999999999999999999999$salt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=", ErrMalformed},
		{"pbkdf2_sha256$1000$salt$not base64!", ErrMalformed},
		{"pbkdf2_sha256$1000$salt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQd\nBqE=", ErrMalformed},
		{"bcrypt$$2a$07$000000000000\r00\r0000000000000000000000000000000000000", ErrMalformed},
		{"pbkdf2_sha256$1000$$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=", ErrMalformed},
		{"argon2$argon2id$v=19$m=4294967295,t=2,p=8$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2id$v=19$m=1048576,t=1024,p=8$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2id$v=19$m=8,t=1,p=256$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2id$v=19$m=8,t=0,p=1$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2id$v=19$m=8,t=1,p=2$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2id$v=20$m=8,t=1,p=1$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2x$v=19$m=8,t=1,p=1$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2$argon2id$v=19$t=1,m=8,p=1$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$TMa6A8fPJh!", ErrMalformed},
		{"argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdA$TMa6A8fPJhCAUXRhJXCXdw", ErrParameterOutOfRange},
		{"argon2$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$TMa", ErrParameterOutOfRange},
		{"argon2$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ", ErrMalformed},
		{"bcrypt_sha256$$2b$99$" + strings.Repeat("a", 53), ErrParameterOutOfRange},
		{"bcrypt_sha256$$2b$31$" + strings.Repeat("a", 53), ErrParameterOutOfRange},
		{"bcrypt_sha256$$2b$03$" + strings.Repeat("a", 53), ErrParameterOutOfRange},
		{"bcrypt_sha256$$2c$12$" + strings.Repeat("a", 53), ErrMalformed},
		{"bcrypt_sha256$$2b$12$" + strings.Repeat("a", 52), ErrMalformed},
		{"bcrypt$$2b$1x$" + strings.Repeat("a", 53), ErrMalformed},
		{"bcrypt$$2b$12$" + strings.Repeat("!", 53), ErrMalformed},
		{"scrypt$16384$salt$8$5", ErrMalformed},
		{"scrypt$1000$salt$8$5$" + strings.Repeat("A", 86) + "==", ErrParameterOutOfRange},
		{"scrypt$1099511627776$salt$8$5$" + strings.Repeat("A", 86) + "==", ErrParameterOutOfRange},
		{"scrypt$16384$salt$8$1000000$" + strings.Repeat("A", 86) + "==", ErrParameterOutOfRange},
		{"scrypt$16384$salt$0$5$" + strings.Repeat("A", 86) + "==", ErrParameterOutOfRange},
		{"scrypt$16$salt$1$1$AAAA", ErrMalformed},
		// N is read before r: malformed, whatever the out-of-range r.
		{"scrypt$16x$salt$0$5$" + strings.Repeat("A", 86) + "==", ErrMalformed},
		{"md5$salt$xyz", ErrMalformed},
		{"md5$$" + strings.Repeat("a", 31), ErrMalformed},
		{"sha1$salt$" + strings.Repeat("g", 40), ErrMalformed},
		{"sha1$$" + strings.Repeat("g", 40), ErrMalformed},
		{strings.Repeat("g", 32), ErrMalformed},
		{"lolcat$salt$hash", ErrUnknownAlgorithm},
		{"", ErrUnknownAlgorithm},
		{"plaintext", ErrUnknownAlgorithm},
	}
	for _, c := range cases {
		t.Run(c.encoded[:min(len(c.encoded), 40)], func(t *testing.T) {
			t.Parallel()
			ok, upd, err := r.Check(t.Context(), "lètmein", c.encoded)
			assert.ErrorIs(t, err, c.want)
			assert.False(t, ok)
			assert.False(t, upd)
			assert.Len(t, r.Summary(c.encoded), 1)
			if h, err := r.Identify(c.encoded); err == nil {
				assert.False(t, h.MustUpdate(c.encoded))
				h.HardenRuntime("x", c.encoded) // must not panic
			}
		})
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	r := all()
	got := r.Summary("pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=")
	assert.Equal(t, []SummaryItem{
		{"algorithm", "pbkdf2_sha256"}, {"iterations", "1200000"},
		{"salt", "seasal*"}, {"hash", "6sTlFi" + strings.Repeat("*", 38)},
	}, got)
	got = r.Summary("argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q")
	assert.Equal(t, []SummaryItem{
		{"algorithm", "argon2"}, {"variety", "argon2i"}, {"version", "19"}, {"memory cost", "8"},
		{"time cost", "1"}, {"parallelism", "1"}, {"salt", "saltsa**"}, {"hash", "YC9+jJ****************"},
	}, got)
	got = r.Summary("md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3")
	assert.Equal(t, SummaryItem{"salt", "se*****"}, got[1])
	got = r.Summary("5f4dcc3b5aa765d61d8327deb882cf99")
	assert.Equal(t, SummaryItem{"hash", "5f4" + strings.Repeat("*", 29)}, got[1])
	assert.Equal(t, []SummaryItem{{Label: "No password set."}}, r.Summary("!abc"))
	assert.Equal(t, "Invalid password format or unknown hashing algorithm.", r.Summary("lolcat$x")[0].Label)
	assert.Equal(t, "lèt***", MaskHash("lètmein", 3)[:4]+"***")
}

func TestDefault(t *testing.T) {
	t.Parallel()
	r := Default()
	var algs []string
	for _, h := range r.Hashers() {
		algs = append(algs, h.Algorithm())
	}
	assert.Equal(t, []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "scrypt"}, algs)
	assert.NotSame(t, r, Default())
	_, err := r.Get("md5")
	assert.True(t, errors.Is(err, ErrUnknownAlgorithm))
	// Defaults of the zero values.
	assert.Equal(t, DefaultPBKDF2Iterations, PBKDF2{}.p().iter())
	tc, m, p := Argon2{}.params()
	assert.Equal(t, []int{2, 102400, 8}, []int{tc, m, p})
	n, rr, pp := Scrypt{}.params()
	assert.Equal(t, []int{16384, 8, 5}, []int{n, rr, pp})
	assert.Equal(t, 12, BCryptSHA256{}.b().cost())
	assert.True(t, strings.HasPrefix(BCryptSHA256{}.Salt(), "$2b$12$"))
}
