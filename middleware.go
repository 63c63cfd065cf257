package auth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Middleware loads the session of the request and puts a lazily loaded
// RequestUser in its context (Django's SessionMiddleware and
// AuthenticationMiddleware in one). The user is read from the session and
// the store only when the handler first asks for it.
//
// It saves the session before the response is written, and only when the
// request changed it: a request that only reads the session writes nothing
// to the session store. The cookie is written with the manager's settings
// and "Vary: Cookie" is added.
//
// A session that the request loaded and whose token it kept is saved only
// if it still exists (see SessionUpdater): a slow request that began before
// a logout in another tab, or before the session expired, does not bring
// the session back. Its changes are dropped, no session cookie is sent
// (the browser keeps whatever the logout gave it) and the handler's
// response goes out unchanged, as with Django's SessionInterrupted but
// without the 400. A session payload that cannot be decoded
// starts a new, empty session; a session store that cannot be read gives
// 500 (fail closed).
//
// Wrapping a handler that is already inside Middleware (or inside the
// manager's own LoadAndSave) is harmless: the inner wrap reuses the loaded
// session and leaves saving to the outer one.
func (a *Auth[U]) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if a.UserFromContext(ctx) != nil {
			next.ServeHTTP(w, r)
			return
		}
		s := a.sessions
		token, bearer := a.headerToken(r)
		if !bearer {
			if c, err := r.Cookie(s.Cookie.Name); err == nil {
				token = c.Value
			}
		}
		// A session store that can read the session's user in the same
		// statement hands it over through the slot (SessionUserSlot).
		lctx, slot := withSessionUserSlot(ctx)
		sctx, err := s.Load(lctx, token)
		if err != nil && errors.Is(err, ErrSessionCorrupt) {
			a.logger.WarnContext(ctx, "auth: session data corrupted; starting a new session", "error", err)
			lctx = ctx
			sctx, err = s.Load(ctx, "")
		}
		slot.seal()
		if err != nil {
			a.logger.ErrorContext(ctx, "auth: load session", "error", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		owned := sctx != lctx
		// The token of a session found in the store; "" for a new one.
		loaded := s.Token(sctx)
		ru := a.newRequestUser(sctx)
		ru.loadedToken = loaded
		ru.bearer, ru.presented = bearer, token != "" || bearer
		// The user loads with the request's own context, so that what the
		// loading does to the session (a re-signing renewal) knows its
		// request.
		ru.ctx = context.WithValue(sctx, a.ctxKey, ru)
		r = r.WithContext(ru.ctx)
		if !owned {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Cookie")
		if a.headerTokens {
			w.Header().Add("Vary", "Authorization")
		}
		sw := &sessionWriter{ResponseWriter: w, commit: func() bool { return a.commitSession(w, r, loaded) }}
		next.ServeHTTP(sw, r)
		if !sw.committed {
			sw.committed = true
			sw.commit()
		}
	})
}

// commitSession saves a modified session and writes its cookie, or expires
// the cookie of a destroyed one. loaded is the token the session was loaded
// with ("" for a new session): while the session still has it, the save
// only updates the stored session and a vanished session stays gone. It
// reports false after answering 500 because the store failed.
func (a *Auth[U]) commitSession(w http.ResponseWriter, r *http.Request, loaded string) bool {
	ctx := r.Context()
	s := a.sessions
	// The token a renewal replaced, still in the store (see
	// SessionRenewer).
	var renewedFrom string
	ru := a.UserFromContext(ctx)
	if ru != nil {
		renewedFrom = ru.renewal.take()
	}
	bearer := ru != nil && ru.isBearer()
	a.touchSession(ctx)
	switch s.Status(ctx) {
	case scs.Modified:
		cctx := ctx
		switch {
		case renewedFrom != "":
			cctx = context.WithValue(ctx, renewFromKey{}, renewedFrom)
		case loaded != "" && s.Token(ctx) == loaded:
			cctx = withUpdateOnly(ctx)
		}
		token, expiry, err := s.Commit(cctx)
		if errors.Is(err, errSessionGone) {
			a.logger.InfoContext(ctx, "auth: session ended during the request (logout elsewhere or expiry); its changes were not saved")
			return true
		}
		if err != nil {
			a.logger.ErrorContext(ctx, "auth: save session", "error", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return false
		}
		// The store's key is the token from now on (SessionKeyer).
		key := sessionKey(s.Store, token)
		if bearer {
			w.Header().Set(SessionTokenHeader, key)
		} else {
			s.WriteSessionCookie(ctx, w, key, expiry)
		}
		ru.markSaved(key)
	case scs.Destroyed:
		if renewedFrom != "" {
			// Renewed, then logged out: the old token goes too.
			if err := a.deleteSession(ctx, renewedFrom); err != nil {
				a.logger.ErrorContext(ctx, "auth: delete session", "error", err)
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				return false
			}
		}
		if bearer {
			w.Header().Set(SessionTokenHeader, "")
		} else {
			s.WriteSessionCookie(ctx, w, "", time.Time{})
		}
		ru.markSaved("")
	default:
		ru.markSaved(a.storeToken(s.Token(ctx)))
	}
	return true
}

// errSessionNotSaved is returned by writes after the session could not be
// saved and 500 was sent instead of the handler's response.
var errSessionNotSaved = errors.New("auth: session could not be saved; response replaced by 500")

// sessionWriter saves the session just before the first byte or status of
// the response goes out, as scs's LoadAndSave does.
type sessionWriter struct {
	http.ResponseWriter
	commit    func() bool
	committed bool
	failed    bool
}

func (sw *sessionWriter) before() bool {
	if !sw.committed {
		sw.committed = true
		sw.failed = !sw.commit()
	}
	return !sw.failed
}

// WriteHeader saves the session, then writes the status. Informational
// (1xx) statuses pass through without saving.
func (sw *sessionWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		sw.ResponseWriter.WriteHeader(code)
		return
	}
	if sw.before() {
		sw.ResponseWriter.WriteHeader(code)
	}
}

// Write saves the session, then writes b.
func (sw *sessionWriter) Write(b []byte) (int, error) {
	if !sw.before() {
		return 0, errSessionNotSaved
	}
	return sw.ResponseWriter.Write(b)
}

// Flush saves the session, then flushes if the underlying writer can.
func (sw *sessionWriter) Flush() {
	if sw.before() {
		_ = http.NewResponseController(sw.ResponseWriter).Flush()
	}
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (sw *sessionWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// User returns the user of the request. Inside Middleware it is the
// request's cached RequestUser. Outside it, when the request carries a
// session of the manager (LoadAndSave), it is a new RequestUser that loads
// from that session; without a session it is an anonymous RequestUser whose
// Err is ErrNoSession. It never returns nil.
func (a *Auth[U]) User(r *http.Request) *RequestUser[U] {
	ctx := r.Context()
	if ru := a.UserFromContext(ctx); ru != nil {
		return ru
	}
	ru := a.newRequestUser(ctx)
	if !a.hasSession(ctx) {
		ru.loaded, ru.err = true, ErrNoSession
	}
	return ru
}
