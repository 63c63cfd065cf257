package auth

import (
	"errors"
	"net/http"
	"strings"
)

// SessionTokenHeader is the response header that carries the session
// token to a client using header transport (SessionConfig.HeaderTokens):
// set whenever the request saved its session (a login renews the token),
// and set empty when the session ended (logout).
const SessionTokenHeader = "Session-Token"

// maxHeaderToken bounds the token read from an Authorization header; scs
// tokens are 43 characters and Django's session keys 32.
const maxHeaderToken = 256

// headerToken returns the token of an "Authorization: Bearer" header when
// SessionConfig.HeaderTokens is set. bearer is true whenever such a header
// is present, even with an empty or oversized token, which then loads no
// session (token "").
func (a *Auth[U]) headerToken(r *http.Request) (token string, bearer bool) {
	if !a.headerTokens {
		return "", false
	}
	h := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(rest)
	if len(token) > maxHeaderToken || strings.ContainsAny(token, " \t") {
		return "", true
	}
	return token, true
}

func (ru *RequestUser[U]) isBearer() bool {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	return ru.bearer
}

func (ru *RequestUser[U]) markSaved(token string) {
	if ru == nil {
		return
	}
	ru.mu.Lock()
	ru.saved, ru.savedDone = token, true
	ru.mu.Unlock()
}

// BearerSession reports how the request presented its session: bearer is
// true when it came in an "Authorization: Bearer" header
// (SessionConfig.HeaderTokens), or the handler switched it with
// UseHeaderToken, and found whether the request carried a token of a
// session the store still has. A bearer request that is not found named
// an unknown, expired or revoked session: an API answers it 401 instead
// of serving it as a fresh anonymous session. Outside Middleware both
// are false.
func (a *Auth[U]) BearerSession(r *http.Request) (bearer, found bool) {
	ru := a.UserFromContext(r.Context())
	if ru == nil {
		return false, false
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	return ru.bearer, ru.loadedToken != ""
}

// UseHeaderToken switches the request's session to header transport: its
// save sends the token in SessionTokenHeader and sets no cookie, as for a
// request that came with a bearer token. A sign-in whose client asked for
// a token calls it before Login. It returns ErrNoSession outside
// Middleware.
func (a *Auth[U]) UseHeaderToken(r *http.Request) error {
	ru := a.UserFromContext(r.Context())
	if ru == nil {
		return ErrNoSession
	}
	ru.mu.Lock()
	ru.bearer = true
	ru.mu.Unlock()
	return nil
}

// ErrSessionNotSaved is returned by SaveSession when the session store
// failed: a 500 has been written in place of the handler's response.
var ErrSessionNotSaved = errors.New("auth: session not saved")

// SaveSession saves the request's session now, as Middleware does before
// the first byte of the response, and returns the token the client
// presents from now on: the new one after a login, "" after a logout or
// for a session never stored. A JSON API calls it to put the token in its
// body. w must be the writer Middleware gave the handler (or one wrapping
// it with an Unwrap method). After ErrSessionNotSaved the response is
// already written (500); the handler writes nothing more.
func (a *Auth[U]) SaveSession(w http.ResponseWriter, r *http.Request) (string, error) {
	ru := a.UserFromContext(r.Context())
	if ru == nil {
		return "", ErrNoSession
	}
	for cur := w; cur != nil; {
		if sw, ok := cur.(*sessionWriter); ok {
			if !sw.before() {
				return "", ErrSessionNotSaved
			}
			break
		}
		u, ok := cur.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		cur = u.Unwrap()
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	if ru.savedDone {
		return ru.saved, nil
	}
	return a.storeToken(a.sessions.Token(ru.ctx)), nil
}

// HeaderTokens reports whether Config.Sessions.HeaderTokens is set: the
// Auth accepts session tokens in an Authorization header.
func (a *Auth[U]) HeaderTokens() bool { return a.headerTokens }
