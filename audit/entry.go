package audit

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Action is the stable code of what happened. The codes are part of the
// stored format: they never change meaning, and new ones are only added.
type Action string

// The actions that Recorder writes. An application may record its own
// codes too (ValidAction says which spelling is allowed).
const (
	ActionLogin                Action = "login"
	ActionLoginFailed          Action = "login_failed"
	ActionLogout               Action = "logout"
	ActionLockedOut            Action = "locked_out"
	ActionPasswordChanged      Action = "password_changed"
	ActionPasswordReset        Action = "password_reset"
	ActionMFAChanged           Action = "mfa_changed"
	ActionEmailChanged         Action = "email_changed"
	ActionIdentityLinked       Action = "identity_linked"
	ActionIdentityUnlinked     Action = "identity_unlinked"
	ActionUserChanged          Action = "user_changed"
	ActionUserCreated          Action = "user_created"
	ActionUserDeleted          Action = "user_deleted"
	ActionImpersonationStarted Action = "impersonation_started"
	ActionImpersonationEnded   Action = "impersonation_ended"
)

// Bounds of an Entry's fields, in bytes (runes are never split). Store
// implementations truncate to them (Entry.Normalize) and the PostgreSQL
// table has these column sizes.
const (
	MaxActionLen     = 64
	MaxNameLen       = 150 // Django's username length
	MaxObjectTypeLen = 100
	MaxObjectIDLen   = 255
	MaxObjectReprLen = 200 // Django's LogEntry.object_repr
	MaxMessageLen    = 1000
	MaxRemoteAddrLen = 64
	MaxUserAgentLen  = 512
	MaxMetaEntries   = 32
	MaxMetaKeyLen    = 64
	MaxMetaValueLen  = 512
	// MaxLimit is the most entries List returns at once; a Query.Limit
	// of zero means DefaultLimit.
	MaxLimit     = 1000
	DefaultLimit = 100
)

// Errors of the package.
var (
	// ErrInvalid is wrapped by the error of Record for an entry that
	// cannot be stored (a malformed action, a negative ID) and of List
	// for a malformed Query.
	ErrInvalid = errors.New("audit: invalid")
)

// Object names what an action was done to, as Django's LogEntry does
// (content type, object_id, object_repr): Type is "app_label.model"
// ("auth.user", "otp_totp.totpdevice"), ID the object's primary key as
// text and Repr a readable name.
type Object struct {
	Type string
	ID   string
	Repr string
}

// Entry is one line of the audit log. It never holds a secret: no
// password, code, token or key, and for a failed login only the
// username that was tried.
type Entry struct {
	// ID is set by the store when the entry is recorded.
	ID int64
	// Time is when it happened; zero means the store's clock at Record.
	Time time.Time
	// Action is the stable code of what happened.
	Action Action
	// ActorID is the user who acted; 0 for an anonymous request (a failed
	// login, a password reset by link). ActorName is their username at
	// the time, or the username tried by an anonymous login attempt.
	ActorID   int64
	ActorName string
	// TargetUserID is the user the action concerns (the user who logged
	// in, whose password or factors changed, who was impersonated); 0
	// when none is known.
	TargetUserID int64
	// Object is what the action changed, when it is not just the target
	// user (a device, an identity, an email address).
	Object Object
	// Message is a short human-readable description.
	Message string
	// RemoteAddr is the client address (behind the Auth's trusted
	// proxies, see auth.Auth.ClientAddr); UserAgent its User-Agent,
	// truncated.
	RemoteAddr string
	UserAgent  string
	// Meta holds further details as short strings ("backend", "factor",
	// "scope", "impersonator_id").
	Meta map[string]string
}

// ValidAction reports whether a is a well-formed action code: 1 to
// MaxActionLen lowercase ASCII letters, digits, "_" or ".", starting
// with a letter.
func ValidAction(a Action) bool {
	if len(a) == 0 || len(a) > MaxActionLen || a[0] < 'a' || a[0] > 'z' {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// truncate cuts s to at most n bytes at a rune boundary and replaces
// invalid UTF-8 and NUL bytes (PostgreSQL text cannot hold NUL).
func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// Normalize checks e and returns the copy a store keeps: every text
// field truncated to its bound, Time in UTC truncated to microseconds
// (now when zero), at most MaxMetaEntries meta entries (the smallest
// keys kept) and no empty meta key. It returns an error wrapping
// ErrInvalid for a malformed Action or a negative user ID.
func (e Entry) Normalize(now time.Time) (Entry, error) {
	if !ValidAction(e.Action) {
		return Entry{}, fmt.Errorf("%w: action %q", ErrInvalid, truncate(string(e.Action), MaxActionLen))
	}
	if e.ActorID < 0 || e.TargetUserID < 0 {
		return Entry{}, fmt.Errorf("%w: negative user ID", ErrInvalid)
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.ActorName = truncate(e.ActorName, MaxNameLen)
	e.Object = Object{
		Type: truncate(e.Object.Type, MaxObjectTypeLen),
		ID:   truncate(e.Object.ID, MaxObjectIDLen),
		Repr: truncate(e.Object.Repr, MaxObjectReprLen),
	}
	e.Message = truncate(e.Message, MaxMessageLen)
	e.RemoteAddr = truncate(e.RemoteAddr, MaxRemoteAddrLen)
	e.UserAgent = truncate(e.UserAgent, MaxUserAgentLen)
	if len(e.Meta) > 0 {
		keys := make([]string, 0, len(e.Meta))
		for k := range e.Meta {
			if k != "" {
				keys = append(keys, k)
			}
		}
		sortStrings(keys)
		if len(keys) > MaxMetaEntries {
			keys = keys[:MaxMetaEntries]
		}
		m := make(map[string]string, len(keys))
		for _, k := range keys {
			tk := truncate(k, MaxMetaKeyLen)
			if tk == "" {
				continue
			}
			m[tk] = truncate(e.Meta[k], MaxMetaValueLen)
		}
		e.Meta = m
	} else {
		e.Meta = nil
	}
	return e, nil
}
