package accounts_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// A reset link mailed to a verified address that is not the user table's
// email works: the token is made from the user as stored, and only the
// mail goes to the verified address.
func TestResetToVerifiedSecondaryAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opt, store := withEmails(t, false)
	e := newEnv(t, opt)
	ann := e.createUser("ann", "password", mailTo("ann@example.com"))
	a, _, err := (*store).AddAddress(ctx, ann.ID, "ann.work@example.com")
	require.NoError(t, err)
	_, err = (*store).VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	c := e.client()
	link := e.resetLink(c, "ann.work@example.com")
	resp := c.get(link)
	require.Equal(t, http.StatusFound, resp.StatusCode, "the link of a mail to %s confirms", a.Email)
}
