package passkey

import (
	"context"
	"errors"
	"fmt"
)

// CanSignIn reports whether the user userID could sign in with a passkey
// alone now: passwordless sign-in is on (Config.NoPasswordless is off and
// the Passkeys knows the active users), the user is active and has a
// passkey. Every passkey is registered as a discoverable credential
// (BeginRegistration requires a resident key), so each one can. Package
// social asks it before it lets a user remove the last linked identity of
// an account without a usable password.
func (p *Passkeys) CanSignIn(ctx context.Context, userID int64) (bool, error) {
	active, err := p.activeCheck()
	if errors.Is(err, ErrPasswordlessDisabled) || errors.Is(err, ErrNotBound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	creds, err := p.store.Credentials(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("passkey: credentials of %d: %w", userID, err)
	}
	if len(creds) == 0 {
		return false, nil
	}
	ok, err := active(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("passkey: active user %d: %w", userID, err)
	}
	return ok, nil
}
