package hashers

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrUnknownDjangoVersion: [ForDjango] or [DjangoHashers] was given a
// version whose defaults this package does not know. The error's text lists
// the known ones ([DjangoVersions]).
var ErrUnknownDjangoVersion = errors.New("hashers: unknown Django version")

// djangoDefaults is one Django release series' default PASSWORD_HASHERS
// and the work factors of its hasher classes, read from
// django/contrib/auth/hashers.py and django/conf/global_settings.py at
// that release's tag.
type djangoDefaults struct {
	version          string
	pbkdf2Iterations int
	scrypt           bool // ScryptPasswordHasher is in PASSWORD_HASHERS (4.0+)
	scryptP          int  // ScryptPasswordHasher.parallelism
}

// Every Django release since 3.2 keeps Argon2 at time_cost 2, memory_cost
// 102400, parallelism 8, bcrypt at 12 rounds and scrypt at N=2**14, r=8;
// only what differs is listed. Django 3.2 is the oldest release listed: it
// is the first whose must_update also asks for a 128-bit salt, as this
// package's hashers do, so for older releases a login here would re-hash
// every 12-character salt that Django itself keeps.
var djangoReleases = []djangoDefaults{
	{"3.2", 260_000, false, 0},
	{"4.0", 320_000, true, 1},
	{"4.1", 390_000, true, 1},
	{"4.2", 600_000, true, 1},
	{"5.0", 720_000, true, 1},
	{"5.1", 870_000, true, 5},
	{"5.2", 1_000_000, true, 5},
	{"6.0", 1_200_000, true, 5},
}

// DjangoVersions returns the Django release series that [ForDjango] knows,
// oldest first: "3.2", "4.0", ..., "6.0".
func DjangoVersions() []string {
	v := make([]string, len(djangoReleases))
	for i, r := range djangoReleases {
		v[i] = r.version
	}
	return v
}

// DjangoLatest is the newest release series [ForDjango] knows, the one whose
// defaults [Default] and the hashers' zero values use.
const DjangoLatest = "6.0"

var djangoVersionRE = regexp.MustCompile(`^([0-9]+\.[0-9]+)(\.[0-9]+)?$`)

// DjangoHashers returns Django version's default PASSWORD_HASHERS in order,
// each at that version's default work factors, for a caller who wants to
// change one of them (say Argon2's HashLen) before passing them to [New] or
// [NewWithOptions]. version is a release series such as "3.2" or a release
// such as "3.2.25" (Django does not change these defaults in patch
// releases). An unknown version returns an error wrapping
// [ErrUnknownDjangoVersion] that lists the known ones.
//
// Argon2's hash length is not Django's to choose: Django 3.2 to 6.0 take
// it from argon2-cffi, 16 bytes before argon2-cffi 21.2 and 32 from 21.2 on.
// The Argon2 returned here makes 32-byte hashes; set its HashLen to 16 if
// the Django side runs an older argon2-cffi and prefers Argon2.
func DjangoHashers(version string) ([]Hasher, error) {
	d, err := djangoRelease(version)
	if err != nil {
		return nil, err
	}
	h := []Hasher{
		PBKDF2{Iterations: d.pbkdf2Iterations},
		PBKDF2SHA1{Iterations: d.pbkdf2Iterations},
		Argon2{TimeCost: DefaultArgon2TimeCost, MemoryCost: DefaultArgon2MemoryCost, Parallelism: DefaultArgon2Parallelism},
		BCryptSHA256{Rounds: DefaultBcryptRounds},
	}
	if d.scrypt {
		h = append(h, Scrypt{WorkFactor: DefaultScryptWorkFactor, BlockSize: DefaultScryptBlockSize, Parallelism: d.scryptP})
	}
	return h, nil
}

// ForDjango returns a new registry with Django version's default
// PASSWORD_HASHERS at that version's work factors, and default [Options]:
// a service that shares its user table with a Django site of that version
// then agrees with it on which stored hashes are out of date. A hash that
// Django made is not re-hashed by a login here, and a hash made here
// verifies in Django and is not re-hashed by a login there, so neither side
// rewrites the password field and so logs the user out of the other
// (Django's session auth hash is an HMAC of that field).
//
// version is as for [DjangoHashers]; an unknown one is an error wrapping
// [ErrUnknownDjangoVersion]. ForDjango(DjangoLatest) has the same hashers
// as [Default].
func ForDjango(version string) (*Registry, error) {
	return ForDjangoWithOptions(version, Options{})
}

// ForDjangoWithOptions is [ForDjango] with the registry's [Options].
func ForDjangoWithOptions(version string, opts Options) (*Registry, error) {
	h, err := DjangoHashers(version)
	if err != nil {
		return nil, err
	}
	return NewWithOptions(opts, h...)
}

func djangoRelease(version string) (djangoDefaults, error) {
	if m := djangoVersionRE.FindStringSubmatch(version); m != nil {
		for _, r := range djangoReleases {
			if r.version == m[1] {
				return r, nil
			}
		}
	}
	return djangoDefaults{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownDjangoVersion, truncate(version), strings.Join(DjangoVersions(), ", "))
}
