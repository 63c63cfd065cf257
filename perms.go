package auth

import (
	"context"
	"errors"
	"fmt"
)

// backendPerms caches one backend's model-level answers for one user.
type backendPerms struct {
	user, group         PermSet
	haveUser, haveGroup bool
}

// permCache answers permission questions for one user through the
// backends, remembering model-level answers (obj == nil) for its own
// lifetime: one request, or one call of an Auth method.
type permCache[U any] struct {
	a    *Auth[U]
	user *U
	sets []backendPerms
	all  PermSet
}

func newPermCache[U any](a *Auth[U], user *U) *permCache[U] {
	return &permCache[U]{a: a, user: user, sets: make([]backendPerms, len(a.backends))}
}

// activeSuperuser is Django's "Active superusers have all permissions".
func (p *permCache[U]) activeSuperuser() bool {
	au := authUserOf(p.user)
	return au.IsActive && au.IsSuperuser
}

// backendSet returns backend i's user or group permissions.
func (p *permCache[U]) backendSet(ctx context.Context, i int, group bool, obj any) (PermSet, error) {
	pb, ok := p.a.backends[i].(PermissionBackend[U])
	if !ok {
		return nil, nil
	}
	if obj == nil {
		c := &p.sets[i]
		if group && c.haveGroup {
			return c.group, nil
		}
		if !group && c.haveUser {
			return c.user, nil
		}
	}
	var s PermSet
	var err error
	if group {
		s, err = pb.GroupPermissions(ctx, p.user, obj)
	} else {
		s, err = pb.UserPermissions(ctx, p.user, obj)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: backend %s: permissions: %w", p.a.backends[i].Name(), err)
	}
	if obj == nil {
		c := &p.sets[i]
		if group {
			c.group, c.haveGroup = s, true
		} else {
			c.user, c.haveUser = s, true
		}
	}
	return s, nil
}

// preload stores the answers a UserPermissionsLoader gave with the user;
// a nil set is asked for when needed.
func (p *permCache[U]) preload(i int, perms *UserPermissions) {
	if perms == nil {
		return
	}
	p.sets[i] = backendPerms{user: perms.User, group: perms.Group, haveUser: perms.User != nil, haveGroup: perms.Group != nil}
}

// backendAll is Django's BaseBackend.get_all_permissions.
func (p *permCache[U]) backendAll(ctx context.Context, i int, obj any) (PermSet, error) {
	u, err := p.backendSet(ctx, i, false, obj)
	if err != nil {
		return nil, err
	}
	g, err := p.backendSet(ctx, i, true, obj)
	if err != nil {
		return nil, err
	}
	if len(g) == 0 {
		return u, nil
	}
	if len(u) == 0 {
		return g, nil
	}
	return u.Union(g), nil
}

// union collects a set over every backend.
func (p *permCache[U]) union(get func(i int) (PermSet, error)) (PermSet, error) {
	out := PermSet{}
	for i := range p.a.backends {
		s, err := get(i)
		if err != nil {
			return nil, err
		}
		for perm := range s {
			out[perm] = struct{}{}
		}
	}
	return out, nil
}

func (p *permCache[U]) userPermissions(ctx context.Context, obj any) (PermSet, error) {
	return p.union(func(i int) (PermSet, error) { return p.backendSet(ctx, i, false, obj) })
}

func (p *permCache[U]) groupPermissions(ctx context.Context, obj any) (PermSet, error) {
	return p.union(func(i int) (PermSet, error) { return p.backendSet(ctx, i, true, obj) })
}

func (p *permCache[U]) allPermissions(ctx context.Context, obj any) (PermSet, error) {
	if obj == nil && p.all != nil {
		return p.all, nil
	}
	s, err := p.union(func(i int) (PermSet, error) { return p.backendAll(ctx, i, obj) })
	if err == nil && obj == nil {
		p.all = s
	}
	return s, err
}

// anyBackend asks the backends in order until one answers yes: Django's
// _user_has_perm and _user_has_module_perms. An active superuser is
// answered yes without asking, and a backend's ErrPermissionDenied answers
// no for all of them.
func (p *permCache[U]) anyBackend(ask func(i int, b Backend[U]) (bool, error)) (bool, error) {
	if p.activeSuperuser() {
		return true, nil
	}
	for i, b := range p.a.backends {
		ok, err := ask(i, b)
		if errors.Is(err, ErrPermissionDenied) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// hasPerm is Django's User.has_perm: true for an active superuser,
// otherwise true if any backend grants perm; a backend's
// ErrPermissionDenied denies it outright.
func (p *permCache[U]) hasPerm(ctx context.Context, perm string, obj any) (bool, error) {
	return p.anyBackend(func(i int, b Backend[U]) (bool, error) {
		if pc, isChecker := b.(PermissionChecker[U]); isChecker {
			ok, err := pc.HasPerm(ctx, p.user, perm, obj)
			if err != nil && !errors.Is(err, ErrPermissionDenied) {
				err = fmt.Errorf("auth: backend %s: has perm: %w", b.Name(), err)
			}
			return ok, err
		}
		all, err := p.backendAll(ctx, i, obj)
		return all.Has(perm), err
	})
}

// hasPerms is Django's has_perms: every perm is held.
func (p *permCache[U]) hasPerms(ctx context.Context, perms []string, obj any) (bool, error) {
	for _, perm := range perms {
		ok, err := p.hasPerm(ctx, perm, obj)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// hasModulePerms is Django's User.has_module_perms.
func (p *permCache[U]) hasModulePerms(ctx context.Context, appLabel string) (bool, error) {
	return p.anyBackend(func(i int, b Backend[U]) (bool, error) {
		if mc, isChecker := b.(ModulePermissionChecker[U]); isChecker {
			ok, err := mc.HasModulePerms(ctx, p.user, appLabel)
			if err != nil && !errors.Is(err, ErrPermissionDenied) {
				err = fmt.Errorf("auth: backend %s: has module perms: %w", b.Name(), err)
			}
			return ok, err
		}
		all, err := p.backendAll(ctx, i, nil)
		return all.HasModule(appLabel), err
	})
}

// HasPerm reports whether user holds perm ("app_label.codename"), on obj
// when obj is not nil (Django's User.has_perm): an active superuser holds
// every permission; otherwise the backends are asked in order until one
// grants it, and a backend that returns ErrPermissionDenied denies it. A
// nil user (anonymous) holds none. Nothing is cached between calls.
func (a *Auth[U]) HasPerm(ctx context.Context, user *U, perm string, obj any) (bool, error) {
	if user == nil {
		return false, nil
	}
	return newPermCache(a, user).hasPerm(ctx, perm, obj)
}

// HasPerms reports whether user holds every one of perms (Django's
// has_perms); an empty list is held by everyone, as in Django.
func (a *Auth[U]) HasPerms(ctx context.Context, user *U, perms []string, obj any) (bool, error) {
	if user == nil {
		return false, nil
	}
	return newPermCache(a, user).hasPerms(ctx, perms, obj)
}

// HasModulePerms reports whether user holds any permission of the app
// (Django's has_module_perms); an active superuser always does.
func (a *Auth[U]) HasModulePerms(ctx context.Context, user *U, appLabel string) (bool, error) {
	if user == nil {
		return false, nil
	}
	return newPermCache(a, user).hasModulePerms(ctx, appLabel)
}

// UserPermissions returns the permissions the backends grant to user
// directly (Django's get_user_permissions). For an active superuser the
// model backend returns every permission.
func (a *Auth[U]) UserPermissions(ctx context.Context, user *U, obj any) (PermSet, error) {
	if user == nil {
		return PermSet{}, nil
	}
	return newPermCache(a, user).userPermissions(ctx, obj)
}

// GroupPermissions returns the permissions the backends grant to user
// through its groups (Django's get_group_permissions).
func (a *Auth[U]) GroupPermissions(ctx context.Context, user *U, obj any) (PermSet, error) {
	if user == nil {
		return PermSet{}, nil
	}
	return newPermCache(a, user).groupPermissions(ctx, obj)
}

// AllPermissions returns the union of the user and group permissions of
// every backend (Django's get_all_permissions).
func (a *Auth[U]) AllPermissions(ctx context.Context, user *U, obj any) (PermSet, error) {
	if user == nil {
		return PermSet{}, nil
	}
	return newPermCache(a, user).allPermissions(ctx, obj)
}
