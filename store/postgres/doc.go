// Package postgres stores djauth's users, groups and permissions in
// PostgreSQL using Django's own schema, so that a Go service and a Django
// project can share one live database.
//
// # Schema
//
// Migrate creates exactly the tables that Django's migrations contenttypes
// 0001-0002 and auth 0001-0012 create (django_content_type,
// auth_permission, auth_group, auth_group_permissions, auth_user,
// auth_user_groups, auth_user_user_permissions) with Django's column types,
// constraint names, "_like" pattern indexes and DEFERRABLE INITIALLY
// DEFERRED foreign keys, and records those migrations in django_migrations
// so that Django's "manage.py migrate" has nothing left to do. Primary keys
// are identity columns, as Django 4.1 and later make them; the ids of the
// many-to-many tables are bigint, as in every project whose
// DEFAULT_AUTO_FIELD is BigAutoField (the startproject default since
// Django 3.2).
//
// On a database that Django migrated, Migrate changes nothing in those
// tables: it checks that they and their columns exist and that the
// migrations are recorded. Schemas made by Django before 4.1 (serial ids),
// projects with integer many-to-many ids and projects with a custom
// AUTH_USER_MODEL (no auth_user tables; see Custom users) are recognised
// and work unchanged.
//
// djauth's own tables (djauth_session, djauth_throttle, djauth_recovery_device
// and djauth_recovery_code of RecoveryStore, djauth_passkey and
// djauth_passkey_user of PasskeyStore, djauth_mfa_policy and
// djauth_mfa_required_since of MFAPolicyStore, djauth_passwordless of
// PasswordlessStore, djauth_audit of AuditStore, with DjangoSessions
// djauth_django_session_user, and with DjangoOrganizations the djauth_org_*
// tables of OrgStore's roles and invitation tokens) are recorded in
// djauth_migrations, never in
// django_migrations. Migrate runs in one transaction under an
// advisory lock and is safe to run from several processes at once.
//
// The tables of other Django apps are created, with those apps' own SQL,
// when their DjangoApp is passed to Migrate, and recorded in
// django_migrations as Django records them: DjangoSessions
// (django_session, DjangoSessionStore), DjangoOTPTOTP and DjangoOTPStatic
// (django-otp's devices, TOTPStore and DjangoStaticStore), DjangoSites
// (django_site with the default site) and DjangoSocialAccount
// (django-allauth 0.51's socialaccount tables, SocialStore; it brings
// DjangoSites first) and DjangoOrganizations (django-organizations 2.1's
// four tables, OrgStore).
//
// # Querier and transactions
//
// New and NewSessionStore take a Querier, which *pgxpool.Pool, *pgx.Conn
// and pgx.Tx all satisfy. Writes that touch several rows run in a
// transaction started with Begin, which is a savepoint when the Querier is
// already the caller's transaction, so a whole request can commit or roll
// back as one.
//
// # Custom users
//
// The user type is auth.User or a struct that embeds it by value. Fields
// map to columns as in pgx's RowToAddrOfStructByName: the db tag names
// the column, an untagged exported field maps to its lowercased name,
// `db:"-"` skips a field and value-embedded structs are flattened. New
// rejects two fields with one column and pointer embeds. Extra fields are
// columns the app adds to auth_user with its own migration, or columns of
// its own user table:
//
//   - Options.UserTable names the table of user rows, as Django's
//     AUTH_USER_MODEL does ("accounts_user" for accounts.User).
//   - Options.UserGroupsTable and Options.UserPermissionsTable name the
//     membership tables, and Options.UserIDColumn their user column.
//     They default to auth_user_groups, auth_user_user_permissions and
//     user_id; for a custom model Django names them
//     "<user table>_groups" and "<user table>_user_permissions".
//   - Migrate creates only Django's default auth_user; the custom tables
//     are the app's (Django's) to create. On a database where Django made
//     them, Migrate reports Report.CustomUserModel and adds no auth_user.
//   - A unique violation maps to auth.ErrDuplicateUsername when the
//     constraint's name contains "username", as Django's names do.
//
// # Errors
//
// Errors are translated at the boundary: no row becomes the not-found
// sentinel of the method (auth.ErrUserNotFound, ...), a unique violation
// becomes auth.ErrDuplicateUsername, auth.ErrDuplicateGroupName or
// auth.ErrDuplicatePermission, and every error is wrapped with what was
// being done ("postgres: get user 7: auth: user not found"). Input is
// validated before anything is sent; a membership write naming an unknown
// user, group or permission writes nothing.
//
// # Round trips
//
// UserPermissionSet, GroupPermissionSet and GetUserWithPermissions each
// send one query; GetUserWithPermissions returns the user and both
// permission sets from a single SELECT with two ARRAY subqueries.
// UsersWithPermission is one query implementing Django's with_perm. The
// list methods send a second query only when the list is empty, to tell an
// unknown owner from one without members.
//
// # Finding users by email
//
// UserQuery.Email is Django's email__iexact on PostgreSQL,
// upper("email") = upper($1), the query behind a password reset. Django
// creates no index on auth_user.email, and Migrate adds nothing to
// Django's tables, so the lookup is a sequential scan: one query that
// returns only the matching rows, but whose cost grows with the number of
// users. A project with many users can add, in its own
// migration (Django's or its own SQL), an expression index that
// PostgreSQL uses for exactly this comparison:
//
//	CREATE INDEX auth_user_upper_email ON auth_user (upper(email));
//
// It changes no column, so Django and this package read and write the
// table as before. Which code points upper() maps, and so which
// addresses match, depends on the database's LC_CTYPE; under C.UTF-8 it
// agrees with Go's unicode.ToUpper for every code point, which is what
// the memory store uses.
//
// # Sessions
//
// SessionStore keeps scs sessions in djauth_session and implements
// scs.Store, scs.CtxStore and scs.IterableCtxStore, and auth's
// SessionUpdater, SessionRenewer and SessionIndexer: the user_id column
// (migration 0003_session_user) is set by the same statement that saves
// the data, so that auth.Auth.UserSessions can list a user's sessions. Its
// cleanup goroutine is started by NewSessionStore and stopped by Close.
//
// A session store made by Store.NewSessionStore also knows the user store:
// inside auth.Auth.Middleware it finds the session with one SELECT that
// joins djauth_session.user_id to the user row (read with the store's
// column mapping and tables), both permission arrays and the user's group
// names, and hands that row to the request through auth.SessionUserSlot.
// An authenticated request then costs one round trip for session, user,
// permissions and auth.RequestUser.GroupNames.
// The row is used only when the session's _auth_user_id names the same
// user and its backend is the Auth's ModelBackend over this store; the
// session auth hash, fallback keys and the inactive check run on it as on
// a user loaded by GetUserWithPermissions. Nothing is cached across
// requests.
package postgres
