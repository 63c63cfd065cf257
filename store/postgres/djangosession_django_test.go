package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
)

// djangoClient is Python run in Django's shell: helpers that drive
// Django's test Client with a given session cookie.
const djangoClient = `import json
from django.test import Client
def client(key=None):
    c = Client()
    if key:
        c.cookies["sessionid"] = key
    return c
def whoami(key):
    return client(key).get("/whoami/").json()["user"]
def login(password):
    c = client()
    r = c.post("/login/", {"username": "alice", "password": password})
    assert r.status_code == 200, r.content
    return c.cookies["sessionid"].value
`

// TestDjangoSessionsOneLogin: with DjangoSessionStore, a login on the
// Django site is a login on the Go service and the reverse; a logout on
// either ends both; a password change on either ends the other's
// sessions. Real Django 3.2 over its test Client, the Go side over HTTP.
func TestDjangoSessionsOneLogin(t *testing.T) {
	t.Parallel()
	const secret = "one-login-across-django-and-go-test-key-0123456789"
	db := pgtest.NewDatabase(t)
	django := djangotest.Project{DB: db, Env: []string{"DJAUTH_DJANGO_SESSIONS=1", "DJAUTH_DJANGO_SECRET_KEY=" + secret}}
	django.Manage(t, "migrate", "--no-input", "-v", "0")
	django.Shell(t, `from django.contrib.auth.models import User
User.objects.create_user("alice", password="pw1")
print("null")`, nil)

	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db.URL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = postgres.Migrate(ctx, pool, postgres.DjangoSessions)
	require.NoError(t, err, "Django's tables are verified, the index added")
	users, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	sessions, err := postgres.NewDjangoSessionStore(pool, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	t.Cleanup(sessions.Close)
	hs, err := hashers.ForDjango("3.2")
	require.NoError(t, err)
	a, err := auth.New(auth.Config[auth.User]{
		Store: users, SecretKey: secret, Hashers: hs,
		Sessions: auth.SessionConfig{Store: sessions, InsecureCookie: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		u, backend, err := a.Authenticate(r.Context(), r, auth.Credentials{
			auth.CredentialUsername: r.FormValue("username"), auth.CredentialPassword: r.FormValue("password")})
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		if err := a.Login(r, u, backend); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, a.User(r).Username())
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := a.Logout(r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /sessions", func(w http.ResponseWriter, r *http.Request) {
		ru := a.User(r)
		if ru.IsAnonymous() {
			http.Error(w, "anonymous", http.StatusForbidden)
			return
		}
		list, err := a.UserSessions(r.Context(), ru.ID())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(list)
	})
	srv := httptest.NewServer(a.Middleware(mux))
	t.Cleanup(srv.Close)

	do := func(method, path, key string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if key != "" {
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(b)
	}
	goWhoami := func(key string) string {
		t.Helper()
		res, body := do("GET", "/whoami", key, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		return body
	}
	goLogin := func(password string) string {
		t.Helper()
		res, body := do("POST", "/login", "", url.Values{"username": {"alice"}, "password": {password}})
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		for _, c := range res.Cookies() {
			if c.Name == "sessionid" {
				require.True(t, postgres.IsDjangoSessionKey(c.Value), "the cookie carries a Django key: %q", c.Value)
				return c.Value
			}
		}
		t.Fatal("no session cookie")
		return ""
	}

	// Django logs in twice; Go sees both sessions.
	var dj struct{ K1, K2 string }
	django.Shell(t, djangoClient+`print(json.dumps({"K1": login("pw1"), "K2": login("pw1")}))`, &dj)
	assert.Equal(t, "alice", goWhoami(dj.K1), "a Django login is a Go login")
	res, body := do("GET", "/sessions", dj.K1, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	var listed []auth.SessionInfo
	require.NoError(t, json.Unmarshal([]byte(body), &listed))
	require.Len(t, listed, 2, "the sessions Django made are listed")
	current := 0
	for _, s := range listed {
		if s.Current {
			current++
			assert.Equal(t, auth.SessionID(dj.K1), s.ID)
		}
	}
	assert.Equal(t, 1, current)

	// Go logs in; Go logs out of Django's first session.
	kg := goLogin("pw1")
	res, _ = do("POST", "/logout", dj.K1, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "", goWhoami(dj.K1))

	// Django: the Go logout holds, the Go login is a Django login; Django
	// logs out of it, then changes the password and logs in again.
	var step2 struct {
		K1, KG, AfterLogout, K2 string
		K3                      string
	}
	django.Shell(t, djangoClient+fmt.Sprintf(`from django.contrib.auth.models import User
out = {"K1": whoami(%q), "KG": whoami(%q)}
client(%q).post("/logout/")
out["AfterLogout"] = whoami(%q)
u = User.objects.get(username="alice")
u.set_password("pw2")
u.save()
out["K2"] = whoami(%q)
out["K3"] = login("pw2")
print(json.dumps(out))`, dj.K1, kg, kg, kg, dj.K2), &step2)
	assert.Equal(t, "", step2.K1, "a Go logout is a Django logout")
	assert.Equal(t, "alice", step2.KG, "a Go login is a Django login")
	assert.Equal(t, "", step2.AfterLogout)
	assert.Equal(t, "", step2.K2, "Django's password change ends its own other sessions")
	assert.Equal(t, "", goWhoami(kg), "a Django logout is a Go logout")
	assert.Equal(t, "", goWhoami(dj.K2))
	assert.Equal(t, "alice", goWhoami(step2.K3))

	// Go logs in with the password Django set, then changes it.
	kg2 := goLogin("pw2")
	u, err := users.GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	require.NoError(t, a.SetPassword(ctx, u, "pw3"))
	require.NoError(t, users.UpdateUser(ctx, u))
	assert.Equal(t, "", goWhoami(kg2), "the Go password change ends Go's sessions")
	var step3 struct{ K3, New string }
	django.Shell(t, djangoClient+fmt.Sprintf(`k = login("pw3")
print(json.dumps({"K3": whoami(%q), "New": whoami(k)}))`, step2.K3), &step3)
	assert.Equal(t, "", step3.K3, "a Go password change ends Django's sessions")
	assert.Equal(t, "alice", step3.New, "Django verifies the hash Go wrote")
	var hash string
	require.NoError(t, pool.QueryRow(ctx, `SELECT "password" FROM "auth_user" WHERE "username" = 'alice'`).Scan(&hash))
	assert.Equal(t, u.Password, hash, "Django's login did not rehash Go's hash")
}
