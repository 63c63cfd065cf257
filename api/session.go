package api

import (
	"errors"
	"net/http"
	"time"

	auth "github.com/djauth/auth"
)

// userJSON is a user as the API shows it.
type userJSON struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Email       string     `json:"email"`
	FirstName   string     `json:"first_name"`
	LastName    string     `json:"last_name"`
	IsStaff     bool       `json:"is_staff"`
	IsSuperuser bool       `json:"is_superuser"`
	LastLogin   *time.Time `json:"last_login"`
	DateJoined  time.Time  `json:"date_joined"`
}

func (x *API[U]) userJSON(_ *http.Request, user *U) *userJSON {
	au := auth.UserOf(user)
	return &userJSON{ID: au.ID, Username: au.Username, Email: au.Email, FirstName: au.FirstName, LastName: au.LastName,
		IsStaff: au.IsStaff, IsSuperuser: au.IsSuperuser, LastLogin: au.LastLogin, DateJoined: au.DateJoined}
}

type meAnswer struct {
	User        *userJSON `json:"user"`
	Groups      []string  `json:"groups"`
	Permissions []string  `json:"permissions"`
	MFA         mfaState  `json:"mfa"`
	Org         *OrgJSON  `json:"organization,omitempty"`
	// Impersonating is true while the session is an impersonation
	// (auth.Auth.Impersonate): User is the impersonated account, and
	// the actions only its own person may take answer 403 impersonating.
	Impersonating bool `json:"impersonating"`
	// Impersonator is the superuser acting as User, while they may
	// still come back (auth.Auth.Impersonator).
	Impersonator *impersonatorJSON `json:"impersonator,omitempty"`
}

// impersonatorJSON names the superuser of an impersonation.
type impersonatorJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

type mfaState struct {
	// Verified is true when this session proved a second factor that
	// the user still has; Factor is its kind.
	Verified bool   `json:"verified"`
	Factor   string `json:"factor,omitempty"`
}

type sessionJSON struct {
	ID        string     `json:"id"`
	Current   bool       `json:"current"`
	Created   *time.Time `json:"created"`
	LastSeen  *time.Time `json:"last_seen"`
	Expires   time.Time  `json:"expires"`
	IP        string     `json:"ip"`
	UserAgent string     `json:"user_agent"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (x *API[U]) sessionRoutes() {
	x.handle(http.MethodPost, "signout", x.signout)
	x.handle(http.MethodGet, "me", x.me)
	x.handle(http.MethodGet, "sessions", x.sessions)
	x.handle(http.MethodDelete, "sessions/{id}", x.revokeSession)
	x.handle(http.MethodPost, "sessions/revoke-others", x.revokeOthers)
}

// signout ends the session (auth.Auth.Logout): its token no longer
// works, the cookie is expired.
func (x *API[U]) signout(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in struct{}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.a.Logout(r); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"status": "signed_out"}, nil
}

// me answers the user, the names of their groups, all their
// permissions, the session's second factor and, while the session is an
// impersonation, the impersonator.
func (x *API[U]) me(w http.ResponseWriter, r *http.Request) (int, any, error) {
	user, _, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	ru := x.a.User(r)
	out := meAnswer{User: x.userJSON(r, user), Groups: ru.GroupNames(), Permissions: ru.AllPermissions().Sorted()}
	if err := ru.Err(); err != nil {
		return 0, nil, err
	}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	if out.Permissions == nil {
		out.Permissions = []string{}
	}
	if x.flow != nil {
		dev, ok, err := x.flow.VerifiedDevice(r)
		if err != nil {
			return 0, nil, err
		}
		out.MFA = mfaState{Verified: ok, Factor: dev.Factor}
	}
	out.Org = x.currentOrg(r)
	if x.a.Impersonating(r) {
		out.Impersonating = true
		if imp, ok := x.a.Impersonator(r); ok {
			iu := auth.UserOf(imp)
			out.Impersonator = &impersonatorJSON{ID: iu.ID, Username: iu.Username}
		}
	}
	return http.StatusOK, out, nil
}

func sessionsError(err error) error {
	switch {
	case errors.Is(err, auth.ErrSessionsNotIndexed):
		return notConfigured("The session list")
	case errors.Is(err, auth.ErrSessionNotFound):
		return apiErr(http.StatusNotFound, CodeNotFound, "No such session.")
	}
	return err
}

// sessions lists the user's sessions, the current one marked.
func (x *API[U]) sessions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := x.a.UserSessions(r.Context(), au.ID)
	if err != nil {
		return 0, nil, sessionsError(err)
	}
	out := make([]sessionJSON, 0, len(list))
	for _, s := range list {
		out = append(out, sessionJSON{ID: s.ID, Current: s.Current, Created: timeOrNil(s.Created), LastSeen: timeOrNil(s.LastSeen),
			Expires: s.Expires, IP: s.IP, UserAgent: s.UserAgent})
	}
	return http.StatusOK, map[string]any{"sessions": out}, nil
}

// revokeSession ends one session of the user by its public ID; the
// current one is ended as by signout.
func (x *API[U]) revokeSession(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	id := r.PathValue("id")
	if len(id) > 128 {
		return 0, nil, apiErr(http.StatusNotFound, CodeNotFound, "No such session.")
	}
	if id == x.a.CurrentSessionID(r.Context()) {
		if err := x.a.Logout(r); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"revoked": 1, "current": true}, nil
	}
	if err := x.a.RevokeSession(r.Context(), au.ID, id); err != nil {
		return 0, nil, sessionsError(err)
	}
	return http.StatusOK, map[string]any{"revoked": 1, "current": false}, nil
}

// revokeOthers ends every other session of the user.
func (x *API[U]) revokeOthers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in struct{}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if _, _, err := x.user(r); err != nil {
		return 0, nil, err
	}
	n, err := x.a.RevokeOtherSessions(r)
	if err != nil {
		return 0, nil, sessionsError(err)
	}
	return http.StatusOK, map[string]any{"revoked": n}, nil
}
