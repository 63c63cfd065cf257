package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MyUser is an application's user: Django's fields plus a column the app
// adds to auth_user with its own migration.
type MyUser struct {
	auth.User
	PhoneNumber string `db:"phone_number"`
}

// This example needs a database, so it is compiled but not run.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	store, err := postgres.New[MyUser](pool, postgres.Options{})
	if err != nil {
		log.Fatal(err)
	}
	u := MyUser{User: auth.NewUser("alice"), PhoneNumber: "+44 20 7946 0958"}
	if err := store.CreateUser(ctx, &u); err != nil {
		log.Fatal(err)
	}
	got, perms, err := store.GetUserWithPermissions(ctx, u.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Username, got.PhoneNumber, perms.User.Union(perms.Group).Sorted())
}

// This example needs a database, so it is compiled but not run.
func ExampleMigrate() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	rep, err := postgres.Migrate(ctx, pool)
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range rep.Lines() {
		fmt.Println(line)
	}
}

// Report.Lines describes a Migrate run for a person.
func ExampleReport_Lines() {
	rep := postgres.Report{SerialIDs: true, Applied: []string{"0001_session"}}
	for _, line := range rep.Lines() {
		fmt.Println(line)
	}
	// Output:
	// found existing Django schema (serial ids), left unchanged
	// applied: djauth.0001_session
}

// This example needs a database, so it is compiled but not run.
func ExampleNewSessionStore() {
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	sessions, err := postgres.NewSessionStore(pool, postgres.SessionStoreOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer sessions.Close()
	// Use it as scs's store: sessionManager.Store = sessions
}

// A session store tied to the user store: inside the Auth's Middleware an
// authenticated request reads its session, user and permissions in one
// statement. This example needs a database, so it is compiled but not run.
func ExampleStore_NewSessionStore() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	store, err := postgres.New[MyUser](pool, postgres.Options{})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := store.NewSessionStore(postgres.SessionStoreOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer sessions.Close()
	a, err := auth.New(auth.Config[MyUser]{
		Store:     store,
		Sessions:  auth.SessionConfig{Store: sessions},
		SecretKey: os.Getenv("SECRET_KEY"),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	fmt.Println(a.Sessions().Cookie.Name)
}
