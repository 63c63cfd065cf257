package recovery_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
)

func Example() {
	ctx := context.Background()
	codes, err := recovery.New(recovery.Config{Store: recovery.NewMemoryStore(), Count: 8})
	if err != nil {
		panic(err)
	}
	const userID = 42

	// Enrolment: the codes exist in plain text only here.
	dev, shown, err := codes.Generate(ctx, userID)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(shown), "codes like", len(shown[0]), "characters, on", dev.PersistentID)

	// Login: a code works once, however it is typed.
	typed := "  " + shown[0] + " "
	if _, err := codes.VerifyCode(ctx, userID, typed); err == nil {
		fmt.Println("accepted")
	}
	_, err = codes.VerifyCode(ctx, userID, shown[0])
	fmt.Println("again:", errors.Is(err, mfa.ErrInvalidCode))
	left, _ := codes.Remaining(ctx, userID)
	fmt.Println(left, "left")
	// Output:
	// 8 codes like 19 characters, on djauth.recoverydevice/1
	// accepted
	// again: true
	// 7 left
}
