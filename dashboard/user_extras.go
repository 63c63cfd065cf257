package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/throttle"
)

// UserListPage is the data of a user's list pages: second factors,
// linked accounts, sessions and lockouts. CanChange shows the forms that
// remove, unlink, revoke or reset (auth.change_user, and being a
// superuser for a superuser's).
type UserListPage struct {
	*Common
	ID        int64
	Username  string
	CanChange bool
	Self      bool
	Rows      []ListRow
}

// ListRow is one item of a list page: Key is what its form posts to act
// on it, Cells its columns.
type ListRow struct {
	Key     string
	Cells   []string
	Current bool
}

// userList loads the {id} user and builds its list page, answering 403
// to a POST without the right to change the user.
func (d *Dashboard[U]) userList(w http.ResponseWriter, r *http.Request, v *view[U], title string) (*auth.User, *UserListPage, bool, bool) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return nil, nil, false, false
	}
	_, au, ok := d.loadUser(w, r, v)
	if !ok {
		return nil, nil, false, false
	}
	if post && !v.canChangeUser(au) {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return nil, nil, false, false
	}
	page := &UserListPage{Common: d.common(r, v, title+": "+au.Username, "users"), ID: au.ID, Username: au.Username,
		CanChange: v.canChangeUser(au), Self: au.ID == v.actor.ID}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Users"), URL: d.prefix + "auth/user/"},
		NavItem{Label: au.Username, URL: d.userURL(au.ID, "change")}, NavItem{Label: title})
	return au, page, post, true
}

func (d *Dashboard[U]) serveUserMFA(w http.ResponseWriter, r *http.Request, v *view[U]) {
	au, page, post, ok := d.userList(w, r, v, v.tr.Pgettext("dashboard", "Second factors"))
	if !ok {
		return
	}
	ctx := r.Context()
	devs, err := d.mfa.Devices(ctx, au.ID)
	if err != nil {
		d.serverError(w, r, "list devices", err)
		return
	}
	if post {
		kind, idText, _ := strings.Cut(r.PostForm.Get("device"), ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		var dev *mfa.Device
		for i := range devs {
			if err == nil && devs[i].Factor == kind && devs[i].ID == id {
				dev = &devs[i]
			}
		}
		if dev == nil {
			d.notFound(w, r, v)
			return
		}
		if err := d.mfa.RemoveDevice(ctx, au.ID, kind, id); err != nil {
			if errors.Is(err, mfa.ErrNoDevice) {
				d.notFound(w, r, v)
				return
			}
			d.serverError(w, r, "remove device", err)
			return
		}
		d.send(r, v, au, ActionDeviceRemoved, nil, dev.PersistentID)
		d.redirect(w, r, d.userURL(au.ID, "mfa"), v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The device “%(name)s” was removed.", Args: map[string]any{"name": dev.Name}}))
		return
	}
	for _, dev := range devs {
		page.Rows = append(page.Rows, ListRow{Key: dev.Factor + ":" + strconv.FormatInt(dev.ID, 10),
			Cells: []string{dev.Factor, dev.Name, dev.PersistentID}})
	}
	d.render(w, r, http.StatusOK, "user_mfa", page)
}

func (d *Dashboard[U]) serveUserIdentities(w http.ResponseWriter, r *http.Request, v *view[U]) {
	au, page, post, ok := d.userList(w, r, v, v.tr.Pgettext("dashboard", "Linked accounts"))
	if !ok {
		return
	}
	ctx := r.Context()
	accs, err := d.identities.ListAccounts(ctx, au.ID)
	if err != nil {
		d.serverError(w, r, "list identities", err)
		return
	}
	if post {
		id, err := strconv.ParseInt(r.PostForm.Get("account"), 10, 64)
		for _, a := range accs {
			if err != nil || a.ID != id {
				continue
			}
			if err := d.identities.DeleteAccount(ctx, a.ID); err != nil {
				d.serverError(w, r, "unlink identity", err)
				return
			}
			d.send(r, v, au, ActionIdentityUnlinked, nil, a.Provider+":"+a.UID)
			d.redirect(w, r, d.userURL(au.ID, "identities"), v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The %(provider)s account was unlinked.", Args: map[string]any{"provider": a.Provider}}))
			return
		}
		d.notFound(w, r, v)
		return
	}
	for _, a := range accs {
		page.Rows = append(page.Rows, ListRow{Key: strconv.FormatInt(a.ID, 10),
			Cells: []string{a.Provider, a.UID, funcs["datetime"].(func(any) string)(a.DateJoined), funcs["datetime"].(func(any) string)(a.LastLogin)}})
	}
	d.render(w, r, http.StatusOK, "user_identities", page)
}

// serveUserSessions lists the user's sessions and revokes one ("session")
// or all ("all"); on the staff member's own page "all" keeps the current
// session (auth.Auth.RevokeOtherSessions).
func (d *Dashboard[U]) serveUserSessions(w http.ResponseWriter, r *http.Request, v *view[U]) {
	au, page, post, ok := d.userList(w, r, v, v.tr.Pgettext("dashboard", "Sessions"))
	if !ok {
		return
	}
	ctx := r.Context()
	if post {
		if r.PostForm.Get("all") != "" {
			var n int
			var err error
			if page.Self {
				n, err = d.auth.RevokeOtherSessions(r)
			} else {
				n, err = d.auth.RevokeUserSessions(ctx, au.ID)
			}
			if err != nil {
				d.serverError(w, r, "revoke sessions", err)
				return
			}
			d.send(r, v, au, ActionSessionsRevoked, nil, strconv.Itoa(n))
			d.redirect(w, r, d.userURL(au.ID, "sessions"), v.tr.Translate(i18n.Message{Context: "dashboard", ID: "%(count)d session was logged out.", Plural: "%(count)d sessions were logged out.", N: n, Args: map[string]any{"count": n}}))
			return
		}
		id := r.PostForm.Get("session")
		if id == "" || (page.Self && id == d.auth.CurrentSessionID(ctx)) {
			d.flash(r, v.tr.Pgettext("dashboard", "Use “Log out” to end your own current session."), id != "")
			http.Redirect(w, r, d.userURL(au.ID, "sessions"), http.StatusFound)
			return
		}
		err := d.auth.RevokeSession(ctx, au.ID, id)
		if errors.Is(err, auth.ErrSessionNotFound) {
			d.notFound(w, r, v)
			return
		}
		if err != nil {
			d.serverError(w, r, "revoke session", err)
			return
		}
		d.send(r, v, au, ActionSessionRevoked, nil, id)
		d.redirect(w, r, d.userURL(au.ID, "sessions"), v.tr.Pgettext("dashboard", "The session was logged out."))
		return
	}
	infos, err := d.auth.UserSessions(ctx, au.ID)
	if err != nil {
		d.serverError(w, r, "list sessions", err)
		return
	}
	dt := funcs["datetime"].(func(any) string)
	for _, s := range infos {
		ua := s.UserAgent
		if ua == "" {
			ua = "—"
		}
		ip := s.IP
		if ip == "" {
			ip = "—"
		}
		page.Rows = append(page.Rows, ListRow{Key: s.ID, Current: s.Current,
			Cells: []string{ip, ua, dt(s.Created), dt(s.LastSeen), dt(s.Expires)}})
	}
	d.render(w, r, http.StatusOK, "user_sessions", page)
}

// userLockouts are the throttle counters of the user's keys: the
// normalised username (logins), the user id (password changes, codes)
// and the email (resets, mails), as package throttle's callers count
// them.
func (d *Dashboard[U]) userLockouts(r *http.Request, au *auth.User) ([]throttle.Lockout, error) {
	all, err := d.lockouts.Lockouts(r.Context())
	if err != nil {
		return nil, err
	}
	var out []throttle.Lockout
	shared := map[string]bool{}
	for _, o := range all {
		if o.Kind != throttle.KindKey || !matchesUser(o.Value, au) {
			continue
		}
		other, seen := shared[o.Value]
		if !seen {
			if other, err = d.keyOfAnotherUser(r.Context(), o.Value, au.ID); err != nil {
				return nil, err
			}
			shared[o.Value] = other
		}
		// A counter whose key is also another user's username, ID or
		// email is that user's too: listing it here would let a reset on
		// this page lift the other account's lockout (a superuser's,
		// say, after giving this user the superuser's login name as
		// email).
		if !other {
			out = append(out, o)
		}
	}
	return out, nil
}

// keyOfAnotherUser reports whether a throttle key is the username
// (compared as the login page folds it), ID or email of a user other than
// id.
func (d *Dashboard[U]) keyOfAnotherUser(ctx context.Context, key string, id int64) (bool, error) {
	if n, err := strconv.ParseInt(key, 10, 64); err == nil && n != id && strconv.FormatInt(n, 10) == key {
		switch _, err := d.store.GetUser(ctx, n); {
		case err == nil:
			return true, nil
		case !errors.Is(err, auth.ErrUserNotFound):
			return false, err
		}
	}
	switch u, err := d.store.GetUserByUsernameFold(ctx, key); {
	case errors.Is(err, auth.ErrMultipleUsers):
		return true, nil
	case err == nil:
		if auth.UserOf(u).ID != id {
			return true, nil
		}
	case !errors.Is(err, auth.ErrUserNotFound) && !errors.Is(err, auth.ErrInvalid):
		return false, err
	}
	if !strings.Contains(key, "@") {
		return false, nil
	}
	users, err := d.store.ListUsers(ctx, auth.UserQuery{Email: key, Limit: 2})
	if errors.Is(err, auth.ErrInvalid) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if auth.UserOf(u).ID != id {
			return true, nil
		}
	}
	return false, nil
}

func matchesUser(value string, au *auth.User) bool {
	return value == auth.NormalizeUsername(au.Username) || value == strconv.FormatInt(au.ID, 10) ||
		(au.Email != "" && accounts.EmailsMatch(value, au.Email))
}

func (d *Dashboard[U]) serveUserLockouts(w http.ResponseWriter, r *http.Request, v *view[U]) {
	au, page, post, ok := d.userList(w, r, v, v.tr.Pgettext("dashboard", "Lockouts"))
	if !ok {
		return
	}
	los, err := d.userLockouts(r, au)
	if err != nil {
		d.serverError(w, r, "list lockouts", err)
		return
	}
	if post {
		seen, n := map[string]bool{}, 0
		for _, o := range los {
			if seen[o.Value] {
				continue
			}
			seen[o.Value] = true
			k, err := d.lockouts.Reset(r.Context(), throttle.KindKey, o.Value)
			if err != nil {
				d.serverError(w, r, "reset lockouts", err)
				return
			}
			n += k
		}
		d.send(r, v, au, ActionLockoutsReset, nil, strconv.Itoa(n))
		d.redirect(w, r, d.userURL(au.ID, "lockouts"), v.tr.Translate(i18n.Message{Context: "dashboard", ID: "Reset %(count)d counter.", Plural: "Reset %(count)d counters.", N: n, Args: map[string]any{"count": n}}))
		return
	}
	now := time.Now()
	dt := funcs["datetime"].(func(any) string)
	for _, o := range los {
		state := v.tr.Pgettext("dashboard", "counting")
		switch {
		case o.Blocked(now) && o.Locked:
			state = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "locked until %(time)s", Args: map[string]any{"time": dt(o.Until)}})
		case o.Blocked(now):
			state = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "delayed until %(time)s", Args: map[string]any{"time": dt(o.Until)}})
		}
		page.Rows = append(page.Rows, ListRow{Cells: []string{o.Scope, o.Value, strconv.Itoa(o.Failures), dt(o.Last), state}})
	}
	d.render(w, r, http.StatusOK, "user_lockouts", page)
}
