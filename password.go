package auth

import (
	"context"
	"fmt"
)

// SetPassword hashes raw with the configured hashers and stores it as
// user's password (Django's set_password followed by save). Like Django's
// set_password it does not run password validators: flows that take a
// password from a person (sign-up, password change and reset) validate it
// first; see package accounts. user must exist in the store (ID set).
//
// On success user.Password holds the new hash; every session of the user
// then ends on its next request, because its session auth hash no longer
// matches (call UpdateSessionAuthHash to keep the current one). On error
// user is unchanged and nothing was written.
func (a *Auth[U]) SetPassword(ctx context.Context, user *U, raw string) error {
	if user == nil {
		return fmt.Errorf("auth: set password: nil user")
	}
	au := authUserOf(user)
	if au.ID <= 0 {
		return fmt.Errorf("auth: set password of %q: the user has no ID; create it in the store first", au.Username)
	}
	encoded, err := a.hashers.Make(ctx, raw)
	if err != nil {
		return fmt.Errorf("auth: set password of user %d: %w", au.ID, err)
	}
	if err := a.store.SetPassword(ctx, au.ID, encoded); err != nil {
		return fmt.Errorf("auth: set password of user %d: %w", au.ID, err)
	}
	au.Password = encoded
	return nil
}
