// Command authctl administers a djauth database from the command line, in
// the manner of Django's manage.py.
//
// # Usage
//
//	authctl <command> [flags]
//	authctl help [command]
//
// In your own module, add it as a tool (Go 1.24+) and run it with go tool;
// "go run github.com/djauth/auth/cmd/authctl" fails there, because your
// go.sum has no entries for authctl's dependencies:
//
//	go get -tool github.com/djauth/auth/cmd/authctl@latest
//	go tool authctl help
//
// # Commands
//
// Every command takes --database-url (default $DATABASE_URL) and, except
// migrate, --timeout (default 1m: the limit for connecting and for each
// statement). Flags may come before or after the positional arguments.
//
// The commands that touch users (all but migrate, clearsessions, lockouts and mfa policy) take
// --user-table (default $DJAUTH_USER_TABLE, else auth_user) for a Django
// project whose AUTH_USER_MODEL is a custom model: "accounts_user" for
// accounts.User. Its memberships are then in accounts_user_groups and
// accounts_user_user_permissions, as Django names them, and
// --user-id-column (default $DJAUTH_USER_ID_COLUMN, else user_id) names
// their user column, which Django derives from the model name.
//
//	migrate [--app APP]...         create or verify the schema (and Django apps' tables), add the default permissions
//	createsuperuser                create a superuser (Django's createsuperuser)
//	createuser                     create an ordinary user (djauth's addition)
//	changepassword [USERNAME]      change a password (Django's changepassword)
//	group create NAME              create a group
//	group delete NAME              delete a group and its memberships and grants
//	group list                     print the group names, sorted
//	group grant NAME PERM...       grant permissions to a group
//	group revoke NAME PERM...      revoke permissions from a group
//	user grant USERNAME PERM...    grant permissions to a user directly
//	user revoke USERNAME PERM...   revoke a user's direct permissions
//	user add-group USERNAME GROUP...     put a user in groups
//	user remove-group USERNAME GROUP...  take a user out of groups
//	user perms USERNAME            print the user's effective permissions, sorted
//	perms list [APP]               print the permissions as NAME<TAB>DESCRIPTION
//	clearsessions                  delete expired sessions from djauth_session
//	lockouts list                  print the login throttling counters (djauth_throttle)
//	lockouts reset [--username U] [--address A]  end a lockout or delay
//	sessions list USERNAME         print a user's sessions by public ID (djauth_session, or Redis with --redis-url)
//	sessions revoke USERNAME (--id ID | --all)  log out one or every session of a user
//	mfa list USERNAME              print a user's second factor devices of every kind
//	mfa remove USERNAME KIND ID    remove one device (totp, recovery, static, passkey)
//	mfa reset USERNAME [--yes]     remove every factor and restart the grace period
//	mfa policy show                print who must use a second factor
//	mfa policy set FLAGS...        replace the policy (--superusers, --group NAME, --grace 168h, --none)
//	orgs list|create|show|delete   organizations (django-organizations' tables; needs migrate --app organizations)
//	orgs members SLUG list|add|remove|admin|transfer  members, admins and the owner
//	orgs invite SLUG EMAIL --by USERNAME [--role R]... [--admin]  print an invitation's accept link path
//	orgs invitations SLUG list|revoke ID  open invitations
//	orgs roles SLUG list|create|delete|perms|assign|unassign  roles: groups that grant only in their organization
//
// Permissions are named "app_label.codename", as in Django's has_perm.
// "authctl help COMMAND" prints the flags and details of a command.
//
// migrate is the only command that changes the schema. It creates Django's
// auth and contenttypes tables (or verifies the ones Django made), djauth's
// session table, and, as Django's post-migrate step does, the default
// permissions of the auth and contenttypes models; each --app adds a Django
// app's tables as its migrations make them ("--app organizations" for the
// orgs commands). The other commands fail
// with "the database has no TABLE table: run "authctl migrate" first" when
// the tables they need are missing.
//
// # Creating users
//
// createsuperuser follows Django's command. Interactively it asks for the
// username (offering the OS user name when it is a valid, free username),
// the email address and the password twice, hidden when stdin is a
// terminal. Django's password validators (validation.Default) run with the
// user's attributes; when they reject the password their messages are
// printed and "Bypass password validation and create user anyway? [y/N]:"
// is asked. Blank and mismatched passwords are asked again.
//
// With --noinput nothing is asked and, as in Django, the validators do not
// run:
//
//	DJANGO_SUPERUSER_PASSWORD=... authctl createsuperuser --noinput --username admin --email admin@example.com
//
// The username may come from DJANGO_SUPERUSER_USERNAME and the email from
// DJANGO_SUPERUSER_EMAIL; the email is required but may be empty. Without
// DJANGO_SUPERUSER_PASSWORD the user gets an unusable password; unlike
// Django, an empty DJANGO_SUPERUSER_PASSWORD also means no password (Django
// would make the empty string a working password).
//
// createuser makes an active user that is not a superuser (--staff makes it
// staff). It asks as createsuperuser does, or reads the password from the
// first line of stdin with --password-stdin (the validators must accept
// it), or gives an unusable password with --noinput.
//
// Usernames are NFKC-normalised and must pass Django's username rule; the
// domain of the email is lowercased; passwords are hashed with
// hashers.Default(), which Django verifies.
//
// changepassword asks for the new password twice, runs the validators and
// gives up after three failed attempts, with Django's messages ("Passwords
// do not match. Please try again.", "Aborting password change for user 'x'
// after 3 attempts"). An empty answer aborts.
//
// # Input and output
//
// Prompts go to stderr, results to stdout. When stdin is not a terminal the
// answers, passwords included, are read as lines from stdin, so that a
// script or a test can drive the interactive commands (Django instead
// skips createsuperuser outside a terminal). Ctrl-C at a prompt prints
// "Operation cancelled." and exits 1.
//
// Success messages, one a line on stdout:
//
//	Superuser created successfully.
//	User created successfully.
//	Changing password for user 'x' / Password changed successfully for user 'x'
//	Group 'x' created. / Group 'x' deleted.
//	Granted app.perm to group 'x'. / Revoked app.perm from user 'x'.
//	Added user 'x' to group 'y'. / Removed user 'x' from group 'y'.
//	Deleted N expired sessions.
//
// Failures are one line on stderr, "authctl COMMAND: MESSAGE", with
// Django's message where Django has one ("authctl createsuperuser: Error:
// That username is already taken.", "authctl changepassword: user 'x' does
// not exist"). An unknown user, group or permission names the first one
// that is unknown ("permission 'auth.nope' does not exist") and nothing is
// changed.
//
// # Exit status
//
//	0  success
//	1  failure: the message is on stderr; a failed command has changed nothing
//	2  usage error: unknown command or flag, missing or extra arguments,
//	   no database URL
//
// # Adding a command
//
// Each command (or command group) lives in its own file, which registers it
// from an init function:
//
//	func init() {
//		register("changepassword", "change a user's password", runChangePassword)
//	}
//
// A command function receives the arguments after its name and an env that
// holds stdin, stdout, stderr, the environment, the OS user name and the
// hidden-input reader, so that tests run it in-process with fakes.
package main
