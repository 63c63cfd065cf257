package api

import (
	"net/http"
)

// OrgJSON is an organization as the API shows it.
type OrgJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// OrgsAPI is the seam for the organization endpoints of package orgs
// (Config.Orgs). Current returns the request's current organization of
// the user, nil when none.
type OrgsAPI interface {
	Current(r *http.Request, userID int64) (*OrgJSON, error)
}

func orgError(err error) error { return err }

func (x *API[U]) orgRoutes() {}
