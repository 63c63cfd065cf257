package auth

import (
	"context"
	"reflect"
	"sync"
)

// SessionUserSlot is the request-scoped hand-over between a session store
// that reads a session's user in the same statement as the session (the
// PostgreSQL store's join on djauth_session.user_id) and the loading of
// the request's user. Middleware puts a new slot in the context it loads
// the session with; the store finds it with SessionUserSlotFromContext and
// calls Offer; the request's user loading takes the offer once.
//
// An offer is used only when the user ID it names equals the session's
// _auth_user_id, the session's backend is a ModelBackend of this Auth, and
// the offering store is the Auth's own store. Every other case, and every
// check of a loaded user (backend still configured, session auth hash and
// its fallbacks, an inactive user), runs as without the offer. Nothing is
// kept across requests: the user is the one read when the request's
// session was loaded.
//
// Its methods are safe for concurrent use. Only Middleware makes slots.
type SessionUserSlot struct {
	mu     sync.Mutex
	sealed bool // the session is loaded: no more offers
	filled bool
	store  any
	userID int64
	user   any
	perms  UserPermissions
}

type sessionUserSlotKey struct{}

// SessionUserSlotFromContext returns the slot of the session being loaded
// with ctx, or nil when there is none (ctx did not come from Middleware's
// session load, or the session is already loaded). A session store calls
// it in FindCtx to decide whether reading the user along is worth it.
func SessionUserSlotFromContext(ctx context.Context) *SessionUserSlot {
	s, _ := ctx.Value(sessionUserSlotKey{}).(*SessionUserSlot)
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sealed {
		return nil
	}
	return s
}

// Offer records the user whose ID the loaded session's user_id column
// holds, read by store in the same statement as the session: user is a
// pointer to the store's user type, perms its stored permissions (direct
// and through groups) and group names as the store's
// GetUserWithPermissions returns them.
// store is the user store that read the row, compared with the Auth's
// store before the offer is used. An offer replaces an earlier one; an
// offer after the session was loaded is ignored.
func (s *SessionUserSlot) Offer(store any, userID int64, user any, perms UserPermissions) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sealed {
		return
	}
	s.filled, s.store, s.userID, s.user, s.perms = true, store, userID, user, perms
}

// seal ends the session load: later finds in the request get no slot.
func (s *SessionUserSlot) seal() {
	s.mu.Lock()
	s.sealed = true
	s.mu.Unlock()
}

// take returns the offer once and clears it.
func (s *SessionUserSlot) take() (store any, userID int64, user any, perms UserPermissions, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.filled {
		return nil, 0, nil, UserPermissions{}, false
	}
	store, userID, user, perms = s.store, s.userID, s.user, s.perms
	s.filled, s.store, s.user, s.perms = false, nil, nil, UserPermissions{}
	return store, userID, user, perms, true
}

// withSessionUserSlot returns ctx carrying a new slot for a session load.
func withSessionUserSlot(ctx context.Context) (context.Context, *SessionUserSlot) {
	s := &SessionUserSlot{}
	return context.WithValue(ctx, sessionUserSlotKey{}, s), s
}

// prefetchedUser takes the offer of ctx's slot when it is for user id and
// came from a's own store.
func (a *Auth[U]) prefetchedUser(ctx context.Context, id int64) (*U, UserPermissions, bool) {
	s, _ := ctx.Value(sessionUserSlotKey{}).(*SessionUserSlot)
	if s == nil {
		return nil, UserPermissions{}, false
	}
	store, userID, user, perms, ok := s.take()
	if !ok || userID != id || !sameStore(store, a.store) {
		return nil, UserPermissions{}, false
	}
	u, ok := user.(*U)
	if !ok || u == nil || authUserOf(u).ID != id {
		return nil, UserPermissions{}, false
	}
	return u, perms, true
}

// sameStore reports whether offered is the Auth's store, without
// panicking on a store type that cannot be compared.
func sameStore(offered, own any) bool {
	if offered == nil || own == nil {
		return false
	}
	t := reflect.TypeOf(offered)
	return t == reflect.TypeOf(own) && t.Comparable() && offered == own
}
