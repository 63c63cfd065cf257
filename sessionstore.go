package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// memSessionStore is the in-memory scs.Store that New uses when
// Config.Sessions is nil. Unlike scs's memstore, its cleanup goroutine is
// started with its stop channel already made, so stopping it is race-free.
type memSessionStore struct {
	mu    sync.RWMutex
	items map[string]memSession
	// byUser indexes the tokens of items by their user (SessionIndexer);
	// it changes in the same critical section as items.
	byUser map[int64]map[string]struct{}
	now    func() time.Time

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

var (
	_ SessionUpdater = (*memSessionStore)(nil)
	_ SessionRenewer = (*memSessionStore)(nil)
	_ SessionIndexer = (*memSessionStore)(nil)
)

type memSession struct {
	data   []byte
	expiry time.Time
	user   int64
}

// newMemSessionStore starts a store that drops expired sessions every
// interval. now is the clock; nil means time.Now.
func newMemSessionStore(interval time.Duration, now func() time.Time) *memSessionStore {
	if now == nil {
		now = time.Now
	}
	m := &memSessionStore{
		items:  make(map[string]memSession),
		byUser: make(map[int64]map[string]struct{}),
		now:    now,
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go m.cleanup(interval)
	return m
}

func (m *memSessionStore) cleanup(interval time.Duration) {
	defer close(m.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.deleteExpired()
		case <-m.stop:
			return
		}
	}
}

// Close stops the cleanup goroutine and waits for it to end.
func (m *memSessionStore) Close() {
	m.stopOnce.Do(func() { close(m.stop) })
	<-m.done
}

func (m *memSessionStore) deleteExpired() {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for token, it := range m.items {
		if !now.Before(it.expiry) {
			m.removeLocked(token)
		}
	}
}

// putLocked stores it under token, moving the token's index entry to
// it.user. m.mu must be held for writing.
func (m *memSessionStore) putLocked(token string, it memSession) {
	m.removeLocked(token)
	m.items[token] = it
	if it.user != 0 {
		set := m.byUser[it.user]
		if set == nil {
			set = make(map[string]struct{})
			m.byUser[it.user] = set
		}
		set[token] = struct{}{}
	}
}

// removeLocked deletes token and its index entry. m.mu must be held for
// writing.
func (m *memSessionStore) removeLocked(token string) {
	old, ok := m.items[token]
	if !ok {
		return
	}
	delete(m.items, token)
	if set := m.byUser[old.user]; set != nil {
		delete(set, token)
		if len(set) == 0 {
			delete(m.byUser, old.user)
		}
	}
}

// Find implements scs.Store; an expired session is not found.
func (m *memSessionStore) Find(token string) ([]byte, bool, error) {
	m.mu.RLock()
	it, ok := m.items[token]
	m.mu.RUnlock()
	if !ok || !m.now().Before(it.expiry) {
		return nil, false, nil
	}
	return it.data, true, nil
}

// Commit implements scs.Store.
// The session is not indexed by user; CommitUserCtx is.
func (m *memSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return m.CommitUserCtx(context.Background(), token, 0, b, expiry)
}

// CommitUserCtx implements SessionIndexer.
func (m *memSessionStore) CommitUserCtx(_ context.Context, token string, userID int64, b []byte, expiry time.Time) error {
	m.mu.Lock()
	m.putLocked(token, memSession{data: b, expiry: expiry, user: userID})
	m.mu.Unlock()
	return nil
}

// Delete implements scs.Store.
func (m *memSessionStore) Delete(token string) error {
	m.mu.Lock()
	m.removeLocked(token)
	m.mu.Unlock()
	return nil
}

// UserSessionsCtx implements SessionIndexer: the unexpired sessions of
// userID, by token.
func (m *memSessionStore) UserSessionsCtx(_ context.Context, userID int64) (map[string][]byte, error) {
	now := m.now()
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[string][]byte{}
	for token := range m.byUser[userID] {
		if it := m.items[token]; now.Before(it.expiry) {
			out[token] = it.data
		}
	}
	return out, nil
}

// indexLen returns the number of tokens in the user index, expired or
// not, for tests that check it matches the sessions.
func (m *memSessionStore) indexLen() (tokens int, users int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, set := range m.byUser {
		tokens += len(set)
	}
	return tokens, len(m.byUser)
}

// len returns the number of stored sessions, expired or not.
func (m *memSessionStore) len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.items)
}

// UpdateCtx implements SessionUpdater: it replaces the data and expiry of
// token only while that session exists and has not expired.
// It keeps the session's user.
func (m *memSessionStore) UpdateCtx(_ context.Context, token string, b []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[token]
	if !ok || !m.now().Before(it.expiry) {
		return false, nil
	}
	m.putLocked(token, memSession{data: b, expiry: expiry, user: it.user})
	return true, nil
}

// UpdateUserCtx implements SessionIndexer: UpdateCtx that also indexes
// the session under userID.
func (m *memSessionStore) UpdateUserCtx(_ context.Context, token string, userID int64, b []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[token]
	if !ok || !m.now().Before(it.expiry) {
		return false, nil
	}
	m.putLocked(token, memSession{data: b, expiry: expiry, user: userID})
	return true, nil
}

// RenewCtx implements SessionRenewer in one critical section. The new
// token keeps the old one's user.
func (m *memSessionStore) RenewCtx(_ context.Context, oldToken, newToken string, b []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[oldToken]
	if !ok || !m.now().Before(it.expiry) {
		return false, nil
	}
	m.removeLocked(oldToken)
	m.putLocked(newToken, memSession{data: b, expiry: expiry, user: it.user})
	return true, nil
}

// RenewUserCtx implements SessionIndexer: RenewCtx that indexes the new
// token under userID.
func (m *memSessionStore) RenewUserCtx(_ context.Context, oldToken, newToken string, userID int64, b []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[oldToken]
	if !ok || !m.now().Before(it.expiry) {
		return false, nil
	}
	m.removeLocked(oldToken)
	m.putLocked(newToken, memSession{data: b, expiry: expiry, user: userID})
	return true, nil
}

// SessionUpdater is an optional ability of an scs session store: saving a
// session only if it still exists. The store/postgres session store and the
// in-memory store that New creates have it.
//
// Middleware saves a session that the request loaded from the store, and
// whose token it did not change, with UpdateCtx instead of CommitCtx. A
// request that started before a logout (or before the session expired) thus
// cannot write the old session back: Django saves existing sessions with
// force_update for the same reason. UpdateCtx must change nothing and
// report found false, with a nil error, when token is unknown or its
// session has expired, and must check and write in one atomic step (one
// UPDATE … WHERE statement, or one critical section).
//
// A store without UpdateCtx gets a lookup and then a commit, which narrows
// the window for the race but cannot close it.
type SessionUpdater interface {
	UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (found bool, err error)
}

// SessionRenewer is an optional ability of an scs session store: moving a
// session to a new token only if the old one still exists. The
// store/postgres session store and the in-memory store that New creates
// have it.
//
// When a request that loaded a session gives it a new token without a new
// login (the re-signing of a session made with a SecretKeyFallbacks key,
// and UpdateSessionAuthHash after a password change), Middleware keeps the
// old token in the store until the end of the request and then saves with
// RenewCtx. A logout in another tab while the request runs deletes the old
// token, so the new one is never written and the logout holds. RenewCtx
// must, in one atomic step, delete oldToken and store b under newToken
// when oldToken exists and has not expired, and otherwise change nothing
// and report found false with a nil error.
//
// A store without RenewCtx gets a lookup, a delete and a commit, which
// narrows the window for the race but cannot close it.
type SessionRenewer interface {
	RenewCtx(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) (found bool, err error)
}

// SessionIndexer is an optional ability of an scs session store: keeping
// an index of the sessions of each user, so that Auth.UserSessions can list
// them and Auth.RevokeSession and Auth.RevokeOtherSessions can end them.
// The in-memory store that New creates, the store/postgres SessionStore
// and the store/redis SessionStore have it; scs's own stores do not, and
// the Auth then answers ErrSessionsNotIndexed.
//
// The guarded store that New puts around every session store reads the
// user of each save from the session data it saves (SessionKeyUserID,
// decoded with the manager's codec) and, when the store is a
// SessionIndexer, saves with the User variant of the call it would have
// made: CommitUserCtx for CommitCtx, UpdateUserCtx for UpdateCtx (a
// SessionUpdater's guarantees), RenewUserCtx for RenewCtx (a
// SessionRenewer's). Reading the user from the data rather than from the
// request keeps the index right on every path that saves a session
// (Middleware, scs's LoadAndSave, a direct Commit). userID 0 is an
// anonymous session: it is stored and not indexed, and any index entry the
// token had is dropped.
//
// Each save must change the data and the index in one atomic step (one
// statement, one script or MULTI, one critical section), and DeleteCtx
// and expiry must take a session out of the index, at once or, for
// expiry, at the latest when UserSessionsCtx would have listed it.
// UserSessionsCtx returns the unexpired sessions indexed under userID by
// token, empty and not nil when there are none. The Auth decodes each and
// drops any whose data names another user, so an index entry left behind
// never lets one user see or end another's session.
type SessionIndexer interface {
	CommitUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) error
	UpdateUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) (found bool, err error)
	RenewUserCtx(ctx context.Context, oldToken, newToken string, userID int64, b []byte, expiry time.Time) (found bool, err error)
	UserSessionsCtx(ctx context.Context, userID int64) (map[string][]byte, error)
}

// SessionKeyer is an optional ability of an scs session store whose keys
// have a form of their own: the store/postgres DjangoSessionStore keeps
// sessions in Django's django_session table, whose session_key is at most
// 40 characters, while scs makes 43-character tokens. SessionKey maps a
// token that scs made to the key the store keeps it under, and must be
// idempotent: a key maps to itself.
//
// The guarded store that New puts around the store maps every token before
// it is written, renewed, updated or deleted, and Middleware writes the
// mapped key into the cookie, so the key is the token from the next
// request on; the Auth's session IDs (SessionID, UserSessions, the
// current-session checks) are all taken of the key. A lookup (Find) is
// passed the cookie value unmapped: it is a key already, and the store
// must report a value that is not one of its keys as not found without
// looking it up. scs's own LoadAndSave writes the unmapped token into the
// cookie: use Auth.Middleware with such a store.
type SessionKeyer interface {
	SessionKey(token string) string
}

// SessionCodecProvider is an optional ability of an scs session store
// that keeps session data in a format of its own: New asks it for the
// codec of the session manager, giving it Config.SecretKey and
// Config.SecretKeyFallbacks, instead of using SessionCodec. The
// store/postgres DjangoSessionStore returns a codec of Django's signed
// session_data, so that the key is configured once.
type SessionCodecProvider interface {
	SessionCodec(secretKey string, fallbacks []string) scs.Codec
}

// sessionKey maps token with the store's SessionKeyer, if it has one.
func sessionKey(store scs.Store, token string) string {
	if k, ok := store.(SessionKeyer); ok && token != "" {
		return k.SessionKey(token)
	}
	return token
}

// pendingRenewal records, for one request, the token its session was
// loaded with when a renewal has given the session a new one: its delete
// is deferred to the save at the end of the request. Its zero value has
// nothing pending.
type pendingRenewal struct {
	mu  sync.Mutex
	old string
}

// take returns the pending old token and forgets it.
func (p *pendingRenewal) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.old
	p.old = ""
	return old
}

// deferDeleteKey marks the context of a renewal whose delete of the
// current token is to be deferred into the *pendingRenewal it holds.
type deferDeleteKey struct{}

// renewFromKey marks the context of the save of a renewed session with
// the old token, for an atomic move (SessionRenewer).
type renewFromKey struct{}

// wellFormedToken reports whether token has the form of the tokens scs
// makes: unpadded base64url (32 random bytes give 43 characters), here 1
// to 128 characters of A–Z, a–z, 0–9, "-" and "_".
func wellFormedToken(token string) bool {
	if token == "" || len(token) > 128 {
		return false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// foundOrGone turns the answer of an update-only save or a renewal into
// the error of the commit: errSessionGone when the session was not found.
func foundOrGone(found bool, err error) error {
	if err != nil {
		return err
	}
	if !found {
		return errSessionGone
	}
	return nil
}

// errSessionGone is returned by an update-only save whose session no
// longer exists.
var errSessionGone = errors.New("auth: session no longer exists; not saved")

// updateOnlyKey marks a context whose session save must not recreate a
// vanished session.
type updateOnlyKey struct{}

// withUpdateOnly returns ctx marked so that the save of the session made
// with it (scs's Commit) updates the stored session and never creates it.
func withUpdateOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, updateOnlyKey{}, true)
}

func isUpdateOnly(ctx context.Context) bool {
	v, _ := ctx.Value(updateOnlyKey{}).(bool)
	return v
}

// guardedSessionStore is the store New puts under every session manager,
// around the store it was given. It forwards every call, with its context
// when the store takes one, and turns the commit of a context marked by
// withUpdateOnly into an update-only save: UpdateCtx when the store is a
// SessionUpdater, otherwise a lookup followed by a commit.
//
// When the store is a SessionIndexer, every save goes through its User
// variant, with the user the saved data names (see SessionIndexer).
type guardedSessionStore struct {
	store scs.Store
	// codec returns the codec of the manager the guard serves, to read the
	// user of a save; nil means SessionCodec.
	codec func() scs.Codec
}

// indexer returns the store as a SessionIndexer, if it is one.
func (g *guardedSessionStore) indexer() (SessionIndexer, bool) {
	ix, ok := g.store.(SessionIndexer)
	return ix, ok
}

// userOf returns the user ID that the encoded session b names, 0 for an
// anonymous session or data the codec cannot read.
func (g *guardedSessionStore) userOf(b []byte) int64 {
	var c scs.Codec = SessionCodec{}
	if g.codec != nil {
		if mc := g.codec(); mc != nil {
			c = mc
		}
	}
	_, values, err := c.Decode(b)
	if err != nil {
		return 0
	}
	return SessionIndexUserID(values)
}

// SessionIndexUserID is the user a session with the decoded values is
// indexed under (SessionIndexer), 0 for none: the impersonator of an
// impersonation (SessionKeyImpersonatorID), whose session it is, so that
// revoking the superuser's sessions ends it too; otherwise the session's
// user (SessionKeyUserID). Session stores that index sessions themselves
// use it so that every index agrees.
func SessionIndexUserID(values map[string]any) int64 {
	if id := positiveID(values[SessionKeyImpersonatorID]); id != 0 {
		return id
	}
	return sessionUserID(values)
}

// sessionUserID returns the positive user ID of SessionKeyUserID in
// values, in its canonical form, or 0.
func sessionUserID(values map[string]any) int64 { return positiveID(values[SessionKeyUserID]) }

// positiveID returns v as a positive ID in its canonical decimal form,
// or 0.
func positiveID(v any) int64 {
	s, _ := v.(string)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0
	}
	return id
}

var (
	_ scs.CtxStore         = (*guardedSessionStore)(nil)
	_ scs.IterableCtxStore = (*guardedSessionStore)(nil)
	_ scs.IterableStore    = (*guardedSessionStore)(nil)
)

// guardSessionStore wraps store, unless it is wrapped already.
func guardSessionStore(store scs.Store) scs.Store {
	if _, ok := store.(*guardedSessionStore); ok {
		return store
	}
	return &guardedSessionStore{store: store}
}

// key maps token to the store's key (SessionKeyer).
func (g *guardedSessionStore) key(token string) string { return sessionKey(g.store, token) }

// SessionKey implements SessionKeyer with the store's mapping; a store
// that has none keeps tokens as they are.
func (g *guardedSessionStore) SessionKey(token string) string { return g.key(token) }

// Unwrap returns the store under the guard.
func (g *guardedSessionStore) Unwrap() scs.Store { return g.store }

// FindCtx forwards to the store. A token that scs could not have made
// (see wellFormedToken) is not found, without asking the store: a cookie
// value is chosen by the client, and a store's other keys (an index, say)
// must not be reachable through it. The token is not mapped
// (SessionKeyer): a cookie carries a key already, and the store refuses
// values that are not keys.
func (g *guardedSessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if !wellFormedToken(token) {
		return nil, false, nil
	}
	if c, ok := g.store.(interface {
		FindCtx(context.Context, string) ([]byte, bool, error)
	}); ok {
		return c.FindCtx(ctx, token)
	}
	return g.store.Find(token)
}

// CommitCtx forwards to the store, or saves update-only when ctx is
// marked, or moves the session from its old token when ctx carries one
// (renewFromKey).
func (g *guardedSessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if old, ok := ctx.Value(renewFromKey{}).(string); ok && old != "" {
		return g.renew(ctx, old, token, b, expiry)
	}
	if !isUpdateOnly(ctx) {
		return g.commit(ctx, token, b, expiry)
	}
	token = g.key(token)
	if ix, ok := g.indexer(); ok {
		return foundOrGone(ix.UpdateUserCtx(ctx, token, g.userOf(b), b, expiry))
	}
	if u, ok := g.store.(SessionUpdater); ok {
		return foundOrGone(u.UpdateCtx(ctx, token, b, expiry))
	}
	// Without UpdateCtx the session may still vanish between these two
	// calls; this only makes the window small.
	_, found, err := g.FindCtx(ctx, token)
	if err != nil {
		return err
	}
	if !found {
		return errSessionGone
	}
	return g.commit(ctx, token, b, expiry)
}

// renew stores b under newToken only while oldToken still exists, and
// deletes oldToken: atomically with a SessionRenewer, otherwise with a
// lookup first.
func (g *guardedSessionStore) renew(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) error {
	oldToken, newToken = g.key(oldToken), g.key(newToken)
	if ix, ok := g.indexer(); ok {
		return foundOrGone(ix.RenewUserCtx(ctx, oldToken, newToken, g.userOf(b), b, expiry))
	}
	if r, ok := g.store.(SessionRenewer); ok {
		return foundOrGone(r.RenewCtx(ctx, oldToken, newToken, b, expiry))
	}
	_, found, err := g.FindCtx(ctx, oldToken)
	if err != nil {
		return err
	}
	if !found {
		return errSessionGone
	}
	if err := g.deleteNow(ctx, oldToken); err != nil {
		return err
	}
	return g.commit(ctx, newToken, b, expiry)
}

func (g *guardedSessionStore) commit(ctx context.Context, token string, b []byte, expiry time.Time) error {
	token = g.key(token)
	if ix, ok := g.indexer(); ok {
		return ix.CommitUserCtx(ctx, token, g.userOf(b), b, expiry)
	}
	if c, ok := g.store.(interface {
		CommitCtx(context.Context, string, []byte, time.Time) error
	}); ok {
		return c.CommitCtx(ctx, token, b, expiry)
	}
	return g.store.Commit(token, b, expiry)
}

// DeleteCtx forwards to the store. In a renewal marked by deferDeleteKey
// the first delete, that of the token the session was loaded with, is
// recorded instead, for the save to perform (see SessionRenewer).
func (g *guardedSessionStore) DeleteCtx(ctx context.Context, token string) error {
	if p, ok := ctx.Value(deferDeleteKey{}).(*pendingRenewal); ok {
		p.mu.Lock()
		deferred := p.old == ""
		if deferred {
			p.old = token
		}
		p.mu.Unlock()
		if deferred {
			return nil
		}
	}
	return g.deleteNow(ctx, token)
}

func (g *guardedSessionStore) deleteNow(ctx context.Context, token string) error {
	token = g.key(token)
	if c, ok := g.store.(interface {
		DeleteCtx(context.Context, string) error
	}); ok {
		return c.DeleteCtx(ctx, token)
	}
	return g.store.Delete(token)
}

// AllCtx forwards to the store. A store that cannot list its sessions
// gives an error where scs would panic.
func (g *guardedSessionStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	switch s := g.store.(type) {
	case scs.IterableCtxStore:
		return s.AllCtx(ctx)
	case scs.IterableStore:
		return s.All()
	}
	return nil, fmt.Errorf("auth: session store %T does not support iteration", g.store)
}

// Find is FindCtx with context.Background().
func (g *guardedSessionStore) Find(token string) ([]byte, bool, error) {
	return g.FindCtx(context.Background(), token)
}

// Commit is CommitCtx with context.Background(): a plain commit.
func (g *guardedSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return g.commit(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx with context.Background().
func (g *guardedSessionStore) Delete(token string) error {
	return g.deleteNow(context.Background(), token)
}

// All is AllCtx with context.Background().
func (g *guardedSessionStore) All() (map[string][]byte, error) {
	return g.AllCtx(context.Background())
}
