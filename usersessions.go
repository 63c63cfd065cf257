package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Session keys of the metadata that Login records, for the list of a
// user's sessions (UserSessions). Created and last seen are time.Time
// values, the client address and user agent strings. Sessions logged in
// before these keys existed have none of them and are listed with the
// fields empty.
const (
	SessionKeyCreated   = "_djauth_created"
	SessionKeyLastSeen  = "_djauth_last_seen"
	SessionKeyIP        = "_djauth_ip"
	SessionKeyUserAgent = "_djauth_user_agent"
)

// LastSeenInterval is how stale a session's last-seen time may grow before
// Middleware refreshes it. A request that only reads the session thus
// writes to the store at most once per interval, not on every request, at
// the price of a last-seen time up to that much behind.
const LastSeenInterval = 5 * time.Minute

// maxUserAgent is the most bytes of the User-Agent header a session keeps.
const maxUserAgent = 512

// Errors of the session list and revocation.
var (
	// ErrSessionsNotIndexed reports that the session store cannot list the
	// sessions of a user: it is not a SessionIndexer (scs's own stores,
	// for example).
	ErrSessionsNotIndexed = errors.New("auth: the session store does not index sessions by user")
	// ErrSessionNotFound reports that the user has no unexpired session
	// with that ID; nothing was deleted. Another user's session ID gives
	// this error too.
	ErrSessionNotFound = errors.New("auth: no such session of this user")
)

// SessionID returns the public ID of a session token: the first 16 bytes
// of the token's SHA-256, base64url without padding (22 characters). The
// token is the bearer secret of the session and is never shown; the ID
// names the session in lists and revoke forms. It cannot be turned back
// into the token, and knowing another user's ID gives nothing: revoking
// checks that the session belongs to the user asking.
func SessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// SessionInfo describes one session of a user, without its token.
type SessionInfo struct {
	// ID is the public ID of the session (SessionID).
	ID string
	// Created is when the session was logged in and LastSeen when it was
	// last used, to within LastSeenInterval; zero when unknown.
	Created  time.Time
	LastSeen time.Time
	// Expires is the session's absolute deadline.
	Expires time.Time
	// IP is the client address at login, UserAgent its User-Agent
	// header (at most 512 bytes); empty when unknown.
	IP        string
	UserAgent string
	// Current is true for the session of the context UserSessions was
	// given.
	Current bool
}

// indexer returns the Auth's session store as a SessionAdmin.
func (a *Auth[U]) indexer() (SessionAdmin, error) {
	g, ok := a.sessions.Store.(*guardedSessionStore)
	if !ok {
		return SessionAdmin{}, ErrSessionsNotIndexed
	}
	ix, ok := g.store.(IndexedSessionStore)
	if !ok {
		return SessionAdmin{}, fmt.Errorf("%w: %T", ErrSessionsNotIndexed, g.store)
	}
	return SessionAdmin{Store: ix, Codec: a.sessions.Codec}, nil
}

// SessionsIndexed reports whether the session store indexes sessions by
// user (SessionIndexer), so that UserSessions and the revocations work.
// Package accounts mounts its sessions page only then.
func (a *Auth[U]) SessionsIndexed() bool {
	_, err := a.indexer()
	return err == nil
}

// IndexedSessionStore is a session store that indexes by user.
type IndexedSessionStore interface {
	scs.Store
	SessionIndexer
}

// SessionAdmin lists and revokes the sessions of users in a store, for
// tools that have no Auth (authctl works on the PostgreSQL store this
// way); an Auth's UserSessions, RevokeSession and the rest go through it
// too. Codec decodes the stored data; nil means SessionCodec, the codec
// of the manager that New builds.
type SessionAdmin struct {
	Store IndexedSessionStore
	Codec scs.Codec
}

// byToken returns the decoded sessions of userID by token, leaving out
// any whose data names another user or cannot be decoded: an index entry
// left behind never shows or revokes another user's session.
func (s SessionAdmin) byToken(ctx context.Context, userID int64) (map[string]SessionInfo, error) {
	if userID <= 0 {
		return map[string]SessionInfo{}, nil
	}
	raw, err := s.Store.UserSessionsCtx(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions of user %d: %w", userID, err)
	}
	var codec scs.Codec = SessionCodec{}
	if s.Codec != nil {
		codec = s.Codec
	}
	out := make(map[string]SessionInfo, len(raw))
	for token, b := range raw {
		deadline, values, err := codec.Decode(b)
		if err != nil || SessionIndexUserID(values) != userID {
			continue
		}
		info := SessionInfo{ID: SessionID(token), Expires: deadline}
		info.Created, _ = values[SessionKeyCreated].(time.Time)
		info.LastSeen, _ = values[SessionKeyLastSeen].(time.Time)
		info.IP, _ = values[SessionKeyIP].(string)
		info.UserAgent, _ = values[SessionKeyUserAgent].(string)
		out[token] = info
	}
	return out, nil
}

func (s SessionAdmin) delete(ctx context.Context, token string) error {
	if c, ok := s.Store.(interface {
		DeleteCtx(context.Context, string) error
	}); ok {
		return c.DeleteCtx(ctx, token)
	}
	return s.Store.Delete(token)
}

// List returns the unexpired sessions of userID, most recently seen
// first; currentToken, when not "", marks its session Current.
func (s SessionAdmin) List(ctx context.Context, userID int64, currentToken string) ([]SessionInfo, error) {
	byToken, err := s.byToken(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(byToken))
	for token, info := range byToken {
		info.Current = currentToken != "" && token == currentToken
		out = append(out, info)
	}
	slices.SortFunc(out, func(x, y SessionInfo) int {
		if c := y.LastSeen.Compare(x.LastSeen); c != 0 {
			return c
		}
		if c := y.Created.Compare(x.Created); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}

// Revoke deletes the session of userID whose public ID is sessionID. Only
// that user's sessions are looked at: another user's session ID, or an
// unknown or expired one, gives ErrSessionNotFound and deletes nothing.
func (s SessionAdmin) Revoke(ctx context.Context, userID int64, sessionID string) error {
	byToken, err := s.byToken(ctx, userID)
	if err != nil {
		return err
	}
	for token, info := range byToken {
		if info.ID == sessionID {
			if err := s.delete(ctx, token); err != nil {
				return fmt.Errorf("auth: revoke session: %w", err)
			}
			return nil
		}
	}
	return ErrSessionNotFound
}

// RevokeAll deletes every session of userID except the one with token
// keepToken ("" keeps none) and returns how many it deleted.
func (s SessionAdmin) RevokeAll(ctx context.Context, userID int64, keepToken string) (int, error) {
	byToken, err := s.byToken(ctx, userID)
	if err != nil {
		return 0, err
	}
	n := 0
	for token := range byToken {
		if token == keepToken {
			continue
		}
		if err := s.delete(ctx, token); err != nil {
			return n, fmt.Errorf("auth: revoke sessions of user %d: %w", userID, err)
		}
		n++
	}
	return n, nil
}

// currentToken returns the token of the session ctx carries, as the
// store keeps it (SessionKeyer), "" when it carries none.
func (a *Auth[U]) currentToken(ctx context.Context) string {
	if !a.hasSession(ctx) {
		return ""
	}
	return a.storeToken(a.sessions.Token(ctx))
}

// storeToken maps a token of the session manager to the store's key
// (SessionKeyer); the token itself for other stores.
func (a *Auth[U]) storeToken(token string) string {
	if g, ok := a.sessions.Store.(*guardedSessionStore); ok {
		return g.key(token)
	}
	return token
}

// CurrentSessionID returns the public ID (SessionID) of the session ctx
// carries, as UserSessions lists it, "" when ctx carries no session or a
// new one without a token yet.
func (a *Auth[U]) CurrentSessionID(ctx context.Context) string {
	tok := a.currentToken(ctx)
	if tok == "" {
		return ""
	}
	return SessionID(tok)
}

// UserSessions lists the unexpired sessions of the user userID, most
// recently seen first. When ctx is the context of a request inside
// Middleware, its own session is marked Current. It returns
// ErrSessionsNotIndexed when the session store is not a SessionIndexer.
func (a *Auth[U]) UserSessions(ctx context.Context, userID int64) ([]SessionInfo, error) {
	adm, err := a.indexer()
	if err != nil {
		return nil, err
	}
	return adm.List(ctx, userID, a.currentToken(ctx))
}

// RevokeSession ends the session with public ID sessionID of the user
// userID: the session is deleted from the store, so its cookie is
// anonymous from its next request on, and a request of it still running
// cannot write it back (SessionUpdater). Only that user's sessions are
// looked at: an ID of another user's session, an unknown or expired one
// gives ErrSessionNotFound and deletes nothing.
func (a *Auth[U]) RevokeSession(ctx context.Context, userID int64, sessionID string) error {
	adm, err := a.indexer()
	if err != nil {
		return err
	}
	return adm.Revoke(ctx, userID, sessionID)
}

// RevokeUserSessions ends every session of the user userID and returns
// how many it ended, for administrators (a stolen account). The request
// that calls it for its own user is logged out from its next request on;
// use RevokeOtherSessions to stay logged in.
func (a *Auth[U]) RevokeUserSessions(ctx context.Context, userID int64) (int, error) {
	adm, err := a.indexer()
	if err != nil {
		return 0, err
	}
	return adm.RevokeAll(ctx, userID, "")
}

// RevokeOtherSessions ends every session of the request's user except the
// request's own ("log out everywhere else") and returns how many it
// ended. An anonymous request ends none.
func (a *Auth[U]) RevokeOtherSessions(r *http.Request) (int, error) {
	ctx := r.Context()
	if !a.hasSession(ctx) {
		return 0, ErrNoSession
	}
	adm, err := a.indexer()
	if err != nil {
		return 0, err
	}
	userID := sessionUserID(map[string]any{SessionKeyUserID: a.sessions.GetString(ctx, SessionKeyUserID)})
	if userID == 0 {
		return 0, nil
	}
	return adm.RevokeAll(ctx, userID, a.currentToken(ctx))
}

// clientAddrer is the ability of a Limiter (package throttle's) to find
// the client address of a request behind trusted proxies.
type clientAddrer interface {
	ClientAddr(r *http.Request) netip.Addr
}

// ClientAddr returns the client address of r as Login records it for
// the session list, and as package audit records it: see clientAddr.
func (a *Auth[U]) ClientAddr(r *http.Request) string { return a.clientAddr(r) }

// clientAddr is the address Login records: the Limiter's client address
// when the Auth has a Limiter that knows the trusted proxies (package
// throttle's), otherwise the host of r.RemoteAddr. Forwarding headers are
// never read without a configured proxy list, since any client can send
// them.
func (a *Auth[U]) clientAddr(r *http.Request) string {
	if ca, ok := a.limiter.(clientAddrer); ok {
		if addr := ca.ClientAddr(r); addr.IsValid() {
			return addr.String()
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// recordLoginMetadata puts the metadata of a new login in the session.
func (a *Auth[U]) recordLoginMetadata(r *http.Request) {
	ctx := r.Context()
	now := time.Now().UTC().Truncate(time.Second)
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	s := a.sessions
	s.Put(ctx, SessionKeyCreated, now)
	s.Put(ctx, SessionKeyLastSeen, now)
	s.Put(ctx, SessionKeyIP, a.clientAddr(r))
	s.Put(ctx, SessionKeyUserAgent, strings.ToValidUTF8(ua, "\uFFFD"))
}

// touchSession refreshes the last-seen time of a logged-in session when
// it is at least LastSeenInterval old, just before Middleware saves. A
// session without one (logged in before it was recorded) is left alone,
// so that reading it never writes.
func (a *Auth[U]) touchSession(ctx context.Context) {
	s := a.sessions
	if s.Status(ctx) == scs.Destroyed {
		return
	}
	seen, ok := s.Get(ctx, SessionKeyLastSeen).(time.Time)
	if !ok || s.GetString(ctx, SessionKeyUserID) == "" {
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	if now.Sub(seen) >= LastSeenInterval {
		s.Put(ctx, SessionKeyLastSeen, now)
	}
}
