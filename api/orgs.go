package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
)

// OrgJSON is an organization as the API shows it, with the signed-in
// user's place in it.
type OrgJSON struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Slug    string `json:"slug"`
	IsAdmin bool   `json:"is_admin"`
	IsOwner bool   `json:"is_owner"`
}

func orgJSON(o orgs.Organization, m orgs.Member) OrgJSON {
	return OrgJSON{ID: o.ID, Name: o.Name, Slug: o.Slug, IsAdmin: m.IsAdmin, IsOwner: m.IsOwner}
}

type orgCreateRequest struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type orgSwitchRequest struct {
	OrgID int64 `json:"org_id"`
}

type inviteRequest struct {
	Email   string  `json:"email"`
	IsAdmin bool    `json:"is_admin"`
	RoleIDs []int64 `json:"role_ids"`
}

type acceptRequest struct {
	Token string `json:"token"`
}

type memberJSON struct {
	UserID  int64 `json:"user_id"`
	IsAdmin bool  `json:"is_admin"`
	IsOwner bool  `json:"is_owner"`
}

func (x *API[U]) orgRoutes() {
	x.handle(http.MethodGet, "orgs", x.orgList)
	x.handle(http.MethodPost, "orgs", x.orgCreate)
	x.handle(http.MethodPost, "orgs/switch", x.orgSwitch)
	x.handle(http.MethodGet, "orgs/{id}/members", x.orgMembers)
	x.handle(http.MethodPost, "orgs/{id}/invitations", x.orgInvite)
	x.handle(http.MethodPost, "orgs/invitations/accept", x.orgAccept)
}

// orgError maps the errors of package orgs.
func orgError(err error) error {
	var te *orgs.ThrottledError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return throttled(te.RetryAfter, auth.ThrottledMessage(te.RetryAfter))
	case errors.Is(err, auth.ErrLoginRequired):
		return errNotAuthenticated
	case errors.Is(err, orgs.ErrNotFound), errors.Is(err, orgs.ErrNotMember):
		return apiErr(http.StatusNotFound, CodeNotFound, "No such organization.")
	case errors.Is(err, auth.ErrPermissionDenied):
		return apiErr(http.StatusForbidden, CodeForbidden, "Only the organization's admins may do this.")
	case errors.Is(err, orgs.ErrSlugTaken):
		return validation(map[string][]string{"slug": {"An organization with this slug already exists."}})
	case errors.Is(err, orgs.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidationFailed, Message: "Some fields are invalid."}
	case errors.Is(err, orgs.ErrAlreadyMember):
		return apiErr(http.StatusConflict, CodeConflict, "You are a member already.")
	case errors.Is(err, orgs.ErrOwnerRequired):
		return apiErr(http.StatusConflict, CodeConflict, "The owner cannot be removed; transfer ownership first.")
	case errors.Is(err, orgs.ErrWrongInvitee):
		return apiErr(http.StatusForbidden, CodeForbidden, "The invitation was sent to another email address.")
	case errors.Is(err, orgs.ErrInvalidInvitation), errors.Is(err, orgs.ErrInvitationUsed), errors.Is(err, orgs.ErrInvitationExpired):
		return apiErr(http.StatusBadRequest, CodeInvalidInvitation, "The invitation link is invalid, used or expired.")
	}
	return err
}

func (x *API[U]) orgsOn() error {
	if x.orgs == nil {
		return notConfigured("Organizations")
	}
	return nil
}

// currentOrg is the request's current organization (orgs.Middleware
// runs around the API), nil when none.
func (x *API[U]) currentOrg(r *http.Request) *OrgJSON {
	if x.orgs == nil {
		return nil
	}
	org, m, ok := x.orgs.Current(r)
	if !ok {
		return nil
	}
	j := orgJSON(org, m)
	return &j
}

// orgList lists the user's organizations, the current one marked.
func (x *API[U]) orgList(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := x.orgsOn(); err != nil {
		return 0, nil, err
	}
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	os, ms, err := x.orgs.Store().UserOrganizations(r.Context(), au.ID)
	if err != nil {
		return 0, nil, err
	}
	out := []OrgJSON{}
	for i, o := range os {
		if o.IsActive {
			out = append(out, orgJSON(o, ms[i]))
		}
	}
	var current any
	if c := x.currentOrg(r); c != nil {
		current = c.ID
	}
	return http.StatusOK, map[string]any{"organizations": out, "current": current}, nil
}

// orgCreate creates an organization owned by the user.
func (x *API[U]) orgCreate(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := x.orgsOn(); err != nil {
		return 0, nil, err
	}
	var in orgCreateRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	user, _, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	if in.Name == "" {
		return 0, nil, validation(map[string][]string{"name": {auth.MsgRequired}})
	}
	org, err := x.orgs.CreateOrganization(r.Context(), user, in.Name, in.Slug)
	if errors.Is(err, orgs.ErrInvalid) {
		return 0, nil, validation(map[string][]string{"name": {"Enter a name of 1 to 200 characters and a slug of letters, digits, hyphens and underscores."}})
	}
	if err != nil {
		return 0, nil, orgError(err)
	}
	return http.StatusCreated, map[string]any{"organization": OrgJSON{ID: org.ID, Name: org.Name, Slug: org.Slug, IsAdmin: true, IsOwner: true}}, nil
}

// orgSwitch makes an organization of the user the session's current one.
func (x *API[U]) orgSwitch(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := x.orgsOn(); err != nil {
		return 0, nil, err
	}
	var in orgSwitchRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	if in.OrgID <= 0 {
		return 0, nil, validation(map[string][]string{"org_id": {auth.MsgRequired}})
	}
	if err := x.orgs.Switch(r, in.OrgID); err != nil {
		return 0, nil, orgError(err)
	}
	org, err := x.orgs.Store().Organization(r.Context(), in.OrgID)
	if err != nil {
		return 0, nil, orgError(err)
	}
	m, err := x.orgs.Store().Membership(r.Context(), in.OrgID, au.ID)
	if err != nil {
		return 0, nil, orgError(err)
	}
	return http.StatusOK, map[string]any{"organization": orgJSON(org, m)}, nil
}

// orgID reads the {id} of the path, a positive decimal without sign or
// leading zeros: any other is no organization.
func orgID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw {
		// One spelling per organization: no "+7" or "007".
		return 0, apiErr(http.StatusNotFound, CodeNotFound, "No such organization.")
	}
	return id, nil
}

// orgMembers lists the members, for members of the organization (404
// for anyone else, whether it exists or not).
func (x *API[U]) orgMembers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := x.orgsOn(); err != nil {
		return 0, nil, err
	}
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	id, err := orgID(r)
	if err != nil {
		return 0, nil, err
	}
	org, err := x.orgs.Store().Organization(r.Context(), id)
	if err != nil {
		return 0, nil, orgError(err)
	}
	if _, err := x.orgs.Store().Membership(r.Context(), id, au.ID); err != nil || !org.IsActive {
		if err == nil {
			err = orgs.ErrNotFound
		}
		return 0, nil, orgError(err)
	}
	ms, err := x.orgs.Store().Members(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]memberJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberJSON{UserID: m.UserID, IsAdmin: m.IsAdmin, IsOwner: m.IsOwner})
	}
	return http.StatusOK, map[string]any{"members": out}, nil
}

// orgInvite invites an address (admins only); the link goes by mail.
func (x *API[U]) orgInvite(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := x.orgsOn(); err != nil {
		return 0, nil, err
	}
	var in inviteRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	user, _, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	id, err := orgID(r)
	if err != nil {
		return 0, nil, err
	}
	if in.Email == "" {
		return 0, nil, validation(map[string][]string{"email": {auth.MsgRequired}})
	}
	inv, _, err := x.orgs.Invite(r.Context(), user, id, in.Email, in.RoleIDs, in.IsAdmin)
	if errors.Is(err, orgs.ErrInvalid) {
		return 0, nil, validation(map[string][]string{"email": {"Enter a valid email address."}})
	}
	if errors.Is(err, orgs.ErrNotFound) && len(in.RoleIDs) > 0 {
		// Invite authorized the admin first, so for a member of the
		// organization ErrNotFound is a role that is not one of its own
		// (another organization's, or none). Anyone else keeps the 404.
		if _, merr := x.orgs.Store().Membership(r.Context(), id, auth.UserOf(user).ID); merr == nil {
			return 0, nil, validation(map[string][]string{"role_ids": {"Choose roles of this organization."}})
		}
	}
	if err != nil {
		return 0, nil, orgError(err)
	}
	return http.StatusCreated, map[string]any{"invitation": map[string]any{
		"id": inv.ID, "email": inv.Email, "is_admin": inv.IsAdmin, "expires_at": inv.ExpiresAt.UTC().Format(time.RFC3339)}}, nil
}

// orgAccept accepts an invitation with the token of its link, for the
// signed-in user the invitation was sent to.
func (x *API[U]) orgAccept(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := x.orgsOn(); err != nil {
		return 0, nil, err
	}
	var in acceptRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	user, _, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	if in.Token == "" || len(in.Token) > 256 {
		return 0, nil, validation(map[string][]string{"token": {auth.MsgRequired}})
	}
	m, err := x.orgs.Accept(r.Context(), r, user, in.Token)
	if err != nil {
		return 0, nil, orgError(err)
	}
	org, err := x.orgs.Store().Organization(r.Context(), m.OrgID)
	if err != nil {
		return 0, nil, orgError(err)
	}
	return http.StatusOK, map[string]any{"organization": orgJSON(org, m)}, nil
}
