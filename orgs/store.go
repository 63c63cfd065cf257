package orgs

import (
	"context"
	"errors"
	"time"
)

// Organization is a tenant: django-organizations' organizations_organization
// (name up to 200 characters, unique slug up to 200, is_active, created,
// modified).
type Organization struct {
	ID       int64
	Name     string
	Slug     string
	IsActive bool
	Created  time.Time
	Modified time.Time
}

// Member is one user's membership of one organization:
// organizations_organizationuser (unique per user and organization) with
// is_admin. IsOwner reports whether the membership is the organization's
// owner (organizations_organizationowner, at most one per organization).
type Member struct {
	ID       int64 // organizations_organizationuser.id
	OrgID    int64
	UserID   int64
	IsAdmin  bool
	IsOwner  bool
	Created  time.Time
	Modified time.Time
}

// Role is a Django group that belongs to one organization. Django sees it
// as a plain auth_group with its auth_group_permissions; which members hold
// it in which organization is djauth's own (a role is never put in
// auth_user_groups, where it would grant its permissions everywhere).
type Role struct {
	ID        int64 // the auth_group's id
	OrgID     int64
	Name      string // the role's name within its organization
	GroupName string // the auth_group's name, unique across the site
}

// Invitation asks the holder of an email address to join an organization:
// organizations_organizationinvitation (guid, invitee_identifier,
// invited_by, invitee, organization) with djauth's expiry, single use,
// roles and token hash beside it.
type Invitation struct {
	ID        int64
	GUID      string // a random UUID, django-organizations' guid
	OrgID     int64
	Email     string // invitee_identifier
	InvitedBy int64
	// InviteeID is the user who accepted it; 0 while it is open.
	InviteeID int64
	// RoleIDs are given to the new member on acceptance; IsAdmin makes
	// them an admin.
	RoleIDs []int64
	IsAdmin bool
	// TokenHash is SHA-256 of the secret token sent in the invitation
	// link; the token itself is never stored.
	TokenHash  []byte
	ExpiresAt  time.Time
	AcceptedAt time.Time // zero while open
	Created    time.Time
}

// Errors of a Store, checked with errors.Is.
var (
	ErrNotFound          = errors.New("orgs: not found")
	ErrNotMember         = errors.New("orgs: not a member of the organization")
	ErrAlreadyMember     = errors.New("orgs: already a member of the organization")
	ErrSlugTaken         = errors.New("orgs: slug already in use")
	ErrRoleNameTaken     = errors.New("orgs: role name already in use in the organization")
	ErrOwnerRequired     = errors.New("orgs: the owner cannot be removed; transfer ownership first")
	ErrInvitationUsed    = errors.New("orgs: invitation already accepted or revoked")
	ErrInvitationExpired = errors.New("orgs: invitation expired")
)

// ListOptions pages and filters ListOrganizations. A zero Limit means no
// limit.
type ListOptions struct {
	Search string // case-insensitive substring of name or slug; % and _ are literal
	Offset int
	Limit  int
}

// Store keeps organizations, members, roles and invitations. orgstest.Run
// is its conformance suite; MemoryStore and postgres.OrgStore implement it.
//
// Every method that names a member, role or invitation also names its
// organization, and an ID of another organization is ErrNotFound (or
// ErrNotMember): a store never lets one organization's request reach
// another's rows.
type Store interface {
	// CreateOrganization inserts org (ID, Created and Modified are set)
	// and makes ownerID its first member, admin and owner, in one
	// transaction. A slug in use gives ErrSlugTaken.
	CreateOrganization(ctx context.Context, org Organization, ownerID int64) (Organization, error)
	// Organization returns the organization with the ID, or ErrNotFound.
	Organization(ctx context.Context, id int64) (Organization, error)
	// OrganizationBySlug returns the organization with the slug, or
	// ErrNotFound.
	OrganizationBySlug(ctx context.Context, slug string) (Organization, error)
	// UpdateOrganization saves org's name, slug and is_active (and sets
	// Modified); ErrNotFound or ErrSlugTaken.
	UpdateOrganization(ctx context.Context, org Organization) error
	// DeleteOrganization removes the organization with its members,
	// owner, roles (their groups too) and invitations; ErrNotFound when
	// there is none.
	DeleteOrganization(ctx context.Context, id int64) error
	// ListOrganizations returns a page of organizations ordered by name
	// and the number matching o.Search.
	ListOrganizations(ctx context.Context, o ListOptions) ([]Organization, int, error)

	// Membership returns the user's membership of the organization, or
	// ErrNotMember (also for an organization that does not exist).
	Membership(ctx context.Context, orgID, userID int64) (Member, error)
	// UserOrganizations returns the organizations the user is a member
	// of, ordered by name, with the membership in each.
	UserOrganizations(ctx context.Context, userID int64) ([]Organization, []Member, error)
	// Members returns the organization's members ordered by user ID;
	// ErrNotFound for no such organization (as Roles and Invitations).
	Members(ctx context.Context, orgID int64) ([]Member, error)
	// AddMember makes the user a member; ErrAlreadyMember if they are,
	// ErrNotFound for no such organization.
	AddMember(ctx context.Context, orgID, userID int64, isAdmin bool) (Member, error)
	// SetAdmin changes a member's is_admin; ErrNotMember, or
	// ErrOwnerRequired when it would make the owner a non-admin.
	SetAdmin(ctx context.Context, orgID, userID int64, isAdmin bool) error
	// RemoveMember ends a membership and the member's roles in the
	// organization; ErrOwnerRequired for the owner.
	RemoveMember(ctx context.Context, orgID, userID int64) error
	// TransferOwnership makes the member userID the owner (and an admin).
	TransferOwnership(ctx context.Context, orgID, userID int64) error

	// CreateRole creates a role and its group; ErrRoleNameTaken when the
	// organization has a role of that name.
	CreateRole(ctx context.Context, orgID int64, name string) (Role, error)
	// Roles returns the organization's roles ordered by name.
	Roles(ctx context.Context, orgID int64) ([]Role, error)
	// DeleteRole removes the role, its group, its assignments and its
	// place in open invitations.
	DeleteRole(ctx context.Context, orgID, roleID int64) error
	// SetRolePermissions makes perms ("app_label.codename", which must
	// exist: else ErrNotFound and nothing changes) the role's only
	// permissions (its group's); duplicates count once.
	SetRolePermissions(ctx context.Context, orgID, roleID int64, perms []string) error
	// RolePermissions returns the role's permissions as
	// "app_label.codename", sorted.
	RolePermissions(ctx context.Context, orgID, roleID int64) ([]string, error)
	// AssignRole gives a member a role of the same organization
	// (ErrNotFound for a role of another, ErrNotMember for a non-member);
	// assigning it again is not an error.
	AssignRole(ctx context.Context, orgID, userID, roleID int64) error
	// UnassignRole takes a role from a member; one not held is not an
	// error.
	UnassignRole(ctx context.Context, orgID, userID, roleID int64) error
	// MemberRoles returns the member's roles in the organization ordered
	// by name, or ErrNotMember.
	MemberRoles(ctx context.Context, orgID, userID int64) ([]Role, error)
	// MemberPermissions returns the union of the permissions of the
	// member's roles in the organization ("app_label.codename"), or
	// ErrNotMember. It is what an organization-scoped HasPerm adds to the
	// user's global permissions.
	MemberPermissions(ctx context.Context, orgID, userID int64) ([]string, error)

	// CreateInvitation inserts inv (ID, GUID and Created are set);
	// ErrNotFound for no such organization or a role of another.
	CreateInvitation(ctx context.Context, inv Invitation) (Invitation, error)
	// InvitationByTokenHash returns the invitation whose TokenHash is
	// hash, accepted or not, or ErrNotFound.
	InvitationByTokenHash(ctx context.Context, hash []byte) (Invitation, error)
	// Invitations returns the organization's open invitations, newest
	// first.
	Invitations(ctx context.Context, orgID int64) ([]Invitation, error)
	// AcceptInvitation marks the open, unexpired invitation accepted by
	// the user at now and makes them a member with its roles, in one
	// transaction; of two concurrent acceptances one wins and the other
	// gets ErrInvitationUsed. ErrInvitationExpired when now is past
	// ExpiresAt (at ExpiresAt it still works); ErrAlreadyMember when the
	// user is a member (the invitation stays open); ErrNotFound for an
	// invitation of another organization. Checked in that order after
	// ErrNotFound: used, expired, already a member.
	AcceptInvitation(ctx context.Context, orgID, invitationID, userID int64, now time.Time) (Member, error)
	// RevokeInvitation deletes an open invitation; ErrInvitationUsed for
	// an accepted one.
	RevokeInvitation(ctx context.Context, orgID, invitationID int64) error
}
