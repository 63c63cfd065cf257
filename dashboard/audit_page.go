package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/audit"
)

// AuditPerPage is how many entries a page of the audit log shows; the
// user page shows the AuditRecent newest entries about the user.
const (
	AuditPerPage = 50
	AuditRecent  = 10
)

// AuditPage is the data of the audit log page.
type AuditPage struct {
	*Common
	// Entries are the rows of this page, newest first.
	Entries []AuditRow
	// The filter form's values: Actor and Target (a username or #ID),
	// Action, Since and Until (YYYY-MM-DD, Until inclusive).
	Actor, Target, Action, Since, Until string
	// Actions are the choices of the action filter.
	Actions []string
	// Errors are the filter form's errors (a date, an unknown user).
	Errors FieldErrors
	// Count is the number of matching entries; Pages the page links.
	Count int
	Pages []PageLink
}

// AuditRow is one entry of the log, ready to show.
type AuditRow struct {
	Time, ISOTime, Action string
	Actor, ActorURL       string
	Target, TargetURL     string
	Object, Message       string
	RemoteAddr, UserAgent string
}

// auditActions are the action filter's choices: the Recorder's and
// those recorded for the dashboard (SubscribeAudit).
var auditActions = []audit.Action{
	audit.ActionLogin, audit.ActionLoginFailed, audit.ActionLogout, audit.ActionLockedOut,
	audit.ActionPasswordChanged, audit.ActionPasswordReset, audit.ActionMFAChanged, audit.ActionEmailChanged,
	audit.ActionIdentityLinked, audit.ActionIdentityUnlinked,
	audit.ActionUserCreated, audit.ActionUserChanged, audit.ActionUserDeleted,
	AuditGroupCreated, AuditGroupChanged, AuditGroupDeleted, AuditOrgChanged, AuditOrgDeleted,
	audit.ActionImpersonationStarted, audit.ActionImpersonationEnded,
}

// dateLayout is the format of the date filters (an <input type="date">).
const dateLayout = "2006-01-02"

func (d *Dashboard[U]) serveAudit(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if _, ok := parseForm(w, r, false); !ok {
		return
	}
	in := r.URL.Query()
	page := &AuditPage{Common: d.common(r, v, v.tr.Pgettext("dashboard", "Audit log"), "audit"), Errors: FieldErrors{},
		Actor: strings.TrimSpace(in.Get("actor")), Target: strings.TrimSpace(in.Get("target")),
		Action: in.Get("action"), Since: in.Get("since"), Until: in.Get("until")}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Audit log")})
	for _, a := range auditActions {
		page.Actions = append(page.Actions, string(a))
	}
	var q audit.Query
	var err error
	if q.ActorID, err = d.auditUser(r, page.Actor); err != nil {
		if !errors.Is(err, auth.ErrUserNotFound) {
			d.serverError(w, r, "audit actor", err)
			return
		}
		page.Errors.Add("actor", v.tr.Pgettext("dashboard", "No user has that username or ID."))
	}
	if q.TargetUserID, err = d.auditUser(r, page.Target); err != nil {
		if !errors.Is(err, auth.ErrUserNotFound) {
			d.serverError(w, r, "audit target", err)
			return
		}
		page.Errors.Add("target", v.tr.Pgettext("dashboard", "No user has that username or ID."))
	}
	if page.Action != "" {
		if !audit.ValidAction(audit.Action(page.Action)) {
			page.Errors.Add("action", v.tr.Pgettext("dashboard", "Select a valid choice."))
		} else {
			q.Action = audit.Action(page.Action)
		}
	}
	if page.Since != "" {
		t, err := time.Parse(dateLayout, page.Since)
		if err != nil {
			page.Errors.Add("since", v.tr.Pgettext("dashboard", "Enter a valid date."))
		}
		q.Since = t
	}
	if page.Until != "" {
		t, err := time.Parse(dateLayout, page.Until)
		if err != nil {
			page.Errors.Add("until", v.tr.Pgettext("dashboard", "Enter a valid date."))
		} else {
			q.Until = t.AddDate(0, 0, 1) // the whole day
		}
	}
	num := 1
	if p := in.Get("p"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			d.notFound(w, r, v)
			return
		}
		num = n
	}
	if page.Errors.Any() {
		// A filter that cannot be read shows nothing rather than
		// everything: the staff member asked for less.
		d.render(w, r, http.StatusBadRequest, "audit", page)
		return
	}
	q.Offset, q.Limit = (num-1)*AuditPerPage, AuditPerPage
	entries, total, err := d.audit.List(r.Context(), q)
	if err != nil {
		d.serverError(w, r, "list audit entries", err)
		return
	}
	page.Count = total
	page.Entries = d.auditRows(r.Context(), entries)
	pages := (total + AuditPerPage - 1) / AuditPerPage
	if num > 1 && num > pages {
		d.notFound(w, r, v)
		return
	}
	for _, n := range pageNumbers(num, pages) {
		pl := PageLink{Number: n, Current: n == num}
		if n > 0 {
			vals := url.Values{}
			for _, k := range []string{"actor", "target", "action", "since", "until"} {
				if x := in.Get(k); x != "" {
					vals.Set(k, x)
				}
			}
			vals.Set("p", strconv.Itoa(n))
			pl.URL = d.prefix + "audit/?" + vals.Encode()
		}
		page.Pages = append(page.Pages, pl)
	}
	d.render(w, r, http.StatusOK, "audit", page)
}

// auditUser resolves a filter's user: "" is none (0), "#12" or "12" an
// ID, anything else a username. An unknown one is auth.ErrUserNotFound.
func (d *Dashboard[U]) auditUser(r *http.Request, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil {
		if id <= 0 {
			return 0, auth.ErrUserNotFound
		}
		return id, nil
	}
	u, err := d.store.GetUserByUsername(r.Context(), s)
	if err != nil {
		return 0, err
	}
	return auth.UserOf(u).ID, nil
}

// auditRows formats entries for the pages, with the targets'
// usernames as they are now (a deleted user shows as #ID).
func (d *Dashboard[U]) auditRows(ctx context.Context, entries []audit.Entry) []AuditRow {
	out := make([]AuditRow, 0, len(entries))
	names := map[int64]string{}
	for _, e := range entries {
		row := AuditRow{Time: formatTime(e.Time), ISOTime: e.Time.UTC().Format(time.RFC3339), Action: string(e.Action),
			Actor: e.ActorName, Object: e.Object.Repr, Message: e.Message, RemoteAddr: e.RemoteAddr, UserAgent: e.UserAgent}
		if row.Object == "" && e.Object.Type != "" {
			row.Object = e.Object.Type + " " + e.Object.ID
		}
		if e.ActorID > 0 {
			if row.Actor == "" {
				row.Actor = "#" + strconv.FormatInt(e.ActorID, 10)
			}
			row.ActorURL = d.userURL(e.ActorID, "change")
		}
		if e.TargetUserID > 0 {
			name, ok := names[e.TargetUserID]
			if !ok {
				name = "#" + strconv.FormatInt(e.TargetUserID, 10)
				if u, err := d.store.GetUser(ctx, e.TargetUserID); err == nil {
					name = auth.UserOf(u).Username
				}
				names[e.TargetUserID] = name
			}
			row.Target = name
			row.TargetURL = d.userURL(e.TargetUserID, "change")
		}
		out = append(out, row)
	}
	return out
}
