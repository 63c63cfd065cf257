package hashers

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// Registry is an ordered list of hashers, Django's PASSWORD_HASHERS: the
// first is preferred and makes new hashes; all of them verify. It also
// bounds how many hashes are computed at once. A Registry is safe for
// concurrent use and is not changed after construction.
type Registry struct {
	hashers []Hasher
	sem     chan struct{}
	maxWait time.Duration
}

// DefaultMaxWait is the wait for a hashing slot when Options.MaxWait is
// zero. A hash at Django's defaults takes well under a second, so 5 s
// absorbs a burst several times MaxConcurrent deep, stays under a typical
// 10 s HTTP server write timeout (so the 503 still reaches the
// client) and is about as long as a person waits before retrying anyway.
const DefaultMaxWait = 5 * time.Second

// Options configures [NewWithOptions]. The zero value is valid.
type Options struct {
	// MaxConcurrent bounds how many hash computations (Make, Check,
	// RunDummy) run at once, in this registry; the others wait. 0 means
	// runtime.NumCPU().
	//
	// It is also the memory bound of hashing: peak memory spent on hashes
	// is MaxConcurrent times the preferred hasher's working memory. For
	// Argon2 at Django's defaults (memory_cost 102400 KiB) that is 100 MiB
	// each, so 4 slots may hold 400 MiB; for scrypt at Django's defaults 16
	// MiB each; PBKDF2 and bcrypt need almost none. The bound holds only
	// if everything that hashes shares one Registry: each registry has its
	// own slots, and nothing in this package keeps a hidden shared one.
	// It bounds live memory; the process's resident memory also holds the
	// buffers of finished hashes until the garbage collector runs, and with
	// the default GOGC=100 and no memory limit that nearly doubles the
	// peak. Set GOMEMLIMIT (or debug.SetMemoryLimit) to the bound plus what
	// the rest of the program needs to keep the peak at the bound
	// (BENCHMARKS.md, "Peak memory under concurrent Argon2 logins").
	MaxConcurrent int
	// MaxWait bounds how long Make, Check and RunDummy wait for a free slot
	// before they give up with an error wrapping [ErrBusy], without
	// hashing. 0 means [DefaultMaxWait]; negative is refused. An HTTP
	// handler should answer such an error with 503 Service Unavailable and
	// a Retry-After header rather than a 500.
	MaxWait time.Duration
}

// New returns a registry of the given hashers, the first preferred, with
// default [Options]. It panics if no hasher is given or one is nil, which is
// a programming error.
func New(h ...Hasher) *Registry {
	r, err := NewWithOptions(Options{}, h...)
	if err != nil {
		panic(err)
	}
	return r
}

// NewWithOptions returns a registry of the given hashers, the first
// preferred. It returns an error if no hasher is given, one is nil, or
// opts.MaxConcurrent or opts.MaxWait is negative.
func NewWithOptions(opts Options, h ...Hasher) (*Registry, error) {
	if len(h) == 0 {
		return nil, fmt.Errorf("hashers: New needs at least one hasher")
	}
	for i, x := range h {
		if x == nil {
			return nil, fmt.Errorf("hashers: hasher %d is nil", i)
		}
	}
	n := opts.MaxConcurrent
	if n < 0 {
		return nil, fmt.Errorf("hashers: MaxConcurrent %d < 0", n)
	}
	if n == 0 {
		n = runtime.NumCPU()
	}
	wait := opts.MaxWait
	if wait < 0 {
		return nil, fmt.Errorf("hashers: MaxWait %v < 0", wait)
	}
	if wait == 0 {
		wait = DefaultMaxWait
	}
	return &Registry{hashers: append([]Hasher(nil), h...), sem: make(chan struct{}, n), maxWait: wait}, nil
}

// MaxConcurrent returns how many hashes the registry computes at once
// (Options.MaxConcurrent, with its default applied).
func (r *Registry) MaxConcurrent() int { return cap(r.sem) }

// MaxWait returns how long Make, Check and RunDummy wait for a free slot
// before they fail with [ErrBusy] (Options.MaxWait, with its default
// applied).
func (r *Registry) MaxWait() time.Duration { return r.maxWait }

// Default returns a new registry with Django 6.0's default
// PASSWORD_HASHERS at their defaults: PBKDF2, PBKDF2SHA1, Argon2,
// BCryptSHA256, Scrypt.
func Default() *Registry {
	return New(PBKDF2{}, PBKDF2SHA1{}, Argon2{}, BCryptSHA256{}, Scrypt{})
}

// Preferred returns the hasher that makes new hashes.
func (r *Registry) Preferred() Hasher { return r.hashers[0] }

// Hashers returns a copy of the registry's hashers in order.
func (r *Registry) Hashers() []Hasher { return append([]Hasher(nil), r.hashers...) }

// Get returns the first hasher whose Algorithm is algorithm, or an error
// wrapping ErrUnknownAlgorithm.
func (r *Registry) Get(algorithm string) (Hasher, error) {
	for _, h := range r.hashers {
		if h.Algorithm() == algorithm {
			return h, nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, truncate(algorithm))
}

// IdentifyAlgorithm returns the algorithm name of an encoded value as Django's
// identify_hasher sees it: "unsalted_md5" for a bare 32-character value or
// md5$$ and 32 characters, "unsalted_sha1" for sha1$$ and 40 characters,
// otherwise the text before the first '$'.
func IdentifyAlgorithm(encoded string) string {
	switch {
	case len(encoded) == 32 && !strings.Contains(encoded, "$"),
		len(encoded) == 37 && strings.HasPrefix(encoded, "md5$$"):
		return "unsalted_md5"
	case len(encoded) == 46 && strings.HasPrefix(encoded, "sha1$$"):
		return "unsalted_sha1"
	}
	alg, _, _ := strings.Cut(encoded, "$")
	return alg
}

// Identify returns the registry's hasher for encoded, or an error wrapping
// ErrUnknownAlgorithm (also for unusable and empty values).
//
// The error does not quote encoded: a value that is not a hash at all may
// be a plain-text password.
func (r *Registry) Identify(encoded string) (Hasher, error) {
	alg := IdentifyAlgorithm(encoded)
	for _, h := range r.hashers {
		if h.Algorithm() == alg {
			return h, nil
		}
	}
	return nil, fmt.Errorf("%w (identify)", ErrUnknownAlgorithm)
}

// IsUsable reports whether encoded may match a password: false only for
// values starting with "!" ([Registry.MakeUnusable]). Like Django's
// is_password_usable, the empty string counts as usable, but it never
// verifies.
func IsUsable(encoded string) bool { return !strings.HasPrefix(encoded, UnusablePasswordPrefix) }

// IsUsable is the package function [IsUsable].
func (r *Registry) IsUsable(encoded string) bool { return IsUsable(encoded) }

// MakeUnusable returns "!" and 40 random characters, a value that no
// password matches (Django's make_password(None)).
func (r *Registry) MakeUnusable() string {
	return UnusablePasswordPrefix + RandomString(UnusablePasswordSuffixLength)
}

func (r *Registry) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(r.maxWait)
	defer t.Stop()
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("hashers: waiting for a hashing slot: %w", context.Cause(ctx))
	case <-t.C:
		return fmt.Errorf("%w: no hashing slot free after %v", ErrBusy, r.maxWait)
	}
}

func (r *Registry) release() { <-r.sem }

// salt returns a fresh salt for h.
func salt(h Hasher) string {
	if s, ok := h.(Salter); ok {
		return s.Salt()
	}
	return NewSalt()
}

// Make hashes password with the preferred hasher and a fresh salt
// (Django's make_password). The empty password is hashed like any other.
// It waits for a free slot (see Options.MaxConcurrent), giving up with
// ctx's error if ctx ends first, or with an error wrapping [ErrBusy] after
// Options.MaxWait. A hash that has started is not interrupted.
func (r *Registry) Make(ctx context.Context, password string) (string, error) {
	if err := r.acquire(ctx); err != nil {
		return "", err
	}
	defer r.release()
	h := r.Preferred()
	return h.Encode(password, salt(h))
}

// RunDummy runs the preferred hasher once on password and discards the
// result. Call it when a login names no existing user, so that the request
// costs as much as a wrong password would (Django's ModelBackend calls
// set_password on a fresh user for the same reason). It returns an error
// only when it gives up waiting for a slot, as [Registry.Make] does (ctx's
// error, or one wrapping [ErrBusy]).
func (r *Registry) RunDummy(ctx context.Context, password string) error {
	if err := r.acquire(ctx); err != nil {
		return err
	}
	defer r.release()
	r.dummy(password)
	return nil
}

func (r *Registry) dummy(password string) {
	h := r.Preferred()
	_, _ = h.Encode(password, salt(h))
}

// Check reports whether password matches encoded (Django's
// check_password / verify_password), and whether the caller should store a
// new hash of password made with [Registry.Make] (mustUpdate: the stored
// algorithm is not the preferred one, or the preferred hasher's MustUpdate
// says its parameters or salt are out of date). mustUpdate is only ever true
// together with ok: like Django, which calls its setter only for a correct
// password.
//
// Timing: for an unusable, empty or unidentifiable encoded value Check runs
// the preferred hasher once, and for a wrong password against an older
// hash of the preferred algorithm it calls HardenRuntime, so that the time
// taken does not tell these cases apart from a wrong password.
//
// err is nil for a wrong password and for an unusable value. It wraps
// ErrUnknownAlgorithm for an algorithm not in the registry, and
// ErrMalformed or ErrParameterOutOfRange for a value the hasher cannot
// parse; ok is false then. Check waits for a free slot (see
// Options.MaxConcurrent), giving up with ctx's error if ctx ends first or
// with an error wrapping [ErrBusy] after Options.MaxWait; a hash that has
// started is not interrupted.
func (r *Registry) Check(ctx context.Context, password, encoded string) (ok, mustUpdate bool, err error) {
	if err := r.acquire(ctx); err != nil {
		return false, false, err
	}
	defer r.release()

	if !IsUsable(encoded) {
		r.dummy(password)
		return false, false, nil
	}
	h, err := r.Identify(encoded)
	if err != nil {
		r.dummy(password)
		return false, false, err
	}
	preferred := r.Preferred()
	changed := h.Algorithm() != preferred.Algorithm()
	mustUpdate = changed || preferred.MustUpdate(encoded)
	ok, err = h.Verify(password, encoded)
	if err != nil {
		r.dummy(password)
		return false, false, fmt.Errorf("hashers: check %s: %w", h.Algorithm(), err)
	}
	if !ok && !changed && mustUpdate {
		h.HardenRuntime(password, encoded)
	}
	return ok, ok && mustUpdate, nil
}

// Summary describes encoded for admin screens and logs, with salts and
// hashes masked (Django's safe_summary, as its admin widget shows it). For
// an unusable value it returns one item labelled "No password set.", for an
// unknown or malformed one "Invalid password format or unknown hashing
// algorithm.".
func (r *Registry) Summary(encoded string) []SummaryItem {
	if !IsUsable(encoded) {
		return []SummaryItem{{Label: "No password set."}}
	}
	invalid := []SummaryItem{{Label: "Invalid password format or unknown hashing algorithm."}}
	h, err := r.Identify(encoded)
	if err != nil {
		return invalid
	}
	s, ok := h.(Summarizer)
	if !ok {
		return []SummaryItem{{"algorithm", h.Algorithm()}}
	}
	items, err := s.Summary(encoded)
	if err != nil {
		return invalid
	}
	return items
}
