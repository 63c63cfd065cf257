package dashboard

import (
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/orgs"
)

// IndexPage is the data of the index: the models the staff member may
// see, with their counts.
type IndexPage struct {
	*Common
	Models []IndexModel
}

// IndexModel is one row of the index.
type IndexModel struct {
	Label, URL, AddURL string
	Count              int
}

func (d *Dashboard[U]) serveIndex(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if _, ok := parseForm(w, r, false); !ok {
		return
	}
	page := &IndexPage{Common: d.common(r, v, d.title, "")}
	page.Crumbs = nil
	for _, s := range d.sections(v) {
		m := IndexModel{Label: s.label, URL: s.url, AddURL: s.add}
		switch s.key {
		case "users":
			n, err := d.store.CountUsers(r.Context(), auth.UserQuery{})
			if err != nil {
				d.serverError(w, r, "count users", err)
				return
			}
			m.Count = n
		case "orgs":
			_, n, err := d.orgs.ListOrganizations(r.Context(), orgs.ListOptions{Limit: 1})
			if err != nil {
				d.serverError(w, r, "count organizations", err)
				return
			}
			m.Count = n
		case "audit":
			_, n, err := d.audit.List(r.Context(), audit.Query{Limit: 1})
			if err != nil {
				d.serverError(w, r, "count audit entries", err)
				return
			}
			m.Count = n
		case "groups":
			gs, err := d.store.ListGroups(r.Context())
			if err != nil {
				d.serverError(w, r, "list groups", err)
				return
			}
			m.Count = len(gs)
		}
		page.Models = append(page.Models, m)
	}
	d.render(w, r, http.StatusOK, "index", page)
}
