package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/throttle"
)

// MFADevices lists and removes users' second factors (Config.MFA). Use
// FlowDevices for the factors of an *mfa.Flow.
type MFADevices interface {
	// Devices returns the user's confirmed devices.
	Devices(ctx context.Context, userID int64) ([]mfa.Device, error)
	// RemoveDevice deletes the user's device id of the factor kind, or
	// returns an error wrapping mfa.ErrNoDevice when the user has none.
	RemoveDevice(ctx context.Context, userID int64, kind string, id int64) error
}

// Identities lists and unlinks the social accounts of users
// (Config.Identities). package social's Store (its memory store,
// store/postgres's SocialStore) implements it.
type Identities interface {
	// ListAccounts returns the user's linked accounts.
	ListAccounts(ctx context.Context, userID int64) ([]social.Account, error)
	// DeleteAccount deletes the account with the id.
	DeleteAccount(ctx context.Context, id int64) error
}

// Lockouts shows and resets the failure counters of package throttle
// (Config.Lockouts); a *throttle.Limiter implements it.
type Lockouts interface {
	// Lockouts returns every counter that has not expired.
	Lockouts(ctx context.Context) ([]throttle.Lockout, error)
	// Reset deletes the counters of value of kind in every scope.
	Reset(ctx context.Context, kind throttle.Kind, value string) (int, error)
}

// PasswordResetter makes password reset links for users
// (Config.PasswordReset); *accounts.Manager implements it, with the
// tokens, site and pages of its reset mails. When the value also has
// SendPasswordReset(r, user) error (accounts.Manager does), the page
// offers to mail the link to the user instead.
type PasswordResetter interface {
	// PasswordResetLink returns an absolute one-time reset URL for user.
	PasswordResetLink(r *http.Request, user *auth.User) (string, error)
}

// Organizations lists and changes organizations (Config.Orgs): the part
// of orgs.Store the organization pages use. orgs.MemoryStore and
// postgres.OrgStore implement it.
type Organizations interface {
	// ListOrganizations returns a page of organizations ordered by name
	// and the number matching o.Search.
	ListOrganizations(ctx context.Context, o orgs.ListOptions) ([]orgs.Organization, int, error)
	// Organization returns the organization, or orgs.ErrNotFound.
	Organization(ctx context.Context, id int64) (orgs.Organization, error)
	// UpdateOrganization saves the name, slug and is_active.
	UpdateOrganization(ctx context.Context, org orgs.Organization) error
	// DeleteOrganization removes the organization and all it holds.
	DeleteOrganization(ctx context.Context, id int64) error
	// Members returns the members ordered by user ID.
	Members(ctx context.Context, orgID int64) ([]orgs.Member, error)
	// MemberRoles returns a member's roles, ordered by name.
	MemberRoles(ctx context.Context, orgID, userID int64) ([]orgs.Role, error)
	// Roles returns the organization's roles ordered by name.
	Roles(ctx context.Context, orgID int64) ([]orgs.Role, error)
	// Invitations returns the open invitations, newest first.
	Invitations(ctx context.Context, orgID int64) ([]orgs.Invitation, error)
	// RemoveMember ends a membership (orgs.ErrOwnerRequired for the
	// owner).
	RemoveMember(ctx context.Context, orgID, userID int64) error
	// RevokeInvitation deletes an open invitation.
	RevokeInvitation(ctx context.Context, orgID, invitationID int64) error
	// UserOrganizations returns the user's organizations and
	// memberships.
	UserOrganizations(ctx context.Context, userID int64) ([]orgs.Organization, []orgs.Member, error)
}

// AuditLog reads the audit log (Config.Audit); audit.Store
// (audit.MemoryStore, postgres.AuditStore) implements it.
type AuditLog interface {
	// List returns the entries matching q, newest first, and their
	// total.
	List(ctx context.Context, q audit.Query) ([]audit.Entry, int, error)
}

// resetMailer is the optional ability of a PasswordResetter to queue the
// reset mail itself.
type resetMailer interface {
	SendPasswordReset(r *http.Request, user *auth.User) error
}

// FlowDevices returns the MFADevices of the factors of f: Devices lists
// f.Devices, and RemoveDevice removes one TOTP device or passkey (a
// factor with Remove(ctx, userID, id)), or every recovery code of the
// user for the recovery factor (a factor with Remove(ctx, userID)), whose
// codes are one device. Unlike the user's own MFA pages, it may remove a
// user's last factor: an administrator does that for a user who lost
// every device (authctl mfa reset), and the user enrols again.
func FlowDevices[U any](f *mfa.Flow[U]) MFADevices { return flowDevices[U]{f} }

type flowDevices[U any] struct{ f *mfa.Flow[U] }

func (d flowDevices[U]) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	return d.f.Devices(ctx, userID)
}

func (d flowDevices[U]) RemoveDevice(ctx context.Context, userID int64, kind string, id int64) error {
	devs, err := d.f.Devices(ctx, userID)
	if err != nil {
		return err
	}
	found := false
	for _, dev := range devs {
		if dev.Factor == kind && dev.ID == id {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("dashboard: device %s/%d of user %d: %w", kind, id, userID, mfa.ErrNoDevice)
	}
	switch fa := d.f.Factor(kind).(type) {
	case interface {
		Remove(ctx context.Context, userID, id int64) error
	}:
		return fa.Remove(ctx, userID, id)
	case interface {
		Remove(ctx context.Context, userID int64) error
	}:
		return fa.Remove(ctx, userID)
	}
	return fmt.Errorf("dashboard: the factor %q cannot remove devices: %w", kind, errors.ErrUnsupported)
}
