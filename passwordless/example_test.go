package passwordless_test

import (
	"fmt"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/store/memory"
)

// A Backend goes into auth.Config.Backends beside the ModelBackend; the
// sessions it logs in name it.
func Example() {
	pl, err := passwordless.New[auth.User](passwordless.Config{
		Store:  passwordless.NewMemoryStore(),
		Mailer: new(mail.Outbox),
	})
	if err != nil {
		panic(err)
	}
	defer pl.Close()
	a, err := auth.New(auth.Config[auth.User]{
		Store:     memory.New[auth.User](),
		SecretKey: testSecret,
		Backends:  []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, pl},
	})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	fmt.Println(a.Backend(passwordless.Name) != nil, pl.Timeout(), pl.CodeLength(), pl.Bound())
	// Output: true 15m0s 8 true
}
