package orgs

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/djauth/auth"
)

// current is what the middleware found for a request.
type current struct {
	org    Organization
	member Member
	ok     bool
	err    error // a store failure: guards answer 500
	// named and slug are what the resolution was made from: the URL's
	// organization, or (named false) the session's.
	named bool
	slug  string
}

type currentKey struct{ _ byte }

// Current returns the request's current organization and the user's
// membership of it, as Orgs.Middleware resolved them; ok is false when
// the request has none (no middleware, an anonymous user, no
// organization named by the URL or the session).
func Current(ctx context.Context) (org Organization, m Member, ok bool) {
	c, _ := ctx.Value(currentKey{}).(*current)
	if c == nil || !c.ok {
		return Organization{}, Member{}, false
	}
	return c.org, c.member, true
}

// Current is the package's Current for a request.
func (o *Orgs[U]) Current(r *http.Request) (Organization, Member, bool) { return Current(r.Context()) }

// Middleware resolves the request's current organization, which Current
// then returns. It runs inside the Auth's middleware (Auth.Middleware or
// Auth.Protect), and for the default Config.FromRequest inside a
// ServeMux pattern with an {org} wildcard.
//
// An organization named by the request (its slug) is the current one when
// the signed-in user is an active member of it and it is active; else
// the answer is 404, whether the organization exists or not. A request
// that names none takes the organization chosen with Switch from the
// session, when the user is still an active member of the active
// organization; otherwise the session's choice is removed. An anonymous
// request has no current organization: one naming an organization is 404
// here, and the guards (which include this resolution) send it to log in
// instead.
func (o *Orgs[U]) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, c := o.resolve(r)
		if c.err != nil {
			o.a.Deny(w, r, c.err)
			return
		}
		if c.named && !c.ok {
			notFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type resolved struct {
	*current
	named bool // the URL named an organization
}

// resolve finds the request's organization once per request.
func (o *Orgs[U]) resolve(r *http.Request) (*http.Request, resolved) {
	r = withRequest(r)
	slug, named := o.fromReq(r)
	// A resolution made higher up (a Middleware around the mux, before
	// the route's {org} was known) is reused only for the same
	// organization: a URL naming another one is resolved afresh, so a
	// guard never lets the session's organization stand for the URL's.
	if c, ok := r.Context().Value(currentKey{}).(*current); ok && c.named == named && c.slug == slug {
		return r, resolved{current: c, named: named}
	}
	c := &current{named: named, slug: slug}
	ctx := r.Context()
	ru := o.a.UserFromContext(ctx)
	var user *U
	if ru != nil {
		user = ru.User()
		if err := ru.Err(); err != nil {
			c.err = err
		}
	}
	u := activeUser(user)
	switch {
	case c.err != nil || u == nil:
	case named:
		org, err := o.store.OrganizationBySlug(ctx, slug)
		if err == nil {
			c.org, c.member, c.ok, c.err = o.memberOf(ctx, org, u.ID)
		} else if !errors.Is(err, ErrNotFound) {
			c.err = err
		}
	default:
		id, err := strconv.ParseInt(o.a.Sessions().GetString(ctx, SessionKeyOrg), 10, 64)
		if err != nil || id <= 0 {
			break
		}
		org, err := o.store.Organization(ctx, id)
		if err == nil {
			c.org, c.member, c.ok, c.err = o.memberOf(ctx, org, u.ID)
		} else if !errors.Is(err, ErrNotFound) {
			c.err = err
		}
		if !c.ok && c.err == nil {
			o.a.Sessions().Remove(ctx, SessionKeyOrg)
		}
	}
	return r.WithContext(context.WithValue(ctx, currentKey{}, c)), resolved{current: c, named: named}
}

// memberOf returns the user's membership of org when both are active.
func (o *Orgs[U]) memberOf(ctx context.Context, org Organization, userID int64) (Organization, Member, bool, error) {
	if !org.IsActive {
		return Organization{}, Member{}, false, nil
	}
	m, err := o.store.Membership(ctx, org.ID, userID)
	if errors.Is(err, ErrNotMember) {
		return Organization{}, Member{}, false, nil
	}
	if err != nil {
		return Organization{}, Member{}, false, err
	}
	return org, m, true, nil
}

// Switch makes the organization the session's current one. The signed-in
// user must be an active member of the active organization: else
// ErrNotMember (auth.ErrLoginRequired for no active user), whether it
// exists or not.
func (o *Orgs[U]) Switch(r *http.Request, orgID int64) error {
	ctx := r.Context()
	ru := o.a.UserFromContext(ctx)
	if ru == nil {
		return auth.ErrNoSession
	}
	u := activeUser(ru.User())
	if u == nil {
		return auth.ErrLoginRequired
	}
	org, err := o.store.Organization(ctx, orgID)
	if errors.Is(err, ErrNotFound) {
		return ErrNotMember
	}
	if err != nil {
		return err
	}
	_, _, ok, err := o.memberOf(ctx, org, u.ID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotMember
	}
	o.a.Sessions().Put(ctx, SessionKeyOrg, strconv.FormatInt(orgID, 10))
	return nil
}

// guard runs check on the resolved request; check returns nil to let it
// through, or an error for Auth.Deny.
func (o *Orgs[U]) guard(next http.Handler, check func(r *http.Request, u *U, c *current) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, c := o.resolve(r)
		if c.err != nil {
			o.a.Deny(w, r, c.err)
			return
		}
		ru := o.a.UserFromContext(r.Context())
		var user *U
		if ru != nil {
			user = ru.User()
		}
		if activeUser(user) == nil {
			o.a.Deny(w, r, auth.ErrLoginRequired)
			return
		}
		if !c.ok {
			if c.named {
				notFound(w, r)
				return
			}
			o.a.Deny(w, r, auth.ErrPermissionDenied)
			return
		}
		if err := check(r, user, c.current); err != nil {
			o.a.Deny(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// MemberRequired lets through a signed-in, active member of the request's
// current organization (see Middleware, which it includes): anonymous
// users are sent to log in (Auth.Deny), an organization named by the URL
// that the user is not a member of is 404, and no current organization
// is 403.
func (o *Orgs[U]) MemberRequired(next http.Handler) http.Handler {
	return o.guard(next, func(*http.Request, *U, *current) error { return nil })
}

// AdminRequired is MemberRequired for the owner and admins; other members
// get 403.
func (o *Orgs[U]) AdminRequired(next http.Handler) http.Handler {
	return o.guard(next, func(_ *http.Request, _ *U, c *current) error {
		if c.member.IsAdmin || c.member.IsOwner {
			return nil
		}
		return auth.ErrPermissionDenied
	})
}

// PermissionRequired returns MemberRequired for the members who hold
// every one of perms in the current organization (HasPerms); other
// members get 403.
func (o *Orgs[U]) PermissionRequired(perms ...string) func(http.Handler) http.Handler {
	perms = append([]string(nil), perms...)
	return func(next http.Handler) http.Handler {
		return o.guard(next, func(r *http.Request, u *U, c *current) error {
			ok, err := o.HasPerms(r.Context(), u, c.org.ID, perms...)
			if err != nil {
				return err
			}
			if !ok {
				return auth.ErrPermissionDenied
			}
			return nil
		})
	}
}
