package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A DjangoApp names a Django app, other than auth and contenttypes, whose
// tables a store of this package uses: Migrate creates them as that app's
// own migrations do and records those migrations in django_migrations, or,
// on a database where Django made them, checks that they are there. Pass
// the apps to Migrate along with the database.
type DjangoApp string

// The Django apps that Migrate knows.
const (
	// DjangoSessions is django.contrib.sessions (migration 0001_initial:
	// the django_session table), for DjangoSessionStore.
	DjangoSessions DjangoApp = "sessions"
	// DjangoOTPTOTP is django-otp's TOTP plugin, django_otp.plugins.otp_totp
	// (migrations 0001_initial and 0002_auto_20190420_0723: the
	// otp_totp_totpdevice table), for TOTPStore.
	DjangoOTPTOTP DjangoApp = "otp_totp"
	// DjangoOTPStatic is django-otp's otp_static plugin (migrations
	// 0001_initial and 0002_throttling of django-otp 1.1.3: the
	// otp_static_staticdevice and otp_static_statictoken tables), for
	// DjangoStaticStore.
	DjangoOTPStatic DjangoApp = "otp_static"
	// DjangoAccount is django-allauth's allauth.account (migrations
	// 0001_initial and 0002_email_max_length of allauth 0.51, with its
	// default ACCOUNT_UNIQUE_EMAIL = True: the account_emailaddress and
	// account_emailconfirmation tables, email unique), for EmailStore.
	DjangoAccount DjangoApp = "account"
	// DjangoSites is django.contrib.sites (migrations 0001_initial and
	// 0002_alter_domain_unique: the django_site table, with the default
	// site example.com as SITE_ID 1, as Django's post_migrate adds it),
	// which allauth's social apps are enabled on.
	DjangoSites DjangoApp = "sites"
	// DjangoSocialAccount is django-allauth 0.51's allauth.socialaccount
	// (migrations 0001_initial, 0002_token_max_lengths and
	// 0003_extra_data_default_dict: socialaccount_socialapp,
	// socialaccount_socialapp_sites, socialaccount_socialaccount and
	// socialaccount_socialtoken), for SocialStore. It needs DjangoSites,
	// which Migrate applies first when it is not given.
	DjangoSocialAccount DjangoApp = "socialaccount"
	// DjangoOrganizations is django-organizations 2.1's organizations app
	// (migrations 0001_initial to 0006_alter_organization_slug:
	// organizations_organization, organizations_organizationuser,
	// organizations_organizationowner and
	// organizations_organizationinvitation), for OrgStore. After it,
	// Migrate applies djauth migration 0009_orgs: the tables of roles,
	// role holders and invitation tokens that django-organizations lacks.
	DjangoOrganizations DjangoApp = "organizations"
)

// appSpec is what Migrate knows of a DjangoApp.
type appSpec struct {
	// tables are the app's tables, all made by the migrations below.
	tables []string
	// migrations are the app's migrations whose combined schema file
	// creates, in Django's order.
	migrations []djangoMigration
	// file is the schema file under migrations/.
	file string
	// usesUserTable is true when the app's tables reference auth_user: on
	// a database with a custom user model Migrate leaves creating them
	// to Django.
	usesUserTable bool
	// djauth are djauth migrations that depend on the app's tables,
	// applied after them and recorded in djauth_migrations.
	djauth []string
	// columns are the columns the stores rely on, as requiredColumns.
	columns map[string]map[string]int
	// requires are apps whose tables this app's reference; Migrate
	// applies them first.
	requires []DjangoApp
}

var appSpecs = map[DjangoApp]appSpec{
	DjangoOrganizations: {
		tables: []string{"organizations_organization", "organizations_organizationuser",
			"organizations_organizationowner", "organizations_organizationinvitation"},
		migrations: []djangoMigration{
			{"organizations", "0001_initial"},
			{"organizations", "0002_model_update"},
			{"organizations", "0003_field_fix_and_editable"},
			{"organizations", "0004_organizationinvitation"},
			{"organizations", "0005_alter_organization_users_and_more"},
			{"organizations", "0006_alter_organization_slug"},
		},
		file:          "migrations/django_organizations.sql",
		usesUserTable: true,
		djauth:        []string{"0009_orgs"},
		columns: map[string]map[string]int{
			"organizations_organization": {"id": 0, "name": 200, "is_active": 0, "created": 0,
				"modified": 0, "slug": 200},
			"organizations_organizationuser": {"id": 0, "created": 0, "modified": 0, "is_admin": 0,
				"organization_id": 0, "user_id": 0},
			"organizations_organizationowner": {"id": 0, "created": 0, "modified": 0,
				"organization_id": 0, "organization_user_id": 0},
			"organizations_organizationinvitation": {"id": 0, "guid": 0, "invitee_identifier": 1000,
				"created": 0, "modified": 0, "invited_by_id": 0, "invitee_id": 0, "organization_id": 0},
		},
	},
	DjangoAccount: {
		tables:        []string{"account_emailaddress", "account_emailconfirmation"},
		migrations:    []djangoMigration{{"account", "0001_initial"}, {"account", "0002_email_max_length"}},
		file:          "migrations/django_account.sql",
		usesUserTable: true,
		columns: map[string]map[string]int{
			"account_emailaddress":      {"id": 0, "user_id": 0, "email": 254, "verified": 0, "primary": 0},
			"account_emailconfirmation": {"id": 0, "created": 0, "sent": 0, "key": 64, "email_address_id": 0},
		},
	},
	DjangoSessions: {
		tables:     []string{"django_session"},
		migrations: []djangoMigration{{"sessions", "0001_initial"}},
		file:       "migrations/django_sessions.sql",
		djauth:     []string{"0006_django_session_user"},
		columns: map[string]map[string]int{
			"django_session": {"session_key": 40, "session_data": 0, "expire_date": 0},
		},
	},
	DjangoOTPTOTP: {
		tables: []string{"otp_totp_totpdevice"},
		migrations: []djangoMigration{
			{"otp_totp", "0001_initial"},
			{"otp_totp", "0002_auto_20190420_0723"},
		},
		file:          "migrations/django_otp_totp.sql",
		usesUserTable: true,
		columns: map[string]map[string]int{
			"otp_totp_totpdevice": {
				"id": 0, "user_id": 0, "name": 64, "confirmed": 0, "key": 80, "step": 0, "t0": 0,
				"digits": 0, "tolerance": 0, "drift": 0, "last_t": 0,
				"throttling_failure_timestamp": 0, "throttling_failure_count": 0,
			},
		},
	},
	DjangoOTPStatic: {
		tables:        []string{"otp_static_staticdevice", "otp_static_statictoken"},
		migrations:    []djangoMigration{{"otp_static", "0001_initial"}, {"otp_static", "0002_throttling"}},
		file:          "migrations/django_otp_static.sql",
		usesUserTable: true,
		columns: map[string]map[string]int{
			"otp_static_staticdevice": {"id": 0, "name": 64, "confirmed": 0, "user_id": 0,
				"throttling_failure_count": 0, "throttling_failure_timestamp": 0},
			"otp_static_statictoken": {"id": 0, "token": 16, "device_id": 0},
		},
	},
	DjangoSites: {
		tables:     []string{"django_site"},
		migrations: []djangoMigration{{"sites", "0001_initial"}, {"sites", "0002_alter_domain_unique"}},
		file:       "migrations/django_sites.sql",
		columns:    map[string]map[string]int{"django_site": {"id": 0, "domain": 100, "name": 50}},
	},
	DjangoSocialAccount: {
		tables: []string{"socialaccount_socialaccount", "socialaccount_socialapp",
			"socialaccount_socialapp_sites", "socialaccount_socialtoken"},
		migrations: []djangoMigration{
			{"socialaccount", "0001_initial"},
			{"socialaccount", "0002_token_max_lengths"},
			{"socialaccount", "0003_extra_data_default_dict"},
		},
		file:          "migrations/django_socialaccount.sql",
		usesUserTable: true,
		requires:      []DjangoApp{DjangoSites},
		columns: map[string]map[string]int{
			"socialaccount_socialaccount": {"id": 0, "provider": 30, "uid": 191, "last_login": 0,
				"date_joined": 0, "extra_data": 0, "user_id": 0},
			"socialaccount_socialapp": {"id": 0, "provider": 30, "name": 40, "client_id": 191,
				"secret": 191, "key": 191},
			"socialaccount_socialapp_sites": {"id": 0, "socialapp_id": 0, "site_id": 0},
			"socialaccount_socialtoken": {"id": 0, "token": 0, "token_secret": 0, "expires_at": 0,
				"account_id": 0, "app_id": 0},
		},
	},
}

// migrateApps creates or verifies the tables of apps, then applies the
// djauth migrations that depend on them.
func migrateApps(ctx context.Context, tx pgx.Tx, apps []DjangoApp, rep *Report) error {
	var seen []DjangoApp
	var ordered []DjangoApp
	for _, app := range apps {
		if spec, ok := appSpecs[app]; ok {
			for _, req := range spec.requires {
				if !slices.Contains(ordered, req) {
					ordered = append(ordered, req)
				}
			}
		}
		ordered = append(ordered, app)
	}
	for _, app := range ordered {
		spec, ok := appSpecs[app]
		if !ok {
			return fmt.Errorf("unknown Django app %q", string(app))
		}
		if slices.Contains(seen, app) {
			continue
		}
		seen = append(seen, app)
		if err := migrateApp(ctx, tx, string(app), spec, rep); err != nil {
			return err
		}
		if err := applyDjauth(ctx, tx, spec.djauth, rep); err != nil {
			return err
		}
	}
	return nil
}

func migrateApp(ctx context.Context, tx pgx.Tx, label string, spec appSpec, rep *Report) error {
	existing, err := existingTables(ctx, tx, spec.tables)
	if err != nil {
		return err
	}
	recorded, err := recordedMigrations(ctx, tx, label)
	if err != nil {
		return err
	}
	switch len(existing) {
	case 0:
		if len(recorded) > 0 {
			return fmt.Errorf("%w: django_migrations records %s but the tables of %s are missing",
				ErrSchemaMismatch, strings.Join(recorded, ", "), label)
		}
		if spec.usesUserTable && rep.CustomUserModel {
			return fmt.Errorf("%w: the tables of %s reference the user model; with a custom user model run Django's migrate for %s first",
				ErrSchemaMismatch, label, label)
		}
		if err := execFile(ctx, tx, spec.file); err != nil {
			return err
		}
		for _, m := range spec.migrations {
			if _, err := tx.Exec(ctx,
				`INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ($1, $2, statement_timestamp())`,
				m.app, m.name); err != nil {
				return fmt.Errorf("record %s: %w", m, err)
			}
			rep.Recorded = append(rep.Recorded, m.String())
		}
		return nil
	case len(spec.tables):
		var missing []string
		for _, m := range spec.migrations {
			if !slices.Contains(recorded, m.String()) {
				missing = append(missing, m.String())
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: the tables of %s exist but django_migrations lacks %s; run Django's migrate first",
				ErrSchemaMismatch, label, strings.Join(missing, ", "))
		}
		return checkColumns(ctx, tx, existing, spec.columns)
	}
	return fmt.Errorf("%w: only %s of the %d tables of %s exist", ErrSchemaMismatch,
		strings.Join(existing, ", "), len(spec.tables), label)
}

// recordedMigrations returns the migrations of app recorded in
// django_migrations, as "app.name".
func recordedMigrations(ctx context.Context, tx pgx.Tx, app string) ([]string, error) {
	rows, err := tx.Query(ctx,
		`SELECT "app" || '.' || "name" FROM "django_migrations" WHERE "app" = $1 ORDER BY "id"`, app)
	if err != nil {
		return nil, fmt.Errorf("read django_migrations: %w", err)
	}
	rec, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read django_migrations: %w", err)
	}
	return rec, nil
}
