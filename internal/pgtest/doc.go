// Package pgtest gives each test its own throwaway PostgreSQL database.
//
// # Configuration
//
// Tests read the server from AUTH_TEST_DATABASE_URL, for example
//
//	AUTH_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' go test ./store/postgres/...
//
// The URL names a maintenance database on a server where the user may
// CREATE DATABASE. Each call of NewDatabase creates a database with a random
// name on that server and drops it (WITH (FORCE)) when the test ends, so
// tests can run in parallel and leave nothing behind.
//
// # Skipping and failing
//
// When AUTH_TEST_DATABASE_URL is unset the test is skipped with a message
// that says how to enable it, unless CI=true, in which case it fails: a CI
// run must never pass by skipping the database tests. When the variable is
// set but the server cannot be reached the test fails.
package pgtest
