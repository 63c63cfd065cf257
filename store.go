package auth

import (
	"context"
	"strings"
	"time"

	"github.com/djauth/auth/hashers"
)

// Store persists users, groups, permissions and content types. Every method
// takes a context first and is safe for concurrent use. U is the user type:
// User itself or a struct that embeds it by value (see CheckUserType).
//
// Implementations live under store/ (memory and postgres) and all pass the
// conformance suite in store/storetest, which is the executable form of the
// contract written here:
//
//   - Methods that take or return *U copy: a caller cannot change stored
//     state through a pointer it passed in or got back.
//   - Bad input is rejected with a *ValidationError (errors.Is(err,
//     ErrInvalid)) before anything is written; a write that fails part way
//     leaves nothing behind.
//   - Lookups that find nothing return the matching sentinel
//     (ErrUserNotFound, ErrGroupNotFound, ErrPermissionNotFound,
//     ErrContentTypeNotFound), wrapped. A lookup by text that no store
//     can hold (a NUL byte or invalid UTF-8) finds nothing: it returns the
//     sentinel, or an empty list, and is never sent to a database.
//   - Permissions are named "app_label.codename" (see ParsePermission).
//   - Adding a membership that exists and removing one that does not are
//     no-ops, as with Django's related managers.
type Store[U any] interface {
	UserStore[U]
	GroupStore
	PermissionStore
	MembershipStore[U]
}

// RequestStore is the part of a store that an Auth needs to serve
// requests: the model backend's logins, the user of a session and its
// permissions, and Login's last_login. It is the type of Config.Store, so
// that a store written for a new database can serve a site before it
// implements everything; the methods mean what they mean in UserStore and
// MembershipStore, and the stores of package store implement the whole
// Store.
//
// Optional abilities are discovered by type assertion: a store with
// GetUserWithPermissions (MembershipStore) loads the user of a session and
// its permissions in one round trip; RequestUser.GroupNames needs
// ListUserGroups unless that load filled UserPermissions.Groups;
// ModelBackend.WithPerm needs UsersWithPermission; package accounts needs
// ListUsers for password reset and CreateUser for sign-up.
type RequestStore[U any] interface {
	GetUser(ctx context.Context, id int64) (*U, error)
	GetUserByUsername(ctx context.Context, username string) (*U, error)
	SetLastLogin(ctx context.Context, id int64, t time.Time) error
	SetPassword(ctx context.Context, id int64, encoded string) error
	UserPermissionSet(ctx context.Context, userID int64) (PermSet, error)
	GroupPermissionSet(ctx context.Context, userID int64) (PermSet, error)
	ListPermissions(ctx context.Context, appLabel string) ([]Permission, error)
}

// UserPermissionsGetter is the optional ability of a RequestStore to load a
// user with its permission sets (and, when the store fills
// UserPermissions.Groups, its group names) in one round trip (see
// MembershipStore).
type UserPermissionsGetter[U any] interface {
	GetUserWithPermissions(ctx context.Context, id int64) (*U, UserPermissions, error)
}

// PermissionHolderLister is the optional ability of a RequestStore to list
// the users that hold a permission (see MembershipStore), which
// ModelBackend.WithPerm needs.
type PermissionHolderLister[U any] interface {
	UsersWithPermission(ctx context.Context, perm string, opts WithPermOptions) ([]*U, error)
}

// UserStore holds users.
type UserStore[U any] interface {
	// CreateUser validates and inserts u, then sets its ID. A username
	// that exists (compared exactly, case-sensitively) gives
	// ErrDuplicateUsername.
	CreateUser(ctx context.Context, u *U) error
	// GetUser returns the user with the id, or ErrUserNotFound.
	GetUser(ctx context.Context, id int64) (*U, error)
	// GetUserByUsername returns the user whose username equals username
	// exactly (case-sensitive, as in Django), or ErrUserNotFound.
	GetUserByUsername(ctx context.Context, username string) (*U, error)
	// GetUserByUsernameFold is the opt-in case-insensitive lookup (Django's
	// username__iexact). It returns ErrMultipleUsers when more than one
	// username matches and ErrUserNotFound when none does.
	GetUserByUsernameFold(ctx context.Context, username string) (*U, error)
	// UpdateUser validates u and writes every field of the user with u's
	// ID, or returns ErrUserNotFound. Writing back a copy read earlier
	// undoes whatever changed since, so a write of one field should use
	// SetLastLogin or SetPassword.
	UpdateUser(ctx context.Context, u *U) error
	// SetLastLogin writes the user's LastLogin and nothing else, in one
	// atomic step (Django's save(update_fields=["last_login"])), so that a
	// login racing a password change or an admin edit never writes their
	// fields back. t is stored as NormalizeLastLogin returns it, in UTC
	// truncated to microseconds; a time it rejects gives a
	// *ValidationError, and an unknown id gives ErrUserNotFound.
	SetLastLogin(ctx context.Context, id int64, t time.Time) error
	// SetPassword writes the user's encoded password and nothing else, in
	// one atomic step (Django's save(update_fields=["password"])). The
	// value is stored as given, so it must already be hashed (or be an
	// unusable password); one that ValidateEncodedPassword rejects gives a
	// *ValidationError, and an unknown id gives ErrUserNotFound.
	SetPassword(ctx context.Context, id int64, encoded string) error
	// DeleteUser deletes the user and its group and permission memberships,
	// or returns ErrUserNotFound.
	DeleteUser(ctx context.Context, id int64) error
	// ListUsers returns the users that match q, ordered by q.Order (by
	// ID when it is empty).
	ListUsers(ctx context.Context, q UserQuery) ([]*U, error)
	// CountUsers returns how many users match q, ignoring its Offset and
	// Limit.
	CountUsers(ctx context.Context, q UserQuery) (int, error)
}

// GroupStore holds groups.
type GroupStore interface {
	// CreateGroup validates and inserts g, then sets its ID. A name that
	// exists gives ErrDuplicateGroupName.
	CreateGroup(ctx context.Context, g *Group) error
	// GetGroup returns the group with the id, or ErrGroupNotFound.
	GetGroup(ctx context.Context, id int64) (Group, error)
	// GetGroupByName returns the group with exactly that name, or
	// ErrGroupNotFound.
	GetGroupByName(ctx context.Context, name string) (Group, error)
	// UpdateGroup renames the group with g's ID.
	UpdateGroup(ctx context.Context, g *Group) error
	// DeleteGroup deletes the group and its memberships.
	DeleteGroup(ctx context.Context, id int64) error
	// ListGroups returns every group ordered by name.
	ListGroups(ctx context.Context) ([]Group, error)
}

// PermissionStore holds content types and permissions.
type PermissionStore interface {
	PermissionEnsurer
	// GetContentType returns the content type of (appLabel, model), or
	// ErrContentTypeNotFound.
	GetContentType(ctx context.Context, appLabel, model string) (ContentType, error)
	// GetOrCreateContentType returns the content type, creating it if it is
	// missing.
	GetOrCreateContentType(ctx context.Context, appLabel, model string) (ContentType, error)
	// ListContentTypes returns every content type ordered by app label and
	// model.
	ListContentTypes(ctx context.Context) ([]ContentType, error)
	// CreatePermission inserts p under the content type (p.AppLabel,
	// p.Model), which must exist (ErrContentTypeNotFound otherwise), and
	// sets p.ID and p.ContentTypeID. An existing codename on that content
	// type gives ErrDuplicatePermission.
	CreatePermission(ctx context.Context, p *Permission) error
	// GetPermission returns the permission named "app_label.codename", or
	// ErrPermissionNotFound.
	GetPermission(ctx context.Context, perm string) (Permission, error)
	// ListPermissions returns the permissions of one app, or of every app
	// when appLabel is empty, ordered by app label, model and codename.
	ListPermissions(ctx context.Context, appLabel string) ([]Permission, error)
	// DeletePermission deletes the permission and every grant of it.
	DeletePermission(ctx context.Context, perm string) error
}

// MembershipStore holds the many-to-many relations user↔group,
// user↔permission and group↔permission, and answers permission questions.
// Every write names users and groups by ID and permissions by
// "app_label.codename"; an unknown one fails the whole call with its
// not-found sentinel and writes nothing.
type MembershipStore[U any] interface {
	// AddUserGroups puts the user in the groups.
	AddUserGroups(ctx context.Context, userID int64, groupIDs ...int64) error
	// RemoveUserGroups takes the user out of the groups.
	RemoveUserGroups(ctx context.Context, userID int64, groupIDs ...int64) error
	// SetUserGroups makes groupIDs the user's only groups.
	SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error
	// ListUserGroups returns the user's groups ordered by name.
	ListUserGroups(ctx context.Context, userID int64) ([]Group, error)
	// ListGroupUsers returns the members of the group ordered by ID.
	ListGroupUsers(ctx context.Context, groupID int64) ([]*U, error)

	// AddUserPermissions grants the permissions to the user directly.
	AddUserPermissions(ctx context.Context, userID int64, perms ...string) error
	// RemoveUserPermissions revokes direct grants.
	RemoveUserPermissions(ctx context.Context, userID int64, perms ...string) error
	// SetUserPermissions makes perms the user's only direct permissions.
	SetUserPermissions(ctx context.Context, userID int64, perms []string) error
	// ListUserPermissions returns the user's direct permissions, ordered by
	// app label, model and codename.
	ListUserPermissions(ctx context.Context, userID int64) ([]Permission, error)

	// AddGroupPermissions grants the permissions to the group.
	AddGroupPermissions(ctx context.Context, groupID int64, perms ...string) error
	// RemoveGroupPermissions revokes grants from the group.
	RemoveGroupPermissions(ctx context.Context, groupID int64, perms ...string) error
	// SetGroupPermissions makes perms the group's only permissions.
	SetGroupPermissions(ctx context.Context, groupID int64, perms []string) error
	// ListGroupPermissions returns the group's permissions, ordered by app
	// label, model and codename.
	ListGroupPermissions(ctx context.Context, groupID int64) ([]Permission, error)

	// UserPermissionSet returns the user's direct permissions as a set, in
	// one round trip (Django's get_user_permissions before the active and
	// superuser rules, which belong to the backend). An unknown user has an
	// empty set.
	UserPermissionSet(ctx context.Context, userID int64) (PermSet, error)
	// GroupPermissionSet returns the permissions the user holds through its
	// groups, in one round trip (Django's get_group_permissions before the
	// active and superuser rules).
	GroupPermissionSet(ctx context.Context, userID int64) (PermSet, error)
	// GetUserWithPermissions returns the user together with its direct and
	// group permission sets and its group names in one round trip, so that
	// loading the user of an authenticated request, answering its
	// permission checks and listing its groups costs a single query. It
	// returns ErrUserNotFound for an unknown id.
	GetUserWithPermissions(ctx context.Context, id int64) (*U, UserPermissions, error)
	// UsersWithPermission returns the users that hold perm directly,
	// through a group or (unless opts.ExcludeSuperusers) as superusers,
	// ordered by ID: Django's UserManager.with_perm. Only active users are
	// returned unless opts.IncludeInactive. An unknown permission gives
	// ErrPermissionNotFound.
	UsersWithPermission(ctx context.Context, perm string, opts WithPermOptions) ([]*U, error)
}

// UserPermissions are the stored permissions of one user, before the
// active and superuser rules are applied, and the names of its groups,
// read together with the user.
type UserPermissions struct {
	// User holds the permissions granted to the user directly.
	User PermSet
	// Group holds the permissions granted to the user's groups.
	Group PermSet
	// Groups holds the names of the user's groups in byte order, as
	// ListUserGroups orders them (empty, not nil, for a user without
	// groups). nil means not read: RequestUser.GroupNames then asks the
	// store's ListUserGroups when it is called.
	Groups []string
}

// WithPermOptions tunes UsersWithPermission. The zero value gives Django's
// defaults: active users only, superusers included.
type WithPermOptions struct {
	// IncludeInactive also returns inactive users (Django's is_active=None).
	IncludeInactive bool
	// ExcludeSuperusers leaves out superusers who hold the permission only
	// by being superusers (Django's include_superusers=False).
	ExcludeSuperusers bool
}

// UserQuery filters and pages ListUsers and CountUsers. The zero value
// matches every user and returns the first DefaultUserListLimit.
type UserQuery struct {
	// Search keeps users whose username, email, first name or last name
	// contains it, compared case-insensitively. Empty matches all.
	Search string
	// Email keeps users whose email equals it case-insensitively: Django's
	// email__iexact, which compares the two upper-cased, as PostgreSQL's
	// UPPER does (each code point mapped on its own, so "ß" does not match
	// "SS" and a dotless "ı" matches "I"). It is an exact match, not a
	// pattern: "%" and "_" are literal and nothing is trimmed. Empty
	// matches all.
	Email string
	// IsActive, IsStaff and IsSuperuser keep users whose flag equals the
	// pointed-to value; nil matches both.
	IsActive    *bool
	IsStaff     *bool
	IsSuperuser *bool
	// GroupID keeps members of the group; 0 matches all.
	GroupID int64
	// Order sorts the users by one of the UserOrderFields, descending
	// when it starts with "-" (Django's ordering syntax: "username",
	// "-date_joined"); ties, and "", go by ID ascending. Text is compared
	// byte by byte (PostgreSQL's "C" collation), so that every store
	// orders alike; a user who never logged in sorts after every other
	// for "last_login" and before for "-last_login", where PostgreSQL
	// puts NULLs. Another value is rejected.
	Order string
	// Offset skips that many matching users.
	Offset int
	// Limit caps how many users are returned: 0 means
	// DefaultUserListLimit, and values above MaxUserListLimit are rejected.
	Limit int
}

// UserOrderFields are the fields UserQuery.Order can sort by: the
// columns of Django's UserAdmin.list_display, the id, the flags and the
// dates.
var UserOrderFields = []string{"id", "username", "email", "first_name", "last_name", "is_staff",
	"is_active", "is_superuser", "date_joined", "last_login"}

// OrderField splits q.Order into its field and direction; ok is false for
// a field that is not one of UserOrderFields. "" is "id" ascending.
func (q UserQuery) OrderField() (field string, desc, ok bool) {
	field = q.Order
	if field == "" {
		return "id", false, true
	}
	if strings.HasPrefix(field, "-") {
		field, desc = field[1:], true
	}
	for _, f := range UserOrderFields {
		if f == field {
			return field, desc, true
		}
	}
	return "", false, false
}

// Limits of UserQuery.
const (
	DefaultUserListLimit = 100
	MaxUserListLimit     = 10000
)

// Validate rejects a negative offset or limit, a limit above
// MaxUserListLimit, an Order that is not one of UserOrderFields (with or
// without "-"), and a Search or Email longer than MaxEmailLength
// characters, and returns the effective limit.
//
// A Search or Email that holds a NUL byte or is not valid UTF-8 passes:
// no store can hold such text, so it matches no user, and stores answer an
// empty list (a count of 0) without querying, as a lookup of a username
// that cannot exist answers ErrUserNotFound.
func (q UserQuery) Validate() (limit int, err error) {
	switch {
	case q.Offset < 0:
		return 0, &ValidationError{Field: "Offset", Code: "min_value", Message: "must not be negative"}
	case q.Limit < 0:
		return 0, &ValidationError{Field: "Limit", Code: "min_value", Message: "must not be negative"}
	case q.Limit > MaxUserListLimit:
		return 0, &ValidationError{Field: "Limit", Code: "max_value", Message: "must be at most 10000"}
	}
	if _, _, ok := q.OrderField(); !ok {
		return 0, &ValidationError{Field: "Order", Code: "invalid_choice", Message: "not a field users can be ordered by"}
	}
	if err := checkLength("Search", q.Search, MaxEmailLength); err != nil {
		return 0, err
	}
	if err := checkLength("Email", q.Email, MaxEmailLength); err != nil {
		return 0, err
	}
	if q.Limit == 0 {
		return DefaultUserListLimit, nil
	}
	return q.Limit, nil
}

// minLastLogin and maxLastLogin bound the times NormalizeLastLogin
// accepts: the range of Python's datetime, so that Django sharing the
// database can read every stored value back, without its first instant,
// which is Go's zero time.
var (
	minLastLogin = time.Date(1, time.January, 1, 0, 0, 0, 1000, time.UTC)
	maxLastLogin = time.Date(9999, time.December, 31, 23, 59, 59, 999999000, time.UTC)
)

// ValidateEncodedPassword checks an encoded password as User.Validate
// checks the Password field: valid UTF-8, no NUL byte, at most
// MaxPasswordLength characters, and the form of a value that Django's
// password column holds, so that a store never keeps a plain-text
// password. It accepts
//
//   - "", the value Django gives a user created without a password (it is
//     usable but never matches; Django databases contain it);
//   - a value starting with "!", an unusable password
//     (hashers.Registry.MakeUnusable, Django's set_unusable_password);
//   - a hash in a format hashers.IdentifyAlgorithm recognises:
//     "<algorithm>$..." where the algorithm is lower-case letters, digits
//     and underscores, as Django's hasher names are ("pbkdf2_sha256$...",
//     "argon2$...", "md5$$" and 32 hex digits, "sha1$$" and 40), or 32 hex
//     digits alone (Django's unsalted MD5).
//
// Anything else, such as "s3cret", is refused with the code "not_hashed":
// hash it first with the hasher registry's Make. The algorithm need not be
// one the registry knows. The error never contains the value. Stores call
// ValidateEncodedPassword in SetPassword; the error is a *ValidationError
// for the field "Password".
func ValidateEncodedPassword(encoded string) error {
	if err := checkText("Password", encoded, MaxPasswordLength, false); err != nil {
		return err
	}
	if encoded == "" || strings.HasPrefix(encoded, UnusablePasswordPrefix) || isEncodedHash(encoded) {
		return nil
	}
	return &ValidationError{Field: "Password", Code: "not_hashed",
		Message: "not an encoded password hash (\"<algorithm>$...\"): hash the password with the hasher registry's Make, " +
			"or store an unusable password (MakeUnusable)"}
}

// isEncodedHash reports whether encoded has the form of a hash that
// hashers.IdentifyAlgorithm recognises: 32 hex digits (unsalted MD5), or
// an algorithm name of lower-case letters, digits and underscores, then
// at least two more '$'-separated fields ending in a non-empty one, as
// every Django format has ("pbkdf2_sha256$iterations$salt$hash",
// "md5$$hash", "bcrypt$$2b$…"). It is a check of form, to catch a
// plain-text password written by mistake, not a parse: a custom hasher's
// format passes when it has that shape.
func isEncodedHash(encoded string) bool {
	alg, _, found := strings.Cut(encoded, "$")
	if !found {
		return hashers.IdentifyAlgorithm(encoded) == "unsalted_md5" && isHexString(encoded)
	}
	if alg == "" || strings.Count(encoded, "$") < 2 || strings.HasSuffix(encoded, "$") ||
		strings.ContainsAny(encoded, " \t\r\n") {
		return false
	}
	for _, r := range alg {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// isHexString reports whether s is hexadecimal digits only.
func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// NormalizeLastLogin returns t in UTC truncated to microseconds, the form
// in which stores keep times (PostgreSQL's timestamptz precision), and
// rejects with a *ValidationError for the field "LastLogin" the zero time
// (a login time is never unset) and a time outside the years 1 to 9999,
// which Python's datetime, and so Django reading the same database, cannot
// hold; a time that truncates to the zero time is outside too. Stores call
// it in SetLastLogin.
func NormalizeLastLogin(t time.Time) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, &ValidationError{Field: "LastLogin", Code: "required", Message: "the time is zero"}
	}
	t = t.UTC().Truncate(time.Microsecond)
	if t.Before(minLastLogin) || t.After(maxLastLogin) {
		return time.Time{}, &ValidationError{Field: "LastLogin", Code: "invalid",
			Message: "must be between the years 1 and 9999"}
	}
	return t, nil
}
