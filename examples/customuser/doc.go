// Customuser shows a custom user type flowing through djauth: a struct that
// embeds auth.User by value and adds a phone number, created, read, updated
// and listed through a store, and granted a permission that auth.Auth then
// checks.
//
//	go run ./examples/customuser                          # in-memory store
//	go run ./examples/customuser -database-url postgres://...
//
// # PostgreSQL
//
// With -database-url (or $DATABASE_URL) the example migrates the database
// with postgres.Migrate, which creates Django's auth_user table or finds
// the one Django made, and then applies its own migration, which adds the
// column of the extra field:
//
//	ALTER TABLE auth_user ADD COLUMN IF NOT EXISTS phone_number varchar(32) NOT NULL DEFAULT ''
//
// The store maps the field to that column through its db tag. Running the
// example twice is harmless: existing users are found, not created again.
package main
