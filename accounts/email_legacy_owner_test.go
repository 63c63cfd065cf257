package accounts_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A Django user whose address is only in auth_user.email (no
// account_emailaddress row yet) keeps it: another account cannot add it
// from the email page (same answer as a new address; the owner is told
// instead), and ann can still record it herself.
func TestEmailAddOfAnotherUsersColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opt, store := withEmails(t, false)
	e := newEnv(t, opt)
	ann := e.createUser("ann", "password", mailTo("ann@example.com"))
	e.createUser("mallory", "password")
	c := e.client()
	c.login("mallory", "password")
	resp := c.post("/accounts/email/", url.Values{"action": {"add"}, "email": {"ann@example.com"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	e.settle()
	as, err := (*store).FindAddresses(ctx, "ann@example.com")
	require.NoError(t, err)
	require.Empty(t, as, "no row for mallory")
	msgs := e.outbox.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"ann@example.com"}, msgs[0].To)
	require.False(t, strings.Contains(msgs[0].Text, "confirm-email/"), "the owner gets a notice, not a confirmation link:\n%s", msgs[0].Text)
	_, _, err = (*store).AddAddress(ctx, ann.ID, "ann@example.com")
	require.NoError(t, err, "ann can record her own address")
}
