package orgs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/djauth/auth"
)

// Rights an action needs, for authorize.
type right int

const (
	// rightAdmin is the organization's owner or an admin, or a user with
	// the global PermChange.
	rightAdmin right = iota
	// rightOwner is the owner, or a user with the global PermChange.
	rightOwner
	// rightDelete is the owner, or a user with the global PermDelete.
	rightDelete
)

// authorize is the one rule of who may manage an organization: an active
// actor holding the global Django permission of the action (an active
// superuser holds all), or else an active member of the active
// organization who is its owner (any action) or an admin (rightAdmin).
// It returns auth.ErrLoginRequired for no active actor,
// auth.ErrPermissionDenied for a member without the right, and
// ErrNotFound for an organization that does not exist or that the actor
// is not a member of, so that a refusal does not tell whether it exists.
func (o *Orgs[U]) authorize(ctx context.Context, actor *U, orgID int64, need right) (*auth.User, error) {
	u := activeUser(actor)
	if u == nil {
		return nil, auth.ErrLoginRequired
	}
	perm := PermChange
	if need == rightDelete {
		perm = PermDelete
	}
	ok, err := o.a.HasPerm(ctx, actor, perm, nil)
	if err != nil {
		return nil, err
	}
	if ok {
		if _, err := o.store.Organization(ctx, orgID); err != nil {
			return nil, err
		}
		return u, nil
	}
	org, err := o.store.Organization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	m, err := o.store.Membership(ctx, orgID, u.ID)
	if errors.Is(err, ErrNotMember) || (err == nil && !org.IsActive) {
		return nil, fmt.Errorf("orgs: organization %d: %w", orgID, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if m.IsOwner || (need == rightAdmin && m.IsAdmin) {
		return u, nil
	}
	return nil, auth.ErrPermissionDenied
}

// CanManage reports whether actor may manage the organization's members,
// roles and invitations (the rule of every management method).
func (o *Orgs[U]) CanManage(ctx context.Context, actor *U, orgID int64) (bool, error) {
	_, err := o.authorize(ctx, actor, orgID, rightAdmin)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, auth.ErrLoginRequired), errors.Is(err, auth.ErrPermissionDenied), errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// slugRe is Django's validate_slug.
var slugRe = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)

// Slugify is Django's slugify for ASCII: letters, digits, underscores and
// hyphens kept, lower-cased, runs of spaces and hyphens made one hyphen,
// leading and trailing ones dropped, everything else (non-ASCII letters
// too, as NFKD would leave only their accents otherwise) removed.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_'):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '\t' || r == '\n':
			dash = true
		}
	}
	return b.String()
}

func checkName(name string, max int) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > max || !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: name must be 1 to %d characters", ErrInvalid, max)
	}
	return name, nil
}

// CreateOrganization creates an organization owned by owner, an active
// user, who becomes its first member and admin. An empty slug is made
// from the name with Slugify. The name is 1 to 200 characters and the
// slug Django's validate_slug, up to 200; ErrSlugTaken when it is in use.
func (o *Orgs[U]) CreateOrganization(ctx context.Context, owner *U, name, slug string) (Organization, error) {
	u := activeUser(owner)
	if u == nil {
		return Organization{}, auth.ErrLoginRequired
	}
	name, err := checkName(name, 200)
	if err != nil {
		return Organization{}, err
	}
	if slug == "" {
		slug = Slugify(name)
	}
	if len(slug) > 200 || !slugRe.MatchString(slug) {
		return Organization{}, fmt.Errorf("%w: slug %q: letters, numbers, underscores or hyphens", ErrInvalid, slug)
	}
	org, err := o.store.CreateOrganization(ctx, Organization{Name: name, Slug: slug, IsActive: true}, u.ID)
	if err != nil {
		return Organization{}, err
	}
	if m, err := o.store.Membership(ctx, org.ID, u.ID); err == nil {
		o.signals.MemberAdded.Send(ctx, MemberAdded{Request: requestFrom(ctx), ActorID: u.ID, Member: m, Via: "create"})
	}
	return org, nil
}

// UpdateOrganization renames an organization, changes its slug or
// (de)activates it; an admin may.
func (o *Orgs[U]) UpdateOrganization(ctx context.Context, actor *U, org Organization) error {
	if _, err := o.authorize(ctx, actor, org.ID, rightAdmin); err != nil {
		return err
	}
	name, err := checkName(org.Name, 200)
	if err != nil {
		return err
	}
	if len(org.Slug) > 200 || !slugRe.MatchString(org.Slug) {
		return fmt.Errorf("%w: slug %q", ErrInvalid, org.Slug)
	}
	org.Name = name
	return o.store.UpdateOrganization(ctx, org)
}

// DeleteOrganization deletes an organization with everything in it; its
// owner or a holder of the global PermDelete may.
func (o *Orgs[U]) DeleteOrganization(ctx context.Context, actor *U, orgID int64) error {
	if _, err := o.authorize(ctx, actor, orgID, rightDelete); err != nil {
		return err
	}
	return o.store.DeleteOrganization(ctx, orgID)
}

// AddMember makes the user a member of the organization.
func (o *Orgs[U]) AddMember(ctx context.Context, actor *U, orgID, userID int64, isAdmin bool) (Member, error) {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return Member{}, err
	}
	if _, err := o.a.Store().GetUser(ctx, userID); err != nil {
		return Member{}, fmt.Errorf("orgs: add user %d: %w", userID, err)
	}
	m, err := o.store.AddMember(ctx, orgID, userID, isAdmin)
	if err != nil {
		return Member{}, err
	}
	o.signals.MemberAdded.Send(ctx, MemberAdded{Request: requestFrom(ctx), ActorID: u.ID, Member: m, Via: "add"})
	return m, nil
}

// RemoveMember ends a membership. An admin may remove anyone but the
// owner (ErrOwnerRequired), and every member may leave.
func (o *Orgs[U]) RemoveMember(ctx context.Context, actor *U, orgID, userID int64) error {
	u := activeUser(actor)
	if u == nil {
		return auth.ErrLoginRequired
	}
	if u.ID != userID {
		if _, err := o.authorize(ctx, actor, orgID, rightAdmin); err != nil {
			return err
		}
	}
	if err := o.store.RemoveMember(ctx, orgID, userID); err != nil {
		return err
	}
	o.signals.MemberRemoved.Send(ctx, MemberRemoved{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, UserID: userID})
	return nil
}

// SetAdmin grants or revokes a member's admin status.
func (o *Orgs[U]) SetAdmin(ctx context.Context, actor *U, orgID, userID int64, isAdmin bool) error {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return err
	}
	if err := o.store.SetAdmin(ctx, orgID, userID, isAdmin); err != nil {
		return err
	}
	kind := AdminRevoked
	if isAdmin {
		kind = AdminGranted
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: kind, UserID: userID})
	return nil
}

// TransferOwnership makes the member userID the owner; the owner (or a
// holder of the global PermChange) may.
func (o *Orgs[U]) TransferOwnership(ctx context.Context, actor *U, orgID, userID int64) error {
	u, err := o.authorize(ctx, actor, orgID, rightOwner)
	if err != nil {
		return err
	}
	if err := o.store.TransferOwnership(ctx, orgID, userID); err != nil {
		return err
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: OwnerTransferred, UserID: userID})
	return nil
}

// CreateRole creates a role of the organization; its name is 1 to 80
// characters and unique in the organization (ErrRoleNameTaken).
func (o *Orgs[U]) CreateRole(ctx context.Context, actor *U, orgID int64, name string) (Role, error) {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return Role{}, err
	}
	name, err = checkName(name, 80)
	if err != nil {
		return Role{}, err
	}
	r, err := o.store.CreateRole(ctx, orgID, name)
	if err != nil {
		return Role{}, err
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: RoleCreated, RoleID: r.ID})
	return r, nil
}

// DeleteRole deletes a role of the organization.
func (o *Orgs[U]) DeleteRole(ctx context.Context, actor *U, orgID, roleID int64) error {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return err
	}
	if err := o.store.DeleteRole(ctx, orgID, roleID); err != nil {
		return err
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: RoleDeleted, RoleID: roleID})
	return nil
}

// SetRolePermissions makes perms the role's permissions. With
// Config.AssignablePermissions any other permission is ErrInvalid.
func (o *Orgs[U]) SetRolePermissions(ctx context.Context, actor *U, orgID, roleID int64, perms []string) error {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return err
	}
	for _, p := range perms {
		if _, _, err := auth.ParsePermission(p); err != nil {
			return fmt.Errorf("%w: permission %q", ErrInvalid, p)
		}
		if o.assignable != nil && !o.assignable[p] {
			return fmt.Errorf("%w: permission %q may not be given to roles", ErrInvalid, p)
		}
	}
	if err := o.store.SetRolePermissions(ctx, orgID, roleID, perms); err != nil {
		return err
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: RolePermissions,
		RoleID: roleID, Permissions: append([]string(nil), perms...)})
	return nil
}

// AssignRole gives a member a role of the same organization.
func (o *Orgs[U]) AssignRole(ctx context.Context, actor *U, orgID, userID, roleID int64) error {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return err
	}
	if err := o.store.AssignRole(ctx, orgID, userID, roleID); err != nil {
		return err
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: RoleAssigned, RoleID: roleID, UserID: userID})
	return nil
}

// UnassignRole takes a role from a member.
func (o *Orgs[U]) UnassignRole(ctx context.Context, actor *U, orgID, userID, roleID int64) error {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return err
	}
	if err := o.store.UnassignRole(ctx, orgID, userID, roleID); err != nil {
		return err
	}
	o.signals.RoleChanged.Send(ctx, RoleChanged{Request: requestFrom(ctx), ActorID: u.ID, OrgID: orgID, Kind: RoleUnassigned, RoleID: roleID, UserID: userID})
	return nil
}
