package auth

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
)

// Backend authenticates credentials and loads the user of a session: the
// counterpart of a Django authentication backend. Backends are tried in the
// order of Config.Backends. ModelBackend, the default, is Django's
// ModelBackend; package backends holds the remote-user backends.
//
// A backend may also answer permission questions by implementing
// PermissionBackend, and may implement PermissionChecker,
// ModulePermissionChecker and UserPermissionsLoader; these optional
// abilities are discovered by type assertion.
type Backend[U any] interface {
	// Name identifies the backend in sessions (the _auth_user_backend
	// value). It must be non-empty and unique among the configured
	// backends; Django's backends use their Python import path so that the
	// value matches Django's.
	Name() string
	// Authenticate returns the user that the credentials identify. It
	// returns (nil, nil) when the credentials are not for this backend or
	// do not match, so that the next backend is tried, and an error
	// wrapping ErrPermissionDenied to stop the chain. Any other error
	// aborts authentication and is returned to the caller (fail closed).
	// r may be nil.
	Authenticate(ctx context.Context, r *http.Request, c Credentials) (*U, error)
	// GetUser returns the user with the id if this backend still lets it
	// in, or an error wrapping ErrUserNotFound (for an unknown id, or a
	// user that the backend refuses, such as an inactive one). Other
	// errors mean the backend could not answer.
	GetUser(ctx context.Context, id int64) (*U, error)
}

// Binder is implemented by backends that need the Auth they serve, for
// its store, hashers or logger: New calls Bind once for each configured
// backend that has it, after every other check of the Config and before
// the Auth serves any request. Bind returns an error (New then fails) when
// the backend cannot work with a, for example because a's store lacks a
// method it needs or the backend is already bound to another Auth. When a
// later backend's Bind fails, New fails after the earlier ones were bound:
// a Binder should then accept being bound again by the next New
// (ModelBackend does).
type Binder[U any] interface {
	Bind(a *Auth[U]) error
}

// PermissionBackend is implemented by backends that grant permissions
// (Django's get_user_permissions and get_group_permissions). obj is nil for
// model-level permissions; a backend without object permissions returns an
// empty set for any other obj, as Django's ModelBackend does. Results for
// obj == nil are cached on the request's user for the rest of the request.
type PermissionBackend[U any] interface {
	// UserPermissions returns the permissions granted to the user itself.
	UserPermissions(ctx context.Context, user *U, obj any) (PermSet, error)
	// GroupPermissions returns the permissions the user holds through its
	// groups.
	GroupPermissions(ctx context.Context, user *U, obj any) (PermSet, error)
}

// PermissionChecker is implemented by backends that decide has_perm
// themselves instead of looking perm up in UserPermissions ∪
// GroupPermissions. Returning an error wrapping ErrPermissionDenied denies
// the permission whatever later backends say (Django's PermissionDenied in
// has_perm).
type PermissionChecker[U any] interface {
	HasPerm(ctx context.Context, user *U, perm string, obj any) (bool, error)
}

// ModulePermissionChecker is implemented by backends that decide
// has_module_perms themselves. ErrPermissionDenied works as for
// PermissionChecker.
type ModulePermissionChecker[U any] interface {
	HasModulePerms(ctx context.Context, user *U, appLabel string) (bool, error)
}

// UserPermissionsLoader is implemented by backends that can load a user
// together with the answers of their UserPermissions and GroupPermissions
// (for obj == nil) in one round trip. The request side uses it instead of
// GetUser so that an authenticated request with permission checks costs a
// single store query. perms, or one of its sets, may be nil when the
// backend prefers to answer later (for example a superuser, whose set is
// every permission); the backend is then asked through PermissionBackend
// when needed. perms.Groups, when not nil, are the names of the user's
// groups in the Auth's store, which RequestUser.GroupNames then returns
// without asking the store.
type UserPermissionsLoader[U any] interface {
	GetUserWithPermissions(ctx context.Context, id int64) (user *U, perms *UserPermissions, err error)
}

// Credentials are the named values given to Authenticate, Django's
// **credentials: "username" and "password" for the model backends,
// "remote_user" for the remote-user backend, anything else for custom
// backends. A backend ignores credentials that are not meant for it.
type Credentials map[string]string

// Credential names understood by the backends of package backends.
const (
	CredentialUsername   = "username"
	CredentialPassword   = "password"
	CredentialRemoteUser = "remote_user"
)

// sensitiveCredential is Django's SENSITIVE_CREDENTIALS from
// django.contrib.auth._clean_credentials.
var sensitiveCredential = regexp.MustCompile(`(?i)api|token|key|secret|password|signature`)

// CleansedSubstitute replaces sensitive values in cleansed credentials.
const CleansedSubstitute = "********************"

// Cleansed returns a copy of c in which the value of every key that
// contains api, token, key, secret, password or signature (in any case) is
// CleansedSubstitute, as Django's _clean_credentials does before sending the
// login-failed signal.
func (c Credentials) Cleansed() Credentials {
	out := make(Credentials, len(c))
	for k, v := range c {
		if sensitiveCredential.MatchString(k) {
			v = CleansedSubstitute
		}
		out[k] = v
	}
	return out
}

// LogValue implements slog.LogValuer: it logs the credential names only,
// never the values, so that credentials can be logged safely.
func (c Credentials) LogValue() slog.Value {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return slog.AnyValue(keys)
}
