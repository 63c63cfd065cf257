package orgs

import (
	"context"
	"net/http"

	"github.com/djauth/auth"
)

// Signals are the hubs of the events of an Orgs, for an audit log or
// notifications. Receivers run synchronously after the change has been
// stored; Request is the request the Orgs middleware (or a guard) saw in
// the context of the call, nil when there is none.
type Signals struct {
	MemberAdded        auth.Signal[MemberAdded]
	MemberRemoved      auth.Signal[MemberRemoved]
	InvitationSent     auth.Signal[InvitationSent]
	InvitationAccepted auth.Signal[InvitationAccepted]
	RoleChanged        auth.Signal[RoleChanged]
}

func newSignals() *Signals { return &Signals{} }

// MemberAdded is sent when a user becomes a member: as the creator of an
// organization, added by an actor, or by accepting an invitation.
type MemberAdded struct {
	Request *http.Request
	// ActorID is the user who made the change (the member themselves for
	// a creation or an acceptance).
	ActorID int64
	Member  Member
	// Via is "create", "add" or "invitation".
	Via string
}

// MemberRemoved is sent when a membership ends (ActorID == UserID when a
// member leaves).
type MemberRemoved struct {
	Request *http.Request
	ActorID int64
	OrgID   int64
	UserID  int64
}

// InvitationSent is sent when an invitation has been created (and mailed
// when the Orgs has a Mailer) or revoked (Revoked true).
type InvitationSent struct {
	Request    *http.Request
	ActorID    int64
	Invitation Invitation
	Revoked    bool
}

// InvitationAccepted is sent when a user has joined through an
// invitation.
type InvitationAccepted struct {
	Request    *http.Request
	UserID     int64
	Invitation Invitation
	Member     Member
}

// Kinds of RoleChanged.
const (
	RoleCreated      = "role_created"
	RoleDeleted      = "role_deleted"
	RolePermissions  = "role_permissions"
	RoleAssigned     = "role_assigned"
	RoleUnassigned   = "role_unassigned"
	AdminGranted     = "admin_granted"
	AdminRevoked     = "admin_revoked"
	OwnerTransferred = "owner_transferred"
)

// RoleChanged is sent when what a member may do in an organization
// changed: a role created, deleted or given permissions (UserID 0), a role
// assigned or unassigned, admin granted or revoked, ownership transferred
// (UserID the new owner).
type RoleChanged struct {
	Request *http.Request
	ActorID int64
	OrgID   int64
	Kind    string
	RoleID  int64
	UserID  int64
	// Permissions are the role's permissions after RolePermissions.
	Permissions []string
}

type requestKey struct{ _ byte }

// withRequest puts r in its context for the signals of calls made with it.
func withRequest(r *http.Request) *http.Request {
	if requestFrom(r.Context()) != nil {
		return r
	}
	ctx := context.WithValue(r.Context(), requestKey{}, r)
	return r.WithContext(ctx)
}

func requestFrom(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return r
}
