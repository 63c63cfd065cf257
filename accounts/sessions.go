package accounts

import (
	"errors"
	"net/http"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// Messages of the sessions page.
const (
	// MsgSessionRevoked confirms that one session was ended.
	MsgSessionRevoked = "The session was logged out."
	// MsgOtherSessionsRevoked confirms "Log out all other sessions"; %d
	// is how many were ended.
	MsgOtherSessionsRevoked = "Other sessions logged out: %(count)d."
	// MsgSessionNotFound is shown when the session to end is not one of
	// the user's (already over, or another user's): nothing was done.
	MsgSessionNotFound = "That session is not one of your active sessions; nothing was logged out."
	// MsgSessionIsCurrent is shown when the form names the session in
	// use: the Log out button ends it.
	// MsgUnknownAction refuses a form whose action the page does not know.
	MsgUnknownAction    = "Unknown action."
	MsgSessionIsCurrent = "That is the session you are using now; use Log out to end it."
)

// sessionTimeLayout formats the times of the sessions page.
const sessionTimeLayout = "2006-01-02 15:04 UTC"

// SessionRow is one session on the sessions page.
type SessionRow struct {
	auth.SessionInfo
	// CreatedText and LastSeenText are Created and LastSeen formatted,
	// "unknown" when zero; CreatedISO and LastSeenISO are RFC 3339, for
	// <time datetime>, "" when zero.
	CreatedText, LastSeenText string
	CreatedISO, LastSeenISO   string
}

// SessionsPage is the data of the sessions template.
type SessionsPage struct {
	// Action is the URL the forms post to: the page's own path.
	Action string
	// Sessions are the user's sessions, most recently seen first; the
	// current one has Current set.
	Sessions []SessionRow
	// Message confirms what a POST did; Errors say why it did nothing.
	Message string
	Errors  []string
	// ProfileURL is the profile page, for a link back.
	ProfileURL string
}

// HasOthers reports whether any listed session is not the current one.
func (p *SessionsPage) HasOthers() bool {
	for _, s := range p.Sessions {
		if !s.Current {
			return true
		}
	}
	return false
}

func formatSessionTime(t time.Time) (text, iso string) {
	if t.IsZero() {
		return "unknown", ""
	}
	return t.UTC().Format(sessionTimeLayout), t.UTC().Format(time.RFC3339)
}

// serveSessions lists the request user's sessions and ends them: a POST
// with action=revoke and session=ID ends one (only one of the user's own,
// never the current one), action=revoke_others all but the current one.
// The session token is never shown nor read from the form: sessions are
// named by their public ID (auth.SessionID).
func (m *Manager[U]) serveSessions(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ru := m.auth.UserFromContext(ctx)
	user := ru.User()
	if user == nil {
		m.serverError(w, r, "sessions: no user", ru.Err())
		return
	}
	userID := auth.UserOf(user).ID
	page := &SessionsPage{Action: r.URL.EscapedPath(), ProfileURL: p.prefix + "profile/"}
	code := http.StatusOK
	if post {
		switch r.PostForm.Get("action") {
		case "revoke":
			id := r.PostForm.Get("session")
			if cur := m.auth.CurrentSessionID(ctx); id == cur {
				page.Errors = []string{MsgSessionIsCurrent}
				break
			}
			err := m.auth.RevokeSession(ctx, userID, id)
			switch {
			case errors.Is(err, auth.ErrSessionNotFound):
				page.Errors = []string{MsgSessionNotFound}
			case err != nil:
				m.serverError(w, r, "sessions: revoke", err)
				return
			default:
				page.Message = MsgSessionRevoked
			}
		case "revoke_others":
			n, err := m.auth.RevokeOtherSessions(r)
			if err != nil {
				m.serverError(w, r, "sessions: revoke others", err)
				return
			}
			page.Message = m.auth.Translator(r).Translate(i18n.Message{ID: MsgOtherSessionsRevoked, Args: map[string]any{"count": n}})
		default:
			code = http.StatusBadRequest
			page.Errors = []string{MsgUnknownAction}
		}
	}
	list, err := m.auth.UserSessions(ctx, userID)
	if err != nil {
		m.serverError(w, r, "sessions: list", err)
		return
	}
	for _, s := range list {
		row := SessionRow{SessionInfo: s}
		row.CreatedText, row.CreatedISO = formatSessionTime(s.Created)
		row.LastSeenText, row.LastSeenISO = formatSessionTime(s.LastSeen)
		page.Sessions = append(page.Sessions, row)
	}
	m.render(w, r, code, m.templates.Sessions, page)
}
