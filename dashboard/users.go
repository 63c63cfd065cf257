package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// UsersPage is the data of the user list (Django's changelist).
type UsersPage struct {
	*Common
	// Users are the rows of this page.
	Users []UserRow
	// Query is the search box's text; Filters the filter sidebar.
	Query   string
	Filters []Filter
	// Columns are the sortable headers.
	Columns []Column
	// Count is how many users match; Total how many there are.
	Count, Total int
	// Pages are the page links (an entry with Number 0 is an ellipsis);
	// PageNum is the current page, from 1.
	Pages   []PageLink
	PageNum int
	// AddURL is the add page, "" without the add permission.
	AddURL string
	// Hidden are the list's parameters other than the search, kept by
	// the search form.
	Hidden []Param
}

// UserRow is one user of the list.
type UserRow struct {
	URL                                  string
	Username, Email, FirstName, LastName string
	IsStaff, IsActive, IsSuperuser       bool
}

// Filter is one filter of the list with its choices.
type Filter struct {
	Title   string
	Choices []Choice
}

// Choice is one link of a filter.
type Choice struct {
	Label, URL string
	Selected   bool
}

// Column is a header of the list; Sort is "ascending", "descending" or
// "" (aria-sort), URL sorts by it (or reverses it).
type Column struct {
	Label, URL, Sort string
}

// PageLink is one page of the list; Number 0 is an ellipsis.
type PageLink struct {
	Number  int
	URL     string
	Current bool
}

// Param is a hidden field.
type Param struct{ Name, Value string }

// listParams are the parameters of the user list, Django's changelist's:
// q, the filters' field lookups, o and p.
var listParams = []string{"q", "is_staff__exact", "is_superuser__exact", "is_active__exact", "groups__id__exact", "o", "p"}

// columns are the list's columns (UserAdmin.list_display) with their
// order field.
// columnMessages marks the column labels for translation.
var columnMessages = []i18n.Message{{Context: "dashboard", ID: "Username"}, {Context: "dashboard", ID: "Email address"},
	{Context: "dashboard", ID: "First name"}, {Context: "dashboard", ID: "Last name"}, {Context: "dashboard", ID: "Staff status"}}

var columns = []struct{ label, field string }{
	{"Username", "username"}, {"Email address", "email"}, {"First name", "first_name"},
	{"Last name", "last_name"}, {"Staff status", "is_staff"},
}

func (d *Dashboard[U]) serveUsers(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if _, ok := parseForm(w, r, false); !ok {
		return
	}
	ctx := r.Context()
	in := r.URL.Query()
	params := url.Values{}
	for _, k := range listParams {
		if val := in.Get(k); val != "" && k != "p" {
			params.Set(k, val)
		}
	}
	q := auth.UserQuery{Search: strings.TrimSpace(in.Get("q")), Order: "username"}
	flag := func(name string) *bool {
		switch params.Get(name) {
		case "1":
			t := true
			return &t
		case "0":
			f := false
			return &f
		}
		params.Del(name)
		return nil
	}
	q.IsStaff, q.IsSuperuser, q.IsActive = flag("is_staff__exact"), flag("is_superuser__exact"), flag("is_active__exact")
	groups, err := d.store.ListGroups(ctx)
	if err != nil {
		d.serverError(w, r, "list groups", err)
		return
	}
	if g := params.Get("groups__id__exact"); g != "" {
		id, err := strconv.ParseInt(g, 10, 64)
		known := false
		for _, gr := range groups {
			known = known || (err == nil && gr.ID == id)
		}
		if known {
			q.GroupID = id
		} else {
			params.Del("groups__id__exact")
		}
	}
	if o := params.Get("o"); o != "" {
		if _, _, ok := (auth.UserQuery{Order: o}).OrderField(); ok {
			q.Order = o
		} else {
			params.Del("o")
		}
	}
	if r := []rune(q.Search); len(r) > auth.MaxEmailLength {
		q.Search = string(r[:auth.MaxEmailLength])
	}
	count, err := d.store.CountUsers(ctx, q)
	if err != nil {
		d.serverError(w, r, "count users", err)
		return
	}
	pages := max(1, (count+PerPage-1)/PerPage)
	num := 1
	if p := in.Get("p"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > pages {
			d.notFound(w, r, v)
			return
		}
		num = n
	}
	q.Offset, q.Limit = (num-1)*PerPage, PerPage
	users, err := d.store.ListUsers(ctx, q)
	if err != nil {
		d.serverError(w, r, "list users", err)
		return
	}
	total := count
	if len(params) > 0 && !(len(params) == 1 && params.Has("o")) {
		if total, err = d.store.CountUsers(ctx, auth.UserQuery{}); err != nil {
			d.serverError(w, r, "count users", err)
			return
		}
	}
	base := d.prefix + "auth/user/"
	link := func(set map[string]string) string {
		out := url.Values{}
		for k, vs := range params {
			out[k] = vs
		}
		for k, val := range set {
			if val == "" {
				out.Del(k)
			} else {
				out.Set(k, val)
			}
		}
		if len(out) == 0 {
			return base
		}
		return base + "?" + out.Encode()
	}
	page := &UsersPage{Common: d.common(r, v, v.tr.Pgettext("dashboard", "Select user to change"), "users"),
		Query: q.Search, Count: count, Total: total, PageNum: num}
	if !v.canChangeUsers() {
		page.Title = v.tr.Pgettext("dashboard", "Select user to view")
	}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Users")})
	if v.has(PermAddUser) && v.has(PermChangeUser) {
		page.AddURL = base + "add/"
	}
	for _, u := range users {
		au := auth.UserOf(u)
		page.Users = append(page.Users, UserRow{URL: fmt.Sprintf("%s%d/change/", base, au.ID),
			Username: au.Username, Email: au.Email, FirstName: au.FirstName, LastName: au.LastName,
			IsStaff: au.IsStaff, IsActive: au.IsActive, IsSuperuser: au.IsSuperuser})
	}
	yesNo := func(title, key string) Filter {
		f := Filter{Title: title}
		for _, c := range []struct{ label, val string }{{v.tr.Pgettext("dashboard", "All"), ""},
			{v.tr.Pgettext("dashboard", "Yes"), "1"}, {v.tr.Pgettext("dashboard", "No"), "0"}} {
			f.Choices = append(f.Choices, Choice{Label: c.label, URL: link(map[string]string{key: c.val, "p": ""}),
				Selected: params.Get(key) == c.val})
		}
		return f
	}
	page.Filters = []Filter{yesNo(v.tr.Pgettext("dashboard", "staff status"), "is_staff__exact"),
		yesNo(v.tr.Pgettext("dashboard", "superuser status"), "is_superuser__exact"),
		yesNo(v.tr.Pgettext("dashboard", "active"), "is_active__exact")}
	gf := Filter{Title: v.tr.Pgettext("dashboard", "groups"), Choices: []Choice{{Label: v.tr.Pgettext("dashboard", "All"), URL: link(map[string]string{"groups__id__exact": ""}),
		Selected: q.GroupID == 0}}}
	for _, g := range groups {
		id := strconv.FormatInt(g.ID, 10)
		gf.Choices = append(gf.Choices, Choice{Label: g.Name, URL: link(map[string]string{"groups__id__exact": id}),
			Selected: q.GroupID == g.ID})
	}
	page.Filters = append(page.Filters, gf)
	field, desc, _ := q.OrderField()
	for _, c := range columns {
		col := Column{Label: v.tr.Pgettext("dashboard", c.label), URL: link(map[string]string{"o": c.field})}
		if c.field == field {
			col.Sort = "ascending"
			col.URL = link(map[string]string{"o": "-" + c.field})
			if desc {
				col.Sort = "descending"
				col.URL = link(map[string]string{"o": c.field})
			}
		}
		page.Columns = append(page.Columns, col)
	}
	for _, n := range pageNumbers(num, pages) {
		pl := PageLink{Number: n, Current: n == num}
		if n > 0 {
			pl.URL = link(map[string]string{"p": strconv.Itoa(n)})
		}
		page.Pages = append(page.Pages, pl)
	}
	for _, k := range listParams {
		if k != "q" && params.Get(k) != "" {
			page.Hidden = append(page.Hidden, Param{Name: k, Value: params.Get(k)})
		}
	}
	d.render(w, r, http.StatusOK, "users", page)
}

// pageNumbers returns the pages to link, Django's get_elided_page_range:
// every page when there are at most 10, else the first two, three on
// each side of the current one and the last two, with 0 for each gap.
func pageNumbers(cur, pages int) []int {
	if pages <= 1 {
		return nil
	}
	var out []int
	last := 0
	for n := 1; n <= pages; n++ {
		if pages > 10 && n > 2 && n < pages-1 && (n < cur-3 || n > cur+3) {
			continue
		}
		if last != 0 && n != last+1 {
			out = append(out, 0)
		}
		out = append(out, n)
		last = n
	}
	return out
}

// loadUser reads the user of the {id} path value; it answers 404 for an
// unknown or malformed id and reports whether to go on.
func (d *Dashboard[U]) loadUser(w http.ResponseWriter, r *http.Request, v *view[U]) (*U, *auth.User, bool) {
	id, ok := parseID(r, "id")
	if !ok {
		d.notFound(w, r, v)
		return nil, nil, false
	}
	u, err := d.store.GetUser(r.Context(), id)
	if errors.Is(err, auth.ErrUserNotFound) {
		d.notFound(w, r, v)
		return nil, nil, false
	}
	if err != nil {
		d.serverError(w, r, "get user", err)
		return nil, nil, false
	}
	return u, auth.UserOf(u), true
}

// userURL is the change page of the user id, and of its parts.
func (d *Dashboard[U]) userURL(id int64, part string) string {
	return fmt.Sprintf("%sauth/user/%d/%s/", d.prefix, id, part)
}

// send emits UserChanged with copies of the actor and target (without
// their password hashes).
func (d *Dashboard[U]) send(r *http.Request, v *view[U], target *auth.User, action Action, fields []string, object string) {
	actor, t := *v.actor, *target
	actor.Password, t.Password = "", ""
	d.signals.UserChanged.Send(r.Context(), UserChanged{Request: r, Actor: actor, Target: t, Action: action,
		Fields: fields, Object: object})
}
