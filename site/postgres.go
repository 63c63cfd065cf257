package site

import (
	"context"
	"fmt"

	"github.com/djauth/auth/store/postgres"
)

// Apps are the Django apps whose tables Postgres creates (or checks, on a
// database Django migrated) besides django.contrib.auth's and djauth's
// own: allauth's email addresses and social accounts, django-otp's TOTP
// devices and django-organizations.
var Apps = []postgres.DjangoApp{postgres.DjangoAccount, postgres.DjangoSocialAccount,
	postgres.DjangoOTPTOTP, postgres.DjangoOrganizations}

// Postgres migrates the database of db (postgres.Migrate with Apps) and
// returns every store of a site over it. Sessions are kept with the users
// (one statement per authenticated request); recovery codes are hashed in
// djauth_recovery_*; the audit log is djauth_audit. The session store's
// cleanup goroutine stops with Site.Close; db itself is the caller's.
func Postgres[U any](ctx context.Context, db postgres.Querier) (Stores[U], error) {
	if _, err := postgres.Migrate(ctx, db, Apps...); err != nil {
		return Stores[U]{}, fmt.Errorf("site: migrate: %w", err)
	}
	var st Stores[U]
	users, err := postgres.New[U](db, postgres.Options{})
	if err != nil {
		return Stores[U]{}, err
	}
	st.Users = users
	sessions, err := users.NewSessionStore(postgres.SessionStoreOptions{})
	if err != nil {
		return Stores[U]{}, err
	}
	st.Sessions, st.closers = sessions, []func(){sessions.Close}
	fail := func(err error) (Stores[U], error) {
		sessions.Close()
		return Stores[U]{}, err
	}
	if st.Throttle, err = postgres.NewThrottleStore(db); err != nil {
		return fail(err)
	}
	if st.Emails, err = postgres.NewEmailStore(db, ""); err != nil {
		return fail(err)
	}
	if st.TOTP, err = postgres.NewTOTPStore(db); err != nil {
		return fail(err)
	}
	if st.Recovery, err = postgres.NewRecoveryStore(db); err != nil {
		return fail(err)
	}
	if st.Passkeys, err = postgres.NewPasskeyStore(db); err != nil {
		return fail(err)
	}
	if st.MFAPolicy, err = postgres.NewMFAPolicyStore(db); err != nil {
		return fail(err)
	}
	if st.Social, err = postgres.NewSocialStore(db); err != nil {
		return fail(err)
	}
	if st.Orgs, err = postgres.NewOrgStore(db, postgres.OrgOptions{}); err != nil {
		return fail(err)
	}
	if st.Audit, err = postgres.NewAuditStore(db); err != nil {
		return fail(err)
	}
	return st, nil
}
