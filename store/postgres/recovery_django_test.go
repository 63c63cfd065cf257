package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/store/postgres"
)

// otpProject is the Django project with django-otp installed.
func otpProject(db djangoDB) djangotest.Project {
	p := db.project()
	p.Env = append(p.Env, "DJAUTH_DJANGO_OTP=1")
	return p
}

// TestDjangoOTPStaticInterop: Django (Debian's Django 3.2 and django-otp
// 1.1.3) makes a static device and tokens that this package verifies and
// consumes; codes generated here verify in Django's
// StaticDevice.verify_token, once.
func TestDjangoOTPStaticInterop(t *testing.T) {
	djangotest.Python(t, "psycopg2", "django_otp")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	dj := otpProject(db)
	dj.Manage(t, "migrate", "--no-input", "-v", "0")
	rep, err := postgres.Migrate(ctx, pool, postgres.DjangoOTPStatic)
	require.NoError(t, err, "Migrate accepts the tables Django made")
	assert.Empty(t, rep.Recorded)

	var made struct {
		User   int64
		Device int64
		Tokens []string
	}
	dj.Shell(t, `import json
from django.contrib.auth.models import User
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
u = User.objects.create_user('dj_static', '', 'pw')
d = StaticDevice.objects.create(user=u, name='Backup Code')
tokens = [d.token_set.create(token=StaticToken.random_token()).token for _ in range(3)]
print(json.dumps({'user': u.pk, 'device': d.pk, 'tokens': tokens}))`, &made)
	require.Len(t, made.Tokens, 3)

	s, err := postgres.NewDjangoStaticStore(pool)
	require.NoError(t, err)
	f, err := recovery.New(recovery.Config{Store: s})
	require.NoError(t, err)
	dev, err := f.VerifyCode(ctx, made.User, made.Tokens[0])
	require.NoError(t, err, "a token made by Django")
	assert.Equal(t, fmt.Sprintf("otp_static.staticdevice/%d", made.Device), dev.PersistentID)
	assert.Equal(t, "Backup Code", dev.Name)
	dev, err = f.VerifyCode(ctx, made.User, strings.ToUpper(made.Tokens[1]))
	require.NoError(t, err, "typed in capitals")
	var left []string
	dj.Shell(t, fmt.Sprintf(`import json
from django_otp.plugins.otp_static.models import StaticDevice
print(json.dumps(sorted(t.token for t in StaticDevice.objects.get(pk=%d).token_set.all())))`, made.Device), &left)
	assert.Equal(t, []string{made.Tokens[2]}, left, "the used tokens are gone for Django too")

	// Codes made here, verified by django-otp.
	dev, codes, err := f.Generate(ctx, made.User)
	require.NoError(t, err)
	assert.Equal(t, made.Device, dev.ID, "the Django device is kept")
	var res struct {
		First, Again, Old bool
		Left              int
		Persistent        string
	}
	dj.Shell(t, fmt.Sprintf(`import json
from django_otp.plugins.otp_static.models import StaticDevice
d = StaticDevice.objects.get(pk=%d)
first = d.verify_token(%q)
d.throttle_reset()
again = d.verify_token(%q)
d.throttle_reset()
old = d.verify_token(%q)
d.throttle_reset()
print(json.dumps({'first': first, 'again': again, 'old': old, 'left': d.token_set.count(), 'persistent': d.persistent_id}))`,
		made.Device, codes[0], codes[0], made.Tokens[2]), &res)
	assert.True(t, res.First, "Django accepts a code made here, as shown")
	assert.False(t, res.Again, "and only once")
	assert.False(t, res.Old, "regenerating voided Django's token")
	assert.Equal(t, len(codes)-1, res.Left)
	assert.Equal(t, dev.PersistentID, res.Persistent)

	_, err = f.VerifyCode(ctx, made.User, codes[0])
	assert.ErrorIs(t, err, mfa.ErrInvalidCode, "used in Django, refused here")
	_, err = f.VerifyCode(ctx, made.User, codes[1])
	assert.ErrorIs(t, err, mfa.ErrThrottled, "the failure just now delays the next attempt, as in Django")
}

// TestDjangoOTPStaticMigratedByStore: Migrate creates the otp_static
// tables as django-otp's migrations do and records them, so that Django's
// migrate leaves them alone and the schema is the one Django makes.
func TestDjangoOTPStaticMigratedByStore(t *testing.T) {
	djangotest.Python(t, "psycopg2", "django_otp")
	t.Parallel()
	ctx := context.Background()
	ours, ourPool := newDjangoDB(t)
	rep, err := postgres.Migrate(ctx, ourPool, postgres.DjangoOTPStatic)
	require.NoError(t, err)
	assert.Contains(t, rep.Recorded, "otp_static.0001_initial")
	assert.Contains(t, rep.Recorded, "otp_static.0002_throttling")
	tables := []string{"otp_static_staticdevice", "otp_static_statictoken"}
	before := dumpTable(t, ourPool, tables...)
	out := otpProject(ours).Manage(t, "migrate", "--no-input")
	assert.NotContains(t, out, "otp_static.0001", "Django does not apply otp_static again")
	assert.Equal(t, before, dumpTable(t, ourPool, tables...))

	theirs, theirPool := newDjangoDB(t)
	otpProject(theirs).Manage(t, "migrate", "--no-input", "-v", "0")
	assert.Equal(t, dumpTable(t, theirPool, tables...), before, "the tables are the ones Django makes")

	// Django uses a device and codes made here.
	s, err := postgres.NewDjangoStaticStore(ourPool)
	require.NoError(t, err)
	f, err := recovery.New(recovery.Config{Store: s})
	require.NoError(t, err)
	user := newAuthUser(t, ourPool)
	_, codes, err := f.Generate(ctx, user)
	require.NoError(t, err)
	var ok bool
	otpProject(ours).Shell(t, fmt.Sprintf(`import json
from django_otp import match_token
from django.contrib.auth.models import User
print(json.dumps(match_token(User.objects.get(pk=%d), %q) is not None))`, user, codes[5]), &ok)
	assert.True(t, ok, "django_otp.match_token finds the device of a code made here")
}
