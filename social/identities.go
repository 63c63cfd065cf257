package social

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mfa"
)

// Actions of IdentityChange.
const (
	IdentityLinked   = "linked"
	IdentityUnlinked = "unlinked"
)

// DefaultStepUpMaxAge is the default Config.StepUpMaxAge, as package
// accounts'.
const DefaultStepUpMaxAge = 15 * time.Minute

// sessionKeyMessage carries a message of the identities page across its
// redirect.
const sessionKeyMessage = "_social_message"

// IdentityChange is sent by Social.IdentityChanged after an identity was
// linked to a user (a sign-up, a connect, a confirmed pending link) or
// removed from one: an audit trail's hook. It holds no token.
type IdentityChange struct {
	// Request is the request that made the change.
	Request *http.Request
	// UserID is the user whose identities changed.
	UserID int64
	// Action is IdentityLinked or IdentityUnlinked.
	Action string
	// Account is the identity linked or removed.
	Account Account
}

// IdentityChanged returns the hub of IdentityChange. Receivers run
// synchronously after the change is stored.
func (s *Social[U]) IdentityChanged() *auth.Signal[IdentityChange] { return &s.changed }

// SignInChecker is implemented by a backend of the Auth or a factor of its
// mfa.Flow that logs a user in with neither a password nor a social
// identity: *passkey.Passkeys (passwordless sign-in) and
// *passwordless.Backend (a magic link or code by email) do. The
// identities page asks each before it removes a user's last identity.
type SignInChecker interface {
	// CanSignIn reports whether the user could log in this way now.
	CanSignIn(ctx context.Context, userID int64) (bool, error)
}

// IdentitiesURL is the page where the logged-in user sees, connects and
// removes their linked identities.
func (s *Social[U]) IdentitiesURL() string { return s.prefix + "identities/" }

// IdentitiesPage is the data of Templates.Identities.
type IdentitiesPage struct {
	Identities []IdentityRow
	// Connect are the providers' buttons, each a form that POSTs
	// process=connect to its URL and comes back to Action.
	Connect           []Button
	Action            string
	RedirectFieldName string
	// Message is the outcome of the last action; Error marks a refusal.
	Message string
	Error   bool
}

// IdentityRow is one linked identity on the identities page.
type IdentityRow struct {
	ID           int64
	Provider     string
	ProviderName string
	// Label is the identity's email, else its user name at the provider,
	// else its uid.
	Label         string
	LinkedText    string
	LinkedISO     string
	LastLoginText string
	LastLoginISO  string
	// CanRemove is false for the last way the user has to log in.
	CanRemove bool
}

// ErrLastSignIn is the reason the identities page refuses to remove an
// identity: it is the user's last way to log in.
var ErrLastSignIn = errors.New("social: the identity is the account's last way to log in")

func (s *Social[U]) serveIdentities(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := s.a.UserFromContext(ctx)
	if u != nil && u.Err() != nil {
		s.storeDown(w, r, u.Err())
		return
	}
	if u == nil || !u.IsAuthenticated() {
		auth.Redirect(w, r, s.a.LoginURL()+"?"+url.Values{auth.RedirectFieldName: {s.IdentitiesURL()}}.Encode(), http.StatusFound)
		return
	}
	userID := u.ID()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		s.removeIdentity(w, r, userID)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	accts, err := s.cfg.Store.ListAccounts(ctx, userID)
	if err != nil {
		s.storeDown(w, r, err)
		return
	}
	removable := true
	if len(accts) == 1 {
		if removable, err = s.otherWayIn(ctx, userID); err != nil {
			s.storeDown(w, r, err)
			return
		}
	}
	page := &IdentitiesPage{Connect: s.Buttons(), Action: s.IdentitiesURL(), RedirectFieldName: auth.RedirectFieldName}
	if msg := s.a.Sessions().PopString(ctx, sessionKeyMessage); msg != "" {
		page.Message, page.Error = msg[1:], msg[0] == '!'
	}
	for _, a := range accts {
		row := IdentityRow{ID: a.ID, Provider: a.Provider, ProviderName: a.Provider, Label: identityLabel(a),
			LinkedText: a.DateJoined.UTC().Format("2 Jan 2006 15:04 UTC"), LinkedISO: a.DateJoined.UTC().Format(time.RFC3339),
			CanRemove: removable}
		if p := s.providers[a.Provider]; p != nil {
			row.ProviderName = p.Name()
		}
		if !a.LastLogin.IsZero() {
			row.LastLoginText, row.LastLoginISO = a.LastLogin.UTC().Format("2 Jan 2006 15:04 UTC"), a.LastLogin.UTC().Format(time.RFC3339)
		}
		page.Identities = append(page.Identities, row)
	}
	s.render(w, r, http.StatusOK, s.tmpl.Identities, page)
}

// stepUp checks, when the Auth has an mfa.Flow and StepUpMaxAge is
// positive, that the session proved its user recently; otherwise it sends
// the browser to the verification page (303: the request is a form's
// POST) and reports false. Adding and removing a way in both need it.
func (s *Social[U]) stepUp(w http.ResponseWriter, r *http.Request) bool {
	flow, ok := s.a.SecondFactor().(*mfa.Flow[U])
	return !ok || flow.StepUpPage(w, r, s.cfg.StepUpMaxAge)
}

// removeIdentity removes one of the user's identities, unless it is the
// last way in, after a step-up when the Auth has an mfa.Flow.
func (s *Social[U]) removeIdentity(w http.ResponseWriter, r *http.Request, userID int64) {
	ctx := r.Context()
	if !s.stepUp(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("action") != "remove" {
		s.fail(w, r, http.StatusBadRequest, "Not removed", i18n.Message{ID: "The form could not be read."})
		return
	}
	id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	if err != nil {
		s.flashBack(w, r, true, i18n.Message{ID: "That identity is not linked to your account."})
		return
	}
	// One removal at a time in this process, so that two removals at
	// once cannot each leave the other as the last way in.
	s.removeMu.Lock()
	defer s.removeMu.Unlock()
	accts, err := s.cfg.Store.ListAccounts(ctx, userID)
	if err != nil {
		s.storeDown(w, r, err)
		return
	}
	var acct *Account
	for i := range accts {
		if accts[i].ID == id {
			acct = &accts[i]
		}
	}
	if acct == nil {
		s.flashBack(w, r, true, i18n.Message{ID: "That identity is not linked to your account."})
		return
	}
	if len(accts) == 1 {
		ok, err := s.otherWayIn(ctx, userID)
		if err != nil {
			s.storeDown(w, r, err)
			return
		}
		if !ok {
			s.logger.InfoContext(ctx, "social: removal of the last way in refused", "user", userID, "provider", acct.Provider)
			s.flashBack(w, r, true, i18n.Message{ID: "This identity is your only way to log in. Set a password (or add a passkey) first, then remove it."})
			return
		}
	}
	if err := s.cfg.Store.DeleteAccount(ctx, acct.ID); err != nil && !errors.Is(err, ErrAccountNotFound) {
		s.storeDown(w, r, err)
		return
	}
	s.changed.Send(ctx, IdentityChange{Request: r, UserID: userID, Action: IdentityUnlinked, Account: *acct})
	name := acct.Provider
	if p := s.providers[acct.Provider]; p != nil {
		name = p.Name()
	}
	s.flashBack(w, r, false, i18n.Message{ID: "The %(provider)s identity %(account)s was removed.",
		Args: map[string]any{"provider": name, "account": identityLabel(*acct)}})
}

// flashBack keeps the message for the identities page and sends the
// browser there (303, so that a reload does not post again).
func (s *Social[U]) flashBack(w http.ResponseWriter, r *http.Request, isErr bool, m i18n.Message) {
	msg := s.a.Translator(r).Translate(m)
	mark := "+"
	if isErr {
		mark = "!"
	}
	s.a.Sessions().Put(r.Context(), sessionKeyMessage, mark+msg)
	auth.Redirect(w, r, s.IdentitiesURL(), http.StatusSeeOther)
}

// otherWayIn reports whether the user can log in without a linked
// identity: a usable password with a model backend configured, or a
// SignInChecker among the Auth's backends and its mfa.Flow's factors
// that says yes.
func (s *Social[U]) otherWayIn(ctx context.Context, userID int64) (bool, error) {
	u, err := s.a.Store().GetUser(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("social: get user %d: %w", userID, err)
	}
	if hashers.IsUsable(auth.UserOf(u).Password) && auth.UserOf(u).Password != "" &&
		(s.a.Backend(auth.ModelBackendName) != nil || s.a.Backend(auth.AllowAllUsersModelBackendName) != nil) {
		return true, nil
	}
	var checkers []SignInChecker
	for _, b := range s.a.Backends() {
		if c, ok := b.(SignInChecker); ok {
			checkers = append(checkers, c)
		}
	}
	if f, ok := s.a.SecondFactor().(interface{ Factors() []mfa.Factor }); ok {
		for _, fa := range f.Factors() {
			if c, ok := fa.(SignInChecker); ok {
				checkers = append(checkers, c)
			}
		}
	}
	for _, c := range checkers {
		ok, err := c.CanSignIn(ctx, userID)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// identityLabel names an identity for its owner: the email the provider
// gave, else the provider's user name, else the uid.
func identityLabel(a Account) string {
	var extra map[string]any
	_ = json.Unmarshal(a.ExtraData, &extra)
	str := func(k string) string { v, _ := extra[k].(string); return v }
	return cmp.Or(str("email"), str("preferred_username"), str("login"), a.UID)
}

// linked records a new link and tells the receivers.
func (s *Social[U]) linked(r *http.Request, a Account) {
	s.changed.Send(r.Context(), IdentityChange{Request: r, UserID: a.UserID, Action: IdentityLinked, Account: a})
}
