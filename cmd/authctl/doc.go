// Command authctl administers a djauth database from the command line, in
// the manner of Django's manage.py.
//
// # Usage
//
//	authctl <command> [flags]
//	authctl help [command]
//
// # Commands
//
// migrate creates Django's auth and contenttypes schema (or verifies the one
// Django made) and djauth's session table:
//
//	authctl migrate --database-url postgres://user@host:5432/app
//
// The URL may also come from DATABASE_URL. The command prints what it did
// and exits 0; it exits 1 with a message when the URL is invalid, the
// server cannot be reached or the schema does not match, and 2 on a usage
// error.
//
// # Adding a command
//
// Each command lives in its own file, which registers it from an init
// function:
//
//	func init() {
//		register("changepassword", "change a user's password", runChangePassword)
//	}
//
// A command function receives the arguments after its name and writes to
// the given writers instead of os.Stdout and os.Stderr, so that tests run
// it in-process.
package main
