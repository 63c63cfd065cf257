package postgres_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/mfa/totp/totptest"
	"github.com/djauth/auth/store/postgres"
)

// newAuthUser inserts a row of auth_user and returns its id.
func newAuthUser(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(t.Context(), `INSERT INTO "auth_user" ("password", "is_superuser", "username",
		"first_name", "last_name", "email", "is_staff", "is_active", "date_joined")
		VALUES ('!', false, 'user' || nextval(pg_get_serial_sequence('auth_user', 'id')), '', '', '', false, true, now())
		RETURNING "id"`).Scan(&id)
	require.NoError(t, err)
	return id
}

func TestTOTPStore(t *testing.T) {
	t.Parallel()
	totptest.Run(t, func(t *testing.T) totptest.Harness {
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(t.Context(), pool, postgres.DjangoOTPTOTP)
		require.NoError(t, err)
		s, err := postgres.NewTOTPStore(pool)
		require.NoError(t, err)
		return totptest.Harness{Store: s, NewUser: func(t *testing.T) int64 { return newAuthUser(t, pool) }}
	})
}

func TestNewTOTPStoreNil(t *testing.T) {
	t.Parallel()
	_, err := postgres.NewTOTPStore(nil)
	require.Error(t, err)
}

func TestTOTPStoreFailsClosed(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(t.Context(), pool, postgres.DjangoOTPTOTP)
	require.NoError(t, err)
	s, err := postgres.NewTOTPStore(pool)
	require.NoError(t, err)
	f, err := totp.New(totp.Config{Store: s})
	require.NoError(t, err)
	user := newAuthUser(t, pool)
	d, err := f.Begin(t.Context(), user, "phone")
	require.NoError(t, err)
	_, err = pool.Exec(t.Context(), `UPDATE "otp_totp_totpdevice" SET "confirmed" = true`)
	require.NoError(t, err)
	pool.Close()
	c, err := d.CodeAt(time.Now())
	require.NoError(t, err)
	_, err = f.VerifyCode(context.Background(), user, c)
	require.Error(t, err)
	require.NotErrorIs(t, err, mfa.ErrInvalidCode)
}

// TestDjangoOTPDeviceVerifiesHere: a device that django-otp made verifies
// here, a code used here is refused by Django, and Django's throttling is
// honoured here. Django made the tables; Migrate only checks them.
func TestDjangoOTPDeviceVerifiesHere(t *testing.T) {
	djangotest.Python(t, "psycopg2", "django_otp")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	p := otpProject(db)
	p.Manage(t, "migrate", "--no-input")
	rep, err := postgres.Migrate(ctx, pool, postgres.DjangoOTPTOTP)
	require.NoError(t, err)
	require.Empty(t, rep.Recorded, "Django made and recorded the tables")

	var made struct {
		User, Device int64
		Key, URL     string
	}
	p.Shell(t, `import json
from django.conf import settings
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
settings.OTP_TOTP_ISSUER = 'Example: Co & Sons'
u = User.objects.create_user('alice@example.com')
d = TOTPDevice.objects.create(user=u, name='django phone')
print(json.dumps({'User': u.id, 'Device': d.id, 'Key': d.key, 'URL': d.config_url}))`, &made)

	s, err := postgres.NewTOTPStore(pool)
	require.NoError(t, err)
	f, err := totp.New(totp.Config{Store: s, Issuer: "Example: Co & Sons"})
	require.NoError(t, err)
	d, err := s.Get(ctx, made.Device)
	require.NoError(t, err)
	assert.Equal(t, made.Key, d.Key)
	assert.True(t, d.Confirmed)
	assert.Equal(t, totp.Device{ID: made.Device, UserID: made.User, Name: "django phone", Confirmed: true,
		Key: made.Key, Step: 30, Digits: 6, Tolerance: 1, LastT: -1}, d)
	uri, err := f.KeyURI(d, "alice@example.com")
	require.NoError(t, err)
	assert.Equal(t, made.URL, uri, "KeyURI is django-otp's config_url")

	c, err := d.CodeAt(time.Now())
	require.NoError(t, err)
	got, err := f.VerifyCode(ctx, made.User, c)
	require.NoError(t, err)
	assert.Equal(t, "otp_totp.totpdevice/"+strconv.FormatInt(made.Device, 10), got.PersistentID)

	var res struct {
		OK       bool
		Failures int
	}
	p.Shell(t, fmt.Sprintf(`import json
from django_otp.plugins.otp_totp.models import TOTPDevice
d = TOTPDevice.objects.get(id=%d)
ok = d.verify_token(%q)
print(json.dumps({'OK': ok, 'Failures': d.throttling_failure_count}))`, made.Device, c), &res)
	assert.False(t, res.OK, "Django refuses a code spent here")
	assert.Equal(t, 1, res.Failures)

	d, err = s.Get(ctx, made.Device)
	require.NoError(t, err)
	assert.Equal(t, 1, d.Throttle.Failures)
	// half a second after Django's failure, on a clock of our own
	at := d.Throttle.Last.Add(500 * time.Millisecond)
	early, err := totp.New(totp.Config{Store: s, Now: func() time.Time { return at }})
	require.NoError(t, err)
	_, err = early.VerifyCode(ctx, made.User, c)
	var te *mfa.ThrottledError
	require.ErrorAs(t, err, &te, "Django's throttling holds here")
	assert.Equal(t, 500*time.Millisecond, te.RetryAfter)
}

// TestDeviceEnrolledHereVerifiesInDjango: Migrate makes the tables, Django
// takes them as migrated, a device enrolled here verifies in Django's
// verify_token, and the code Django accepted is refused here.
func TestDeviceEnrolledHereVerifiesInDjango(t *testing.T) {
	djangotest.Python(t, "psycopg2", "django_otp")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	rep, err := postgres.Migrate(ctx, pool, postgres.DjangoOTPTOTP)
	require.NoError(t, err)
	assert.Contains(t, rep.Recorded, "otp_totp.0002_auto_20190420_0723")
	p := otpProject(db)
	p.Manage(t, "migrate", "--no-input")
	show := p.Manage(t, "showmigrations", "otp_totp")
	assert.Equal(t, "otp_totp\n [X] 0001_initial\n [X] 0002_auto_20190420_0723\n", show)

	s, err := postgres.NewTOTPStore(pool)
	require.NoError(t, err)
	f, err := totp.New(totp.Config{Store: s})
	require.NoError(t, err)
	user := newAuthUser(t, pool)
	d, err := f.Begin(ctx, user, "go phone")
	require.NoError(t, err)
	c, err := d.CodeAt(time.Now())
	require.NoError(t, err)
	d, err = f.Confirm(ctx, user, d.ID, c)
	require.NoError(t, err)

	// Django verifies the next step's code (within its tolerance).
	var res struct {
		Code      string
		OK        bool
		Confirmed bool
		LastT     int64
	}
	p.Shell(t, fmt.Sprintf(`import json, time
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
d = TOTPDevice.objects.get(id=%d)
refused = d.verify_token(%q)
d.throttle_reset()
o = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift)
o.time = time.time() + d.step
code = '%%0*d' %% (d.digits, o.token())
ok = d.verify_token(code)
d.refresh_from_db()
print(json.dumps({'Code': code, 'OK': ok and not refused, 'Confirmed': d.confirmed, 'LastT': d.last_t}))`, d.ID, c), &res)
	assert.True(t, res.OK, "Django refuses the confirming code and accepts the next")
	assert.True(t, res.Confirmed)

	_, err = f.VerifyCode(ctx, user, res.Code)
	require.ErrorIs(t, err, mfa.ErrInvalidCode, "a code Django accepted is refused here")
	d, err = s.Get(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, res.LastT, d.LastT)
}
