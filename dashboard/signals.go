package dashboard

import (
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
)

// Action names what a staff member did, as Django's LogEntry
// action_flag does (addition, change, deletion), with the dashboard's
// other actions beside them.
type Action string

// The actions of UserChanged and GroupChanged.
const (
	ActionAdded   Action = "added"   // a user or group was created
	ActionChanged Action = "changed" // fields of a user or group changed (Fields)
	ActionDeleted Action = "deleted" // a user or group was deleted
	// ActionPasswordSet: a staff member set the user's password.
	ActionPasswordSet Action = "password_set"
	// ActionResetLinkMade: a one-time reset link was shown to the staff
	// member; ActionResetMailSent: the reset mail was queued.
	ActionResetLinkMade Action = "reset_link_made"
	ActionResetMailSent Action = "reset_mail_sent"
	// ActionDeviceRemoved: a second factor was removed (Object is its
	// PersistentID).
	ActionDeviceRemoved Action = "mfa_device_removed"
	// ActionIdentityUnlinked: a social account was unlinked (Object is
	// "provider:uid").
	ActionIdentityUnlinked Action = "identity_unlinked"
	// ActionSessionRevoked: one session ended (Object is its public
	// ID); ActionSessionsRevoked: all of them (Object is the count).
	ActionSessionRevoked  Action = "session_revoked"
	ActionSessionsRevoked Action = "sessions_revoked"
	// ActionLockoutsReset: the user's throttle counters were deleted
	// (Object is the count).
	ActionLockoutsReset Action = "lockouts_reset"
	// ActionMemberRemoved: a member left an organization (OrgChanged's
	// UserID); ActionInvitationRevoked: an open invitation was deleted
	// (Object is its ID).
	ActionMemberRemoved     Action = "member_removed"
	ActionInvitationRevoked Action = "invitation_revoked"
)

// UserChanged is sent after a staff member changed a user through the
// dashboard, for an audit log (who did what, to whom, from where).
type UserChanged struct {
	// Request is the request of the change: its context, client address
	// (auth.Auth's client address logic) and user agent.
	Request *http.Request
	// Actor is the staff member, a copy.
	Actor auth.User
	// Target is the user as it is after the change (before, for
	// ActionDeleted), a copy; its Password is cleared.
	Target auth.User
	// Action is what was done.
	Action Action
	// Fields are the names of the changed fields for ActionChanged, as
	// Django's change message lists them ("username", "is_staff",
	// "groups", "user_permissions"); nil otherwise.
	Fields []string
	// Object names the thing acted on for actions on a part of the user
	// (see the Action constants), "" otherwise.
	Object string
}

// GroupChanged is sent after a staff member added, changed or deleted a
// group.
type GroupChanged struct {
	// Request is the request of the change.
	Request *http.Request
	// Actor is the staff member, a copy.
	Actor auth.User
	// Group is the group after the change (before, for ActionDeleted).
	Group auth.Group
	// Action is ActionAdded, ActionChanged or ActionDeleted.
	Action Action
	// Fields are the changed fields for ActionChanged ("name",
	// "permissions").
	Fields []string
}

// OrgChanged is sent after a staff member changed an organization: it
// was deactivated or activated (ActionChanged, Fields ["is_active"]),
// deleted (ActionDeleted), lost a member (ActionMemberRemoved) or an
// invitation (ActionInvitationRevoked).
type OrgChanged struct {
	// Request is the request of the change.
	Request *http.Request
	// Actor is the staff member, a copy.
	Actor auth.User
	// Org is the organization after the change (before, for
	// ActionDeleted).
	Org orgs.Organization
	// Action is what was done; Fields the changed fields for
	// ActionChanged.
	Action Action
	Fields []string
	// UserID is the removed member for ActionMemberRemoved, else 0.
	UserID int64
	// Object is the removed member's or revoked invitation's ID.
	Object string
}

// Signals are the dashboard's hubs; connect receivers with
// Dashboard.Signals. Receivers run synchronously after the change was
// written, on the request's goroutine; a panicking receiver is recovered
// and logged.
type Signals struct {
	// UserChanged is sent for every change of a user.
	UserChanged auth.Signal[UserChanged]
	// GroupChanged is sent for every change of a group.
	GroupChanged auth.Signal[GroupChanged]
	// OrgChanged is sent for every change of an organization.
	OrgChanged auth.Signal[OrgChanged]
}
