package social

import (
	"context"
	"errors"
	"fmt"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
)

// maxUsernameBase leaves room for a suffix within auth_user.username's
// 150 characters.
const maxUsernameBase = 30

// UsernameFor derives a username from an identity, as allauth's
// populate_username does: the provider's user name, else the local part
// of the email, else the first name, else "user", reduced to the
// characters Django's username validator allows (ASCII letters, digits
// and @.+-_) and at most 30 characters.
func UsernameFor(id *Identity) string {
	local, _, _ := strings.Cut(id.Email, "@")
	for _, c := range []string{id.Username, local, id.FirstName} {
		if n := cleanUsername(c); n != "" {
			return n
		}
	}
	return "user"
}

func cleanUsername(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@.+-_", c) {
			b.WriteRune(c)
		}
		if b.Len() >= maxUsernameBase {
			break
		}
	}
	return strings.Trim(b.String(), ".")
}

// freeUsername returns a username no user has, compared
// case-insensitively so that a new account cannot look like an old one:
// the derived name on the first attempt, then the name with a random
// suffix.
func (s *Social[U]) freeUsername(ctx context.Context, get func(context.Context, string) (*U, error), id *Identity, attempt int) (string, error) {
	base := UsernameFor(id)
	for i := 0; i < 10; i++ {
		name := base
		if attempt > 0 || i > 0 {
			name = base + hashers.RandomString(5)
		}
		_, err := get(ctx, name)
		switch {
		case errors.Is(err, auth.ErrUserNotFound):
			return name, nil
		case err != nil && !errors.Is(err, auth.ErrMultipleUsers):
			return "", fmt.Errorf("social: look up username: %w", err)
		}
	}
	return "", errors.New("social: no free username")
}
