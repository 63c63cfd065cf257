package tokens

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/djcrypto"
)

// KeySalt is the key salt of Django's PasswordResetTokenGenerator. A
// generator with another purpose (an email confirmation, say) should use
// its own salt so that its tokens cannot reset passwords.
const KeySalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"

// DefaultTimeout is how long a token stays valid: three days, Django's
// PASSWORD_RESET_TIMEOUT of 259200 seconds.
const DefaultTimeout = 259200 * time.Second

// Errors returned by Make and DecodeUID; check them with errors.Is, as
// some are wrapped with details.
var (
	// ErrNoSecret reports a Generator without a Secret. Tokens signed with
	// an empty key could be forged by anyone.
	ErrNoSecret = errors.New("tokens: no secret key")
	// ErrNoUser reports a nil user or a user that has not been stored yet
	// (ID 0 or negative).
	ErrNoUser = errors.New("tokens: user has no ID")
	// ErrClock reports a clock before 2001-01-01, the epoch of the token
	// timestamps.
	ErrClock = errors.New("tokens: clock before 2001-01-01")
	// ErrInvalidUID reports a uidb64 that EncodeUID did not produce.
	ErrInvalidUID = errors.New("tokens: invalid uid")
)

// epoch is Django's token epoch, 2001-01-01 00:00:00 as a naive datetime.
var epoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// Generator makes and checks password reset tokens exactly as Django's
// PasswordResetTokenGenerator (Django 3.1 and later, SHA-256) does, so a Go
// service and a Django site sharing SECRET_KEY and the user table accept
// each other's reset links.
//
// A token is "<timestamp>-<signature>": the seconds since 2001-01-01 in
// base 36, then every other hex digit of an HMAC-SHA256 (Django's
// salted_hmac with KeySalt) of the user's ID, password hash, last login,
// the timestamp and the email. The token therefore stops working when the
// password changes, when the user logs in, when the email changes, or after
// Timeout. It is not stored anywhere.
//
// Only Secret is required; the other fields have Django's defaults when
// zero. A Generator is safe for concurrent use once configured. It
// implements slog.LogValuer so that logging it never reveals the keys.
type Generator struct {
	// Secret signs new tokens and checks them (Django's SECRET_KEY).
	Secret string
	// Fallbacks are older keys still accepted by Check during a key
	// rotation (Django's SECRET_KEY_FALLBACKS). Empty strings are ignored.
	Fallbacks []string
	// KeySalt separates token purposes; empty means KeySalt.
	KeySalt string
	// Timeout is how long a token is valid, counted in whole seconds;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// Now returns the current time; nil means time.Now. Tests set a fixed
	// clock here.
	Now func() time.Time
	// Location is the time zone whose wall clock counts the token
	// timestamps. Django uses the naive local time datetime.now(), and
	// Django sets the process's local zone to its TIME_ZONE setting, so
	// set Location to TIME_ZONE (time.LoadLocation("Europe/Paris")) when
	// sharing tokens with a Django site whose TIME_ZONE is not UTC. Nil
	// means UTC, the TIME_ZONE of Django's project template. With a zone
	// that has daylight saving time, tokens made in the repeated hour of
	// autumn look an hour younger, exactly as in Django.
	Location *time.Location
	// LastLoginLocation is the zone in which the user's LastLogin is
	// written into the signature. Nil means UTC, which is what Django sees
	// with USE_TZ = True (the default since Django 5.0 and in the project
	// template): last_login is read from the database in UTC. With
	// USE_TZ = False Django holds naive times in TIME_ZONE; set it to that
	// zone then.
	LastLoginLocation *time.Location
}

// LogValue implements slog.LogValuer: it logs the configuration without
// the keys.
func (g *Generator) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("Secret", "[redacted]"),
		slog.Int("Fallbacks", len(g.Fallbacks)),
		slog.String("KeySalt", g.keySalt()),
		slog.Duration("Timeout", g.timeout()),
	)
}

func (g *Generator) keySalt() string {
	if g.KeySalt == "" {
		return KeySalt
	}
	return g.KeySalt
}

func (g *Generator) timeout() time.Duration {
	if g.Timeout == 0 {
		return DefaultTimeout
	}
	return g.Timeout
}

func (g *Generator) now() time.Time {
	if g.Now == nil {
		return time.Now()
	}
	return g.Now()
}

// numSeconds is Django's _num_seconds: whole seconds between the naive
// wall-clock time of t in loc and 2001-01-01 00:00:00, truncated toward
// zero as Python's int() does.
func numSeconds(t time.Time, loc *time.Location) int64 {
	if loc == nil {
		loc = time.UTC
	}
	w := t.In(loc)
	naive := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	return int64(naive.Sub(epoch) / time.Second)
}

// Make returns a new token for user, valid until Timeout passes or the
// user's password, last login or email changes. It fails with ErrNoSecret,
// ErrNoUser or ErrClock.
func (g *Generator) Make(user *auth.User) (string, error) {
	if g.Secret == "" {
		return "", ErrNoSecret
	}
	if user == nil || user.ID <= 0 {
		return "", ErrNoUser
	}
	ts := numSeconds(g.now(), g.Location)
	if ts < 0 {
		return "", ErrClock
	}
	return g.makeWithTimestamp(user, ts, g.Secret), nil
}

// Check reports whether token was made by Make (with Secret or one of the
// Fallbacks) for user in its present state, no longer than Timeout ago. It
// reports false for a nil user, a user without an ID, an empty token, a
// malformed token and a Generator without a Secret. The signature is
// compared in constant time.
func (g *Generator) Check(user *auth.User, token string) bool {
	if user == nil || user.ID <= 0 || token == "" || g.Secret == "" {
		return false
	}
	tsB36, sig, ok := strings.Cut(token, "-")
	if !ok || strings.Contains(sig, "-") {
		return false
	}
	ts, err := djcrypto.Base36ToInt(tsB36)
	if err != nil {
		return false
	}
	// Every key is tried, even after a match, so that the time taken does
	// not tell which key signed the token.
	match := djcrypto.ConstantTimeEqual(g.makeWithTimestamp(user, ts, g.Secret), token)
	for _, secret := range g.Fallbacks {
		if secret != "" && djcrypto.ConstantTimeEqual(g.makeWithTimestamp(user, ts, secret), token) {
			match = true
		}
	}
	if !match {
		return false
	}
	// As in Django, only age is limited: a timestamp in the future (from
	// a clock that was ahead) is accepted.
	return numSeconds(g.now(), g.Location)-ts <= int64(g.timeout()/time.Second)
}

// makeWithTimestamp is Django's _make_token_with_timestamp.
func (g *Generator) makeWithTimestamp(user *auth.User, ts int64, secret string) string {
	mac := djcrypto.SaltedHMAC(g.keySalt(), g.hashValue(user, ts), secret)
	hexMAC := hex.EncodeToString(mac)
	var b strings.Builder
	b.Grow(14 + len(hexMAC)/2)
	b.WriteString(djcrypto.IntToBase36(ts))
	b.WriteByte('-')
	for i := 0; i < len(hexMAC); i += 2 {
		b.WriteByte(hexMAC[i])
	}
	return b.String()
}

// hashValue is Django's _make_hash_value: the user's primary key, password
// hash, last login (to the second, as Python prints a naive datetime),
// the timestamp and the email, concatenated.
func (g *Generator) hashValue(user *auth.User, ts int64) string {
	login := ""
	if user.LastLogin != nil {
		loc := g.LastLoginLocation
		if loc == nil {
			loc = time.UTC
		}
		login = user.LastLogin.In(loc).Format("2006-01-02 15:04:05")
	}
	return strconv.FormatInt(user.ID, 10) + user.Password + login + strconv.FormatInt(ts, 10) + user.Email
}

// maxUIDLength is the longest uidb64 of an int64: 19 digits encode to 26
// characters.
const maxUIDLength = 26

// EncodeUID returns the uidb64 of a reset link for a user ID, as Django's
// urlsafe_base64_encode(force_bytes(user.pk)) does: the decimal ID in
// URL-safe base64 without padding ("MQ" for 1).
func EncodeUID(id int64) string {
	return djcrypto.URLSafeBase64Encode([]byte(strconv.FormatInt(id, 10)))
}

// DecodeUID returns the user ID of a uidb64, or an error wrapping
// ErrInvalidUID. It is strict: it accepts exactly what EncodeUID produces
// for a positive ID, and refuses padding, signs, leading zeros, white
// space and anything else that Django's looser decoding might let
// through to a database lookup.
func DecodeUID(s string) (int64, error) {
	if len(s) == 0 || len(s) > maxUIDLength {
		return 0, fmt.Errorf("%w: length %d", ErrInvalidUID, len(s))
	}
	b, err := djcrypto.URLSafeBase64Decode(s)
	if err != nil {
		return 0, fmt.Errorf("%w: not URL-safe base64", ErrInvalidUID)
	}
	id, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || id <= 0 || EncodeUID(id) != s {
		return 0, fmt.Errorf("%w: not a canonical positive ID", ErrInvalidUID)
	}
	return id, nil
}
