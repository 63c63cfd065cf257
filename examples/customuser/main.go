package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
)

// MyUser is the app's user: Django's fields plus a phone number, stored in
// the phone_number column that addPhoneNumber adds to auth_user.
type MyUser struct {
	auth.User
	PhoneNumber string `db:"phone_number"`
}

// addPhoneNumber is the app's own migration for MyUser's extra field. Django
// would write it as a migration of the app that owns the custom model.
const addPhoneNumber = `ALTER TABLE auth_user ADD COLUMN IF NOT EXISTS phone_number varchar(32) NOT NULL DEFAULT ''`

// maxPhoneNumberLength is the width of the phone_number column.
const maxPhoneNumberLength = 32

func main() {
	dbURL := flag.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (default $DATABASE_URL; empty: in-memory store)")
	flag.Parse()
	if err := run(context.Background(), *dbURL, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "customuser:", err)
		os.Exit(1)
	}
}

// run opens the store that dbURL names (memory when empty), migrates a
// PostgreSQL database, and runs the demonstration.
func run(ctx context.Context, dbURL string, out io.Writer) error {
	if dbURL == "" {
		return demo(ctx, memory.New[MyUser](), out)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer pool.Close()
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := pool.Exec(ctx, addPhoneNumber); err != nil {
		return fmt.Errorf("add the phone_number column: %w", err)
	}
	store, err := postgres.New[MyUser](pool, postgres.Options{})
	if err != nil {
		return err
	}
	return demo(ctx, store, out)
}

// validatePhone checks the extra field as the app's form would; the
// store checks only Django's own fields.
func validatePhone(phone string) error {
	if msg := auth.MaxLengthMessage(phone, maxPhoneNumberLength); msg != "" {
		return &auth.ValidationError{Field: "PhoneNumber", Code: "max_length", Message: msg}
	}
	return nil
}

// getOrCreate returns the user with the username, creating it with the
// phone number when it does not exist yet.
func getOrCreate(ctx context.Context, store auth.Store[MyUser], h *hashers.Registry, username, first, last, phone string, out io.Writer) (*MyUser, error) {
	u, err := store.GetUserByUsername(ctx, username)
	if err == nil {
		fmt.Fprintf(out, "found   %s\n", u.Username)
		return u, nil
	}
	if !errors.Is(err, auth.ErrUserNotFound) {
		return nil, err
	}
	if err := validatePhone(phone); err != nil {
		return nil, err
	}
	nu := MyUser{User: auth.NewUser(username), PhoneNumber: phone}
	nu.FirstName, nu.LastName = first, last
	nu.Password = h.MakeUnusable() // Django's create_user without a password
	if err := store.CreateUser(ctx, &nu); err != nil {
		return nil, fmt.Errorf("create %s: %w", username, err)
	}
	fmt.Fprintf(out, "created %s (phone %q)\n", nu.Username, nu.PhoneNumber)
	return &nu, nil
}

// demo creates, updates, reads and lists MyUsers, grants one a permission
// and checks it through auth.Auth, printing each step.
func demo(ctx context.Context, store auth.Store[MyUser], out io.Writer) error {
	h := hashers.Default()
	if _, err := auth.Register(ctx, store, auth.ModelSpec{AppLabel: "reports", Model: "report"}); err != nil {
		return err
	}
	carol, err := getOrCreate(ctx, store, h, "carol", "Carol", "Jones", "+1 555 0100", out)
	if err != nil {
		return err
	}
	dave, err := getOrCreate(ctx, store, h, "dave", "Dave", "Smith", "", out)
	if err != nil {
		return err
	}

	// Update the extra field like any other: UpdateUser writes every column.
	carol.PhoneNumber = "+44 20 7946 0000"
	if err := validatePhone(carol.PhoneNumber); err != nil {
		return err
	}
	if err := store.UpdateUser(ctx, carol); err != nil {
		return fmt.Errorf("update carol: %w", err)
	}
	got, err := store.GetUser(ctx, carol.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "read    %s: %s, phone %q\n", got.Username, got.FullName(), got.PhoneNumber)

	users, err := store.ListUsers(ctx, auth.UserQuery{Search: "a"})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "users matching \"a\":")
	for _, u := range users {
		phone := u.PhoneNumber
		if phone == "" {
			phone = "(none)"
		}
		fmt.Fprintf(out, "  %-6s %-12s %s\n", u.Username, u.FullName(), phone)
	}

	const perm = "reports.view_report"
	if err := store.AddUserPermissions(ctx, carol.ID, perm); err != nil {
		return err
	}
	fmt.Fprintf(out, "granted %s to carol\n", perm)

	// The request side is generic too: Auth[MyUser] answers for *MyUser.
	a, err := auth.New(auth.Config[MyUser]{
		Store:     store,
		Hashers:   h,
		SecretKey: hashers.RandomString(50),
	})
	if err != nil {
		return err
	}
	defer func() { _ = a.Close() }()
	for _, u := range []*MyUser{carol, dave} {
		ok, err := a.HasPerm(ctx, u, perm, nil)
		if err != nil {
			return err
		}
		all, err := a.UserPermissions(ctx, u, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s has %s: %t (permissions: [%s])\n", u.Username, perm, ok, strings.Join(all.Sorted(), " "))
	}
	return nil
}
