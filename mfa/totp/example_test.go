package totp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/totp"
)

func Example() {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f, err := totp.New(totp.Config{
		Store:  totp.NewMemoryStore(),
		Issuer: "Example",
		Now:    func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	const userID = 7

	// Enrol: a new device, its key URI for the QR code, then a first code.
	dev, err := f.Begin(ctx, userID, "phone")
	if err != nil {
		panic(err)
	}
	uri, err := f.KeyURI(dev, "alice")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(uri, "otpauth://totp/Example%3Aalice?secret="))
	code, _ := dev.CodeAt(now) // what the user's app shows
	if _, err := f.Confirm(ctx, userID, dev.ID, code); err != nil {
		panic(err)
	}

	// Log in 30 seconds later with the next code.
	now = now.Add(30 * time.Second)
	code, _ = dev.CodeAt(now)
	got, err := f.VerifyCode(ctx, userID, code[:3]+" "+code[3:])
	fmt.Println(got.PersistentID, err)

	// The same code again is refused.
	_, err = f.VerifyCode(ctx, userID, code)
	fmt.Println(errors.Is(err, mfa.ErrInvalidCode))
	// Output:
	// true
	// otp_totp.totpdevice/1 <nil>
	// true
}
