package passkey_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/alexedwards/scs/v2"

	"github.com/djauth/auth/mfa/passkey"
)

// A ceremony begun in a session is finished once: a response that fails
// verification uses it up, and a second finish finds nothing.
func Example() {
	sessions := scs.New()
	p, err := passkey.New(passkey.Config{
		RPID:      "localhost",
		RPOrigins: []string{"http://localhost:8000"},
		Store:     passkey.NewMemoryStore(),
		Sessions:  sessions,
	})
	if err != nil {
		panic(err)
	}
	ctx, _ := sessions.Load(context.Background(), "") // as Auth.Middleware does
	opts, err := p.BeginRegistration(ctx, 7, "alice", "Alice")
	if err != nil {
		panic(err)
	}
	fmt.Println(opts.Response.RelyingParty.ID, opts.Response.User.Name, *opts.Response.AuthenticatorSelection.RequireResidentKey)

	_, err = p.FinishRegistration(ctx, 7, "laptop", []byte(`{}`))
	fmt.Println(errors.Is(err, passkey.ErrVerification))
	_, err = p.FinishRegistration(ctx, 7, "laptop", []byte(`{}`))
	fmt.Println(errors.Is(err, passkey.ErrNoCeremony))
	// Output:
	// localhost alice true
	// true
	// true
}
