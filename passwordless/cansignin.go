package passwordless

import (
	"context"
	"errors"
	"fmt"

	auth "github.com/djauth/auth"
)

// CanSignIn reports whether the user userID could log in by email now:
// the user is active and one of their addresses (the user table's email,
// or with Config.Emails a verified address) leads to them alone, as Start
// finds users. Package social asks it before it lets a user remove the
// last linked identity of an account without a usable password.
func (b *Backend[U]) CanSignIn(ctx context.Context, userID int64) (bool, error) {
	if b.a == nil {
		return false, errors.New("passwordless: CanSignIn: the Backend is not bound to an Auth (auth.New binds it)")
	}
	u, err := b.a.Store().GetUser(ctx, userID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("passwordless: get user %d: %w", userID, err)
	}
	au := auth.UserOf(u)
	if !au.IsActive {
		return false, nil
	}
	var candidates []string
	if b.cfg.Emails != nil {
		addrs, err := b.cfg.Emails.Store().UserAddresses(ctx, userID)
		if err != nil {
			return false, fmt.Errorf("passwordless: user addresses: %w", err)
		}
		for _, a := range addrs {
			if a.Verified {
				candidates = append(candidates, a.Email)
			}
		}
	} else if au.Email != "" {
		candidates = append(candidates, au.Email)
	}
	for _, email := range candidates {
		found, _, err := b.findUser(ctx, email)
		if err != nil {
			return false, err
		}
		if found != nil && auth.UserOf(found).ID == userID {
			return true, nil
		}
	}
	return false, nil
}
