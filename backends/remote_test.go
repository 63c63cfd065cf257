package backends_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/backends"
	"github.com/djauth/auth/store/memory"
)

func TestRemoteUserBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New[auth.User]()
	b := backends.NewRemoteUser[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: s, SecretKey: "remote-test-secret-0123456789-abcdefghijklmnopqrs",
		Backends: []auth.Backend[auth.User]{b}})
	require.NoError(t, err)
	defer a.Close()
	assert.True(t, b.CreateUnknownUser)
	u, err := b.Authenticate(ctx, nil, auth.Credentials{"remote_user": "ﬁle"})
	require.NoError(t, err)
	assert.Equal(t, "ﬁle", u.Username, "stored as given, like get_or_create")
	assert.True(t, u.IsActive)
	again, err := b.Authenticate(ctx, nil, auth.Credentials{"remote_user": "ﬁle"})
	require.NoError(t, err)
	assert.Equal(t, u.ID, again.ID)
	for _, c := range []auth.Credentials{{}, {"remote_user": ""}, {"username": "x", "password": "y"}} {
		u, err := b.Authenticate(ctx, nil, c)
		require.NoError(t, err)
		assert.Nil(t, u)
	}
	_, err = b.Authenticate(ctx, nil, auth.Credentials{"remote_user": strings.Repeat("x", 151)})
	assert.ErrorIs(t, err, auth.ErrPermissionDenied, "a name the schema cannot hold stops the chain")

	b.ConfigureUser = func(context.Context, *http.Request, *auth.User, bool) (*auth.User, error) {
		return nil, fmt.Errorf("directory down")
	}
	_, err = b.Authenticate(ctx, nil, auth.Credentials{"remote_user": "ﬁle"})
	assert.ErrorContains(t, err, "directory down")
}

// A RemoteUser that must create users needs a store that can.
func TestRemoteUserBindNeedsCreateUser(t *testing.T) {
	t.Parallel()
	_, err := auth.New(auth.Config[auth.User]{Store: readOnly{memory.New[auth.User]()},
		SecretKey: "remote-test-secret-0123456789-abcdefghijklmnopqrs",
		Backends:  []auth.Backend[auth.User]{backends.NewRemoteUser[auth.User]()}})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "CreateUser")
}

// readOnly is a store with only the methods an Auth needs.
type readOnly struct{ auth.RequestStore[auth.User] }
