package postgres_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/emails/emailstest"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
)

func TestEmailStore(t *testing.T) {
	t.Parallel()
	emailstest.Run(t, func(t *testing.T) emailstest.Harness {
		pool := pgtest.NewPool(t)
		rep, err := postgres.Migrate(t.Context(), pool, postgres.DjangoAccount)
		require.NoError(t, err)
		assert.Subset(t, rep.Recorded, []string{"account.0001_initial", "account.0002_email_max_length"})
		s, err := postgres.NewEmailStore(pool, "")
		require.NoError(t, err)
		return emailstest.Harness{
			Store:   s,
			NewUser: func(t *testing.T) int64 { return newAuthUser(t, pool) },
			UserEmail: func(t *testing.T, id int64) string {
				var e string
				require.NoError(t, pool.QueryRow(t.Context(), `SELECT "email" FROM "auth_user" WHERE "id" = $1`, id).Scan(&e))
				return e
			},
		}
	})
}

// allauthProject is the Django project with django-allauth installed.
func allauthProject(db djangoDB) djangotest.Project {
	p := db.project()
	p.Env = append(p.Env, "DJAUTH_DJANGO_ALLAUTH=1", "DJAUTH_DJANGO_SECRET_KEY=allauth-interop-key")
	return p
}

// TestDjangoAllauthEmailInterop: Debian's Django 3.2 and allauth 0.51
// share account_emailaddress with EmailStore both ways, and allauth's
// HMAC confirmation keys confirm on either side.
func TestDjangoAllauthEmailInterop(t *testing.T) {
	djangotest.Python(t, "psycopg2", "allauth")
	t.Parallel()
	ctx := t.Context()
	db, pool := newDjangoDB(t)
	dj := allauthProject(db)
	dj.Manage(t, "migrate", "--no-input", "-v", "0")
	rep, err := postgres.Migrate(ctx, pool, postgres.DjangoAccount)
	require.NoError(t, err, "Migrate accepts the tables Django made")
	assert.Empty(t, rep.Recorded)

	var made struct {
		User     int64
		Verified int64
		Pending  int64
		Key      string
	}
	dj.Shell(t, `import json
from django.contrib.auth.models import User
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
u = User.objects.create_user('dj_mail', '', 'pw')
v = EmailAddress.objects.create(user=u, email='Ann@Example.com', verified=True, primary=True)
p = EmailAddress.objects.create(user=u, email='ann.new@example.com')
print(json.dumps({'user': u.pk, 'verified': v.pk, 'pending': p.pk, 'key': EmailConfirmationHMAC(p).key}))`, &made)

	s, err := postgres.NewEmailStore(pool, "")
	require.NoError(t, err)
	m, err := emails.NewManager(emails.Config{Store: s, SecretKey: "allauth-interop-key"})
	require.NoError(t, err)
	as, err := s.UserAddresses(ctx, made.User)
	require.NoError(t, err)
	assert.Equal(t, []emails.Address{
		{ID: made.Verified, UserID: made.User, Email: "Ann@Example.com", Verified: true, Primary: true},
		{ID: made.Pending, UserID: made.User, Email: "ann.new@example.com"},
	}, as)
	_, _, err = s.AddAddress(ctx, newAuthUser(t, pool), "ann@example.com")
	assert.ErrorIs(t, err, emails.ErrEmailTaken, "Django's address, another spelling")

	// allauth's key confirms here; looking first does not consume it.
	seen, err := m.AddressForKey(ctx, made.Key)
	require.NoError(t, err)
	assert.Equal(t, made.Pending, seen.ID)
	a, err := m.ConfirmKey(ctx, made.Key)
	require.NoError(t, err)
	assert.True(t, a.Verified)
	assert.False(t, a.Primary, "the user has a primary address")
	_, err = m.MakePrimary(ctx, made.User, a.ID)
	require.NoError(t, err)

	// An address added here, and its key, in Django.
	other := newAuthUser(t, pool)
	b, _, err := s.AddAddress(ctx, other, "bob@example.com")
	require.NoError(t, err)
	key, err := m.Key(b)
	require.NoError(t, err)
	var seenByDjango struct {
		Primary        string
		UserEmail      string
		Verified       []string
		Confirmed      string
		OtherPrimary   string
		OtherUserEmail string
		Again          bool
	}
	dj.Shell(t, fmt.Sprintf(`import json
from django.contrib.auth.models import User
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
u = User.objects.get(pk=%d)
c = EmailConfirmationHMAC.from_key(%q)
confirmed = c.confirm(None).email
other = User.objects.get(pk=%d)
print(json.dumps({
  'primary': EmailAddress.objects.get_primary(u).email,
  'useremail': u.email,
  'verified': sorted(a.email for a in EmailAddress.objects.filter(user=u, verified=True)),
  'confirmed': confirmed,
  'otherprimary': EmailAddress.objects.get_primary(other).email,
  'otheruseremail': other.email,
  'again': EmailConfirmationHMAC.from_key(%q) is not None,
}))`, made.User, key, other, key), &seenByDjango)
	assert.Equal(t, "ann.new@example.com", seenByDjango.Primary)
	assert.Equal(t, "ann.new@example.com", seenByDjango.UserEmail, "auth_user.email follows the primary")
	assert.Equal(t, []string{"Ann@Example.com", "ann.new@example.com"}, seenByDjango.Verified)
	assert.Equal(t, "bob@example.com", seenByDjango.Confirmed, "a key made here confirms in allauth")
	assert.Equal(t, "bob@example.com", seenByDjango.OtherPrimary, "allauth's confirm made it primary")
	assert.Equal(t, "bob@example.com", seenByDjango.OtherUserEmail)
	assert.False(t, seenByDjango.Again, "a verified address's key is void in allauth too")
	_, err = m.ConfirmKey(ctx, key)
	assert.ErrorIs(t, err, emails.ErrInvalidKey, "and here")
}
