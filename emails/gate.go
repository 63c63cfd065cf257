package emails

import (
	"context"
	"fmt"

	auth "github.com/djauth/auth"
)

// MsgUnverified is the reason a Gate gives.
const MsgUnverified = "Your email address has not been verified yet. Follow the link or type the code in the mail we sent you, or ask for a new one."

// Gate is an auth.LoginGate that refuses a user without a verified email
// address (allauth's ACCOUNT_EMAIL_VERIFICATION = "mandatory"). Set it as
// auth.Config.LoginGate; every login path then respects it. A store that
// cannot answer refuses the login (fail closed).
type Gate[U any] struct {
	// Manager answers whether a user has a verified address.
	Manager *Manager
	// URL is the page that explains the refusal and offers to resend the
	// mail (package accounts mounts it: Manager.VerificationRequiredURL).
	URL string
}

// AllowLogin implements auth.LoginGate.
func (g *Gate[U]) AllowLogin(ctx context.Context, user *U) error {
	if g == nil || g.Manager == nil {
		return fmt.Errorf("emails: Gate without a Manager")
	}
	ok, err := g.Manager.Verified(ctx, auth.UserOf(user).ID)
	if err != nil {
		return fmt.Errorf("emails: gate: %w", err)
	}
	if !ok {
		return &auth.LoginRefusedError{Reason: MsgUnverified, URL: g.URL}
	}
	return nil
}
