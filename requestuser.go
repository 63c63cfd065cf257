package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// requestUserKey is the type of an Auth's context key for its
// *RequestUser. Each Auth has its own key (a pointer to a non-zero-size
// value, so that two keys never compare equal): two Auths in one process,
// even of the same user type, never see each other's users.
type requestUserKey struct{ _ byte }

// RequestUser is the user of one request, Django's request.user: loaded
// from the session on first use, then kept for the rest of the request,
// together with the permissions asked about and its group names. Nothing is kept across
// requests, so a revoked permission or a deactivated account takes effect
// on the next request.
//
// Get it with Auth.User or Auth.UserFromContext inside Auth.Middleware. Its
// methods are safe for concurrent use. When the user cannot be loaded (the
// store is down), the request is treated as anonymous, every permission
// check answers false and Err reports the cause; the guards then answer
// 500 instead of redirecting to the login page.
//
// Ask for the user before writing the response: loading it may end the
// session (password changed) or re-sign it (SecretKeyFallbacks), and
// session changes made after the first byte of the response are not
// saved.
type RequestUser[U any] struct {
	a   *Auth[U]
	ctx context.Context

	// loadedToken is the token the session was loaded with ("" for a new
	// session); renewal holds it once a renewal has replaced it, until the
	// save at the end of the request (see SessionRenewer).
	loadedToken string
	renewal     pendingRenewal
	// bearer is set when the session came in an Authorization header,
	// or a handler switched the request to header transport
	// (UseHeaderToken); presented when the request carried a token at
	// all. saved is the store key that the save sent, and savedDone
	// whether the save ran (see SaveSession).
	bearer, presented bool
	saved             string
	savedDone         bool

	mu      sync.Mutex
	loaded  bool
	user    *U
	backend string
	perms   *permCache[U]
	err     error
	// groups are the user's group names once haveGroups: from the
	// backend's load of the user, or from GroupNames' ListUserGroups.
	groups     []string
	haveGroups bool
}

func (a *Auth[U]) newRequestUser(ctx context.Context) *RequestUser[U] {
	return &RequestUser[U]{a: a, ctx: ctx}
}

// UserFromContext returns the request user that this Auth's Middleware
// put in ctx, or nil when ctx did not pass through it. Handlers usually
// call User(r), which never returns nil.
func (a *Auth[U]) UserFromContext(ctx context.Context) *RequestUser[U] {
	ru, _ := ctx.Value(a.ctxKey).(*RequestUser[U])
	return ru
}

// load resolves the user from the session once; the caller holds mu.
func (ru *RequestUser[U]) load() {
	if ru.loaded {
		return
	}
	ru.loaded = true
	user, backend, perms, err := ru.a.userFromSession(ru.ctx)
	ru.user, ru.backend, ru.err = user, backend, err
	if user != nil {
		ru.perms = newPermCache(ru.a, user)
		if i, ok := ru.a.byName[backend]; ok {
			ru.perms.preload(i, perms)
		}
		if perms != nil && perms.Groups != nil {
			ru.groups, ru.haveGroups = perms.Groups, true
		}
	}
}

// set replaces the user after Login or Logout (Django's request.user =
// user).
func (ru *RequestUser[U]) set(user *U, backend string) {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.loaded, ru.user, ru.backend, ru.err = true, user, backend, nil
	ru.perms, ru.groups, ru.haveGroups = nil, nil, false
	if user != nil {
		ru.perms = newPermCache(ru.a, user)
	}
}

// User returns the logged-in user, or nil for an anonymous request.
func (ru *RequestUser[U]) User() *U {
	if ru == nil {
		return nil
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.load()
	return ru.user
}

// AuthUser returns the embedded User of the logged-in user, or nil for an
// anonymous request.
func (ru *RequestUser[U]) AuthUser() *User {
	u := ru.User()
	if u == nil {
		return nil
	}
	return authUserOf(u)
}

// IsAuthenticated reports whether a user is logged in.
func (ru *RequestUser[U]) IsAuthenticated() bool { return ru.User() != nil }

// IsAnonymous reports whether no user is logged in.
func (ru *RequestUser[U]) IsAnonymous() bool { return ru.User() == nil }

// ID returns the user's ID, or 0 for an anonymous request.
func (ru *RequestUser[U]) ID() int64 {
	if au := ru.AuthUser(); au != nil {
		return au.ID
	}
	return 0
}

// Username returns the user's username, or "" for an anonymous request.
func (ru *RequestUser[U]) Username() string {
	if au := ru.AuthUser(); au != nil {
		return au.Username
	}
	return ""
}

// Backend returns the name of the backend that logged the user in, or ""
// for an anonymous request.
func (ru *RequestUser[U]) Backend() string {
	if ru == nil {
		return ""
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.load()
	return ru.backend
}

// Err returns the error that made the request anonymous or a permission
// check fail, such as a store that is down; nil otherwise.
func (ru *RequestUser[U]) Err() error {
	if ru == nil {
		return nil
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.load()
	return ru.err
}

// String returns the username, or "AnonymousUser".
func (ru *RequestUser[U]) String() string {
	if name := ru.Username(); ru.IsAuthenticated() {
		return name
	}
	return "AnonymousUser"
}

// withPerms runs f with the permission cache of a logged-in user; it
// records f's error. Anonymous requests get the zero value of T.
func withPerms[U, T any](ru *RequestUser[U], f func(context.Context, *permCache[U]) (T, error)) T {
	var zero T
	if ru == nil {
		return zero
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.load()
	if ru.user == nil {
		return zero
	}
	v, err := f(ru.ctx, ru.perms)
	if err != nil {
		if ru.err == nil {
			ru.err = err
		}
		ru.a.logger.ErrorContext(ru.ctx, "auth: permission check failed", "error", err)
		return zero
	}
	return v
}

// HasPerm reports whether the user holds perm ("app_label.codename"), as
// Auth.HasPerm does, caching the backends' answers for the request. An
// anonymous user holds none.
func (ru *RequestUser[U]) HasPerm(perm string) bool {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (bool, error) { return p.hasPerm(ctx, perm, nil) })
}

// HasPerms reports whether the user holds every one of perms.
func (ru *RequestUser[U]) HasPerms(perms ...string) bool {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (bool, error) { return p.hasPerms(ctx, perms, nil) })
}

// HasObjectPerm reports whether the user holds perm on obj; the answers
// are not cached. Django's ModelBackend grants no object permissions.
func (ru *RequestUser[U]) HasObjectPerm(perm string, obj any) bool {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (bool, error) { return p.hasPerm(ctx, perm, obj) })
}

// HasModulePerms reports whether the user holds any permission of the app.
func (ru *RequestUser[U]) HasModulePerms(appLabel string) bool {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (bool, error) { return p.hasModulePerms(ctx, appLabel) })
}

// UserPermissions returns the permissions granted to the user directly.
// The set is shared with the request's cache: do not modify it.
func (ru *RequestUser[U]) UserPermissions() PermSet {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (PermSet, error) { return p.userPermissions(ctx, nil) })
}

// GroupPermissions returns the permissions the user holds through groups.
// The set is shared with the request's cache: do not modify it.
func (ru *RequestUser[U]) GroupPermissions() PermSet {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (PermSet, error) { return p.groupPermissions(ctx, nil) })
}

// AllPermissions returns every permission the user holds through the
// backends. The set is shared with the request's cache: do not modify it.
func (ru *RequestUser[U]) AllPermissions() PermSet {
	return withPerms(ru, func(ctx context.Context, p *permCache[U]) (PermSet, error) { return p.allPermissions(ctx, nil) })
}

// userGroupLister is the store method GroupNames needs when the user's
// groups were not read with the user (MembershipStore has it).
type userGroupLister interface {
	ListUserGroups(ctx context.Context, userID int64) ([]Group, error)
}

// GroupNames returns the names of the user's groups in byte order
// (Django's request.user.groups), empty for a user without groups and nil
// for an anonymous request. They are read with the user when the
// backend's load of it gives them, as ModelBackend does on the stores of
// package store (on PostgreSQL with a session store made by
// Store.NewSessionStore, in the session's own statement), and otherwise
// by one ListUserGroups of the Auth's store on first use. Like the
// permissions they are read once per request and never kept across
// requests. A user the store does not hold has no groups. When the groups
// cannot be read it returns nil and Err reports why. The slice is the
// caller's to keep or modify.
func (ru *RequestUser[U]) GroupNames() []string {
	if ru == nil {
		return nil
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.load()
	if ru.user == nil {
		return nil
	}
	if !ru.haveGroups {
		names, err := ru.a.listGroupNames(ru.ctx, authUserOf(ru.user).ID)
		if err != nil {
			if ru.err == nil {
				ru.err = err
			}
			ru.a.logger.ErrorContext(ru.ctx, "auth: listing the user's groups failed", "error", err)
			return nil
		}
		ru.groups, ru.haveGroups = names, true
	}
	return append([]string{}, ru.groups...)
}

// listGroupNames returns the names of the groups of user id through the
// store's ListUserGroups, which orders them by name.
func (a *Auth[U]) listGroupNames(ctx context.Context, id int64) ([]string, error) {
	l, ok := a.store.(userGroupLister)
	if !ok {
		return nil, fmt.Errorf("%w: the store %T cannot list a user's groups", ErrConfig, a.store)
	}
	gs, err := l.ListUserGroups(ctx, id)
	if errors.Is(err, ErrUserNotFound) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth: groups of user %d: %w", id, err)
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names, nil
}
