package social_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/postgres"
)

// TestDjangoAllauthInterop runs the GitHub login on the tables of Debian's
// Django 3.2 and django-allauth 0.51: an identity that allauth linked logs
// its user in here, and one linked here is what allauth reads.
func TestDjangoAllauthInterop(t *testing.T) {
	djangotest.Python(t, "psycopg2", "allauth")
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	cfg, err := pgxpool.ParseConfig(db.URL)
	require.NoError(t, err)
	pool := pgtest.PoolFromConfig(t, cfg)
	dj := djangotest.Project{DB: db, Env: []string{"DJAUTH_DJANGO_ALLAUTH=1"}}
	dj.Manage(t, "migrate", "--no-input", "-v", "0")
	rep, err := postgres.Migrate(ctx, pool, postgres.DjangoSocialAccount)
	require.NoError(t, err, "Migrate accepts the tables Django made")
	assert.Empty(t, rep.Recorded)

	var made struct{ User, Account, App int64 }
	dj.Shell(t, `import json
from django.contrib.auth.models import User
from django.contrib.sites.models import Site
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
u = User.objects.create_user('djuser', 'dj@example.com', 'pw')
a = SocialAccount.objects.create(user=u, provider='github', uid='2001', extra_data={'login': 'djgh', 'id': 2001})
app = SocialApp.objects.create(provider='github', name='GitHub', client_id='gh-client', secret='gh-secret')
app.sites.add(Site.objects.get_current())
SocialToken.objects.create(app=app, account=a, token='django-token', token_secret='')
print(json.dumps({'user': u.pk, 'account': a.pk, 'app': app.pk}))`, &made)

	users, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	store, err := postgres.NewSocialStore(pool)
	require.NoError(t, err)
	gh := newGitHubStub(t)
	gh.users["djgh"] = map[string]any{"id": 2001, "login": "djgh"}
	s := newSiteOn(t, users, store, func(base string, cfg *social.Config[auth.User]) {
		// The provider comes from allauth's SocialApp row of SITE_ID 1.
		build := social.AppProviders{"github": func(a social.App) (social.Provider, error) {
			return social.NewGitHub(social.GitHubConfig{ClientID: a.ClientID, ClientSecret: a.Secret,
				WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		}}
		ps, err := social.ProvidersFromApps(ctx, store, 1, build)
		require.NoError(t, err)
		require.Len(t, ps, 1)
		cfg.Providers = ps
		cfg.StoreTokens = true
	})

	tok, err := store.GetToken(ctx, made.App, made.Account)
	require.NoError(t, err)
	assert.Equal(t, "django-token", tok.Token)

	// allauth's identity logs its user in here.
	login := func(b *browser, as string) page {
		gh.as(as)
		p := b.do("GET", b.start(s, "github", nil), nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		return b.do("GET", p.loc, nil)
	}
	b := newBrowser(t)
	p := login(b, "djgh")
	require.Equal(t, http.StatusFound, p.status, p.body+s.log.take())
	assert.Equal(t, "user=djuser", b.whoami(s))
	tok, err = store.GetToken(ctx, made.App, made.Account)
	require.NoError(t, err)
	assert.NotEqual(t, "django-token", tok.Token, "the login's token replaced allauth's in its row")

	// An identity linked here (a sign-up) is allauth's SocialAccount.
	b2 := newBrowser(t)
	p = login(b2, "octo")
	require.Equal(t, http.StatusFound, p.status, p.body+s.log.take())
	var seen struct {
		Username, Email, Login, Token string
		Usable                        bool
		Joined                        bool
	}
	dj.Shell(t, fmt.Sprintf(`import json
from allauth.socialaccount.models import SocialAccount, SocialToken
a = SocialAccount.objects.get(provider='github', uid='1001')
t = SocialToken.objects.get(account=a, app_id=%d)
print(json.dumps({'username': a.user.username, 'email': a.user.email, 'login': a.extra_data['login'],
  'token': t.token, 'usable': a.user.has_usable_password(), 'joined': a.date_joined is not None}))`, made.App), &seen)
	assert.Equal(t, "octo", seen.Username)
	assert.Equal(t, "octo@example.com", seen.Email)
	assert.Equal(t, "octo", seen.Login)
	assert.NotEmpty(t, seen.Token)
	assert.False(t, seen.Usable, "Django sees the unusable password")
	assert.True(t, seen.Joined)
	var str string
	dj.Shell(t, `import json
from allauth.socialaccount.models import SocialAccount
print(json.dumps(str(SocialAccount.objects.get(provider='github', uid='1001'))))`, &str)
	assert.Equal(t, "octo", str, "allauth's GitHub account reads extra_data's login")
}
