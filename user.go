package auth

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/djauth/auth/internal/pystr"
	"golang.org/x/text/unicode/norm"
)

// User is Django's default user (AbstractUser, table auth_user). Apps extend
// it by embedding it by value:
//
//	type MyUser struct {
//		auth.User
//		PhoneNumber string `db:"phone_number"`
//	}
//
// The db tags name the auth_user columns. Extra fields of an embedding struct
// need db tags naming the columns that the app adds to its user table.
//
// The zero User is inactive; NewUser returns one with Django's defaults
// (IsActive true, DateJoined now).
type User struct {
	// ID is the primary key; 0 until the user has been created in a store.
	ID int64 `db:"id"`
	// Password is the encoded password hash ("algorithm$..."), at most 128
	// characters, or an unusable value starting with "!", or empty (never
	// matches). Stores refuse plain text (see ValidateEncodedPassword):
	// set it with the hasher registry's Make.
	Password string `db:"password"`
	// LastLogin is the time of the last successful login, nil if never.
	LastLogin *time.Time `db:"last_login"`
	// IsSuperuser grants every permission while the user is active.
	IsSuperuser bool `db:"is_superuser"`
	// Username is unique and case-sensitive, 1 to 150 characters.
	Username string `db:"username"`
	// FirstName is at most 150 characters.
	FirstName string `db:"first_name"`
	// LastName is at most 150 characters.
	LastName string `db:"last_name"`
	// Email is at most 254 characters; it may be empty and is not unique.
	Email string `db:"email"`
	// IsStaff lets the user into admin screens.
	IsStaff bool `db:"is_staff"`
	// IsActive is false for users who may not log in. Django's default is
	// true; prefer NewUser or set it explicitly.
	IsActive bool `db:"is_active"`
	// DateJoined is when the account was created.
	DateJoined time.Time `db:"date_joined"`
}

// NewUser returns a User with Django's field defaults: active, joined now
// (UTC, truncated to microseconds as PostgreSQL stores it), with the
// username normalized by NormalizeUsername. It does not validate or store
// anything.
func NewUser(username string) User {
	return User{
		Username:   NormalizeUsername(username),
		IsActive:   true,
		DateJoined: time.Now().UTC().Truncate(time.Microsecond),
	}
}

// AuthUser returns u itself. Every struct that embeds User by value gets this
// method on its pointer, which is how the generic parts of the library reach
// the Django fields of a custom user type (see UserOf).
func (u *User) AuthUser() *User { return u }

// FullName returns the first name and the last name separated by a space,
// with surrounding space removed (Django's get_full_name).
func (u *User) FullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// ShortName returns the first name (Django's get_short_name).
func (u *User) ShortName() string { return u.FirstName }

// IsAuthenticated always reports true: a User value stands for a real
// account. Compare RequestUser.IsAuthenticated.
func (u *User) IsAuthenticated() bool { return true }

// IsAnonymous always reports false. Compare RequestUser.IsAnonymous.
func (u *User) IsAnonymous() bool { return false }

// GetUsername returns the username (Django's get_username).
func (u *User) GetUsername() string { return u.Username }

// HasUsablePassword reports whether the stored password was not made
// unusable, following Django's is_password_usable: only a value starting
// with "!" is unusable. An empty value is "usable" but never verifies.
func (u *User) HasUsablePassword() bool {
	return !strings.HasPrefix(u.Password, UnusablePasswordPrefix)
}

// UnusablePasswordPrefix starts every unusable encoded password (Django's
// UNUSABLE_PASSWORD_PREFIX).
const UnusablePasswordPrefix = "!"

// Validate checks the limits that Django's schema enforces: a non-empty
// username of at most 150 characters, a password of at most 128, an email
// of at most 254, names of at most 150, all valid UTF-8 without NUL bytes;
// and that the password is an encoded hash, an unusable value or empty,
// never plain text (see ValidateEncodedPassword).
// It returns a *ValidationError (errors.Is(err, ErrInvalid)) for the first
// field that fails. Stores call it before writing. It does not apply the
// username character rules; see UsernameValidator.
func (u *User) Validate() error {
	checks := []struct {
		field, value string
		max          int
		required     bool
	}{
		{"Username", u.Username, MaxUsernameLength, true},
		{"Email", u.Email, MaxEmailLength, false},
		{"FirstName", u.FirstName, MaxFirstNameLength, false},
		{"LastName", u.LastName, MaxLastNameLength, false},
	}
	for i, c := range checks {
		if err := checkText(c.field, c.value, c.max, c.required); err != nil {
			return err
		}
		if i == 0 { // after Username, in field order
			if err := ValidateEncodedPassword(u.Password); err != nil {
				return err
			}
		}
	}
	return nil
}

// authUserer is the method every user type has through its embedded User.
type authUserer interface{ AuthUser() *User }

// UserOf returns the embedded User of u, the Django fields of a custom
// user type, or nil for a nil u. U must embed User by value (New and the
// stores' constructors refuse other types, see CheckUserType); for any
// other type UserOf panics, a programming error.
func UserOf[U any](u *U) *User {
	if u == nil {
		return nil
	}
	return any(u).(authUserer).AuthUser()
}

// authUserOf is UserOf for the package's own use.
func authUserOf[U any](u *U) *User { return UserOf(u) }

var userType = reflect.TypeFor[User]()

// CheckUserType reports whether U can be the user type of an Auth or a
// store: User itself, or a struct that embeds User by value. A struct that
// embeds *User is refused, since a new value of it would have a nil
// User. The error wraps ErrConfig.
func CheckUserType[U any]() error {
	t := reflect.TypeFor[U]()
	if t == userType {
		return nil
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.Anonymous {
				continue
			}
			switch f.Type {
			case userType:
				return checkAuthUserInside[U]()
			case reflect.PointerTo(userType):
				return fmt.Errorf("%w: user type %v embeds *auth.User; embed auth.User by value", ErrConfig, t)
			}
		}
	}
	return fmt.Errorf("%w: user type %v does not embed auth.User by value", ErrConfig, t)
}

// checkAuthUserInside checks that AuthUser of a new U returns a User that
// lies inside that U, as the promoted method of an embedded User does; a
// type that overrides AuthUser to return a User held elsewhere is refused
// (a store's copies of it would share one User).
func checkAuthUserInside[U any]() error {
	u := new(U)
	au, ok := any(u).(authUserer)
	if !ok {
		// Two embedded types each bring an AuthUser: the selector is
		// ambiguous and *U has none.
		return fmt.Errorf("%w: user type %v has no single AuthUser method (two embedded types provide one); embed auth.User once",
			ErrConfig, reflect.TypeFor[U]())
	}
	a := au.AuthUser()
	base, p := uintptr(unsafe.Pointer(u)), uintptr(unsafe.Pointer(a))
	if a == nil || p < base || p-base+unsafe.Sizeof(*a) > unsafe.Sizeof(*u) {
		return fmt.Errorf("%w: user type %v: AuthUser returns a User outside the value; embed auth.User by value and do not override AuthUser",
			ErrConfig, reflect.TypeFor[U]())
	}
	return nil
}

// NormalizeUsername applies Unicode NFKC normalization, as Django's
// AbstractBaseUser.normalize_username does, so that visually identical
// usernames ("ﬁ" and "fi", full-width letters) compare equal.
func NormalizeUsername(username string) string {
	return norm.NFKC.String(username)
}

// NormalizeEmail lowercases the domain part of an address, leaving the local
// part as it is (Django's BaseUserManager.normalize_email). Surrounding
// white space is removed when the address has an "@"; a value without one is
// returned unchanged. White space and lowercasing follow Python's str.strip
// and str.lower, so that the result is the one Django stores.
func NormalizeEmail(email string) string {
	trimmed := pystr.Strip(email)
	at := strings.LastIndexByte(trimmed, '@')
	if at < 0 {
		return email
	}
	return trimmed[:at] + "@" + pystr.Lower(trimmed[at+1:])
}

// UsernameValidator checks the characters of a username with Django's rule
// `^[\w.@+-]+\Z`: letters, digits and "_" plus ".", "@", "+" and "-".
type UsernameValidator struct {
	// ASCII restricts letters and digits to ASCII, like Django's
	// ASCIIUsernameValidator. The zero value allows Unicode letters and
	// digits, like UnicodeUsernameValidator.
	ASCII bool
}

// Validate returns a *ValidationError with code "invalid" and Django's
// message when username is empty or has a character outside the rule.
func (v UsernameValidator) Validate(username string) error {
	if username == "" || !utf8.ValidString(username) {
		return v.invalid()
	}
	for _, r := range username {
		switch {
		case r == '.' || r == '@' || r == '+' || r == '-' || r == '_':
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
		case !v.ASCII && (unicode.IsLetter(r) || unicode.IsNumber(r)):
		default:
			return v.invalid()
		}
	}
	return nil
}

func (v UsernameValidator) invalid() error {
	msg := "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	if v.ASCII {
		msg = "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, numbers, and @/./+/-/_ characters."
	}
	return &ValidationError{Field: "Username", Code: "invalid", Message: msg}
}
