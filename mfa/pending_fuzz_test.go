package mfa_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/store/memory"
)

// FuzzPendingState: whatever the session holds under the pending keys
// (a session shared with other code, a tampered store), Pending never
// panics, and it returns a pending login only for the user, backend and
// auth hash that Begin would have stored, within the timeout and the
// attempt cap; anything else is cleared.
func FuzzPendingState(f *testing.F) {
	ctx := context.Background()
	store := memory.New[auth.User]()
	reg := hashers.New(hashers.MD5{})
	u := auth.NewUser("alice")
	u.Password, _ = reg.Make(ctx, "pw")
	if err := store.CreateUser(ctx, &u); err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{newCodeFactor("totp")}, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	a, err := auth.New(auth.Config[auth.User]{Store: store, Hashers: reg, SecretKey: testSecret, SecondFactor: flow})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.Close() })
	hash := a.SessionAuthHash(u.Password)
	started := strconv.FormatInt(now.Add(-time.Minute).UnixNano(), 10)
	f.Add("1", "django.contrib.auth.backends.ModelBackend", hash, started, "0")
	f.Add("1", "django.contrib.auth.backends.ModelBackend", hash, started, "5")
	f.Add("01", "django.contrib.auth.backends.ModelBackend", hash, started, "-1")
	f.Add("1", "nope", hash, "9223372036854775807", "0")
	f.Add("", "", "", "", "")
	f.Add("2", "django.contrib.auth.backends.ModelBackend", hash, started, "x")
	f.Add("1", "django.contrib.auth.backends.ModelBackend", hash, strconv.FormatInt(now.Add(2*time.Minute).UnixNano(), 10), "0")
	f.Fuzz(func(t *testing.T, id, backend, h, start, attempts string) {
		var p *mfa.PendingLogin[auth.User]
		var perr error
		handler := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := a.Sessions()
			for k, v := range map[string]string{mfa.SessionKeyPendingUserID: id, mfa.SessionKeyPendingBackend: backend,
				mfa.SessionKeyPendingHash: h, mfa.SessionKeyPendingStarted: start, mfa.SessionKeyPendingAttempts: attempts} {
				s.Put(r.Context(), k, v)
			}
			p, perr = flow.Pending(r)
			if perr != nil && s.Exists(r.Context(), mfa.SessionKeyPendingUserID) {
				t.Error("a refused pending state was not cleared")
			}
			if a.User(r).IsAuthenticated() {
				t.Error("a pending state authenticated the request")
			}
		}))
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		if perr != nil {
			if !errors.Is(perr, mfa.ErrNoPendingLogin) {
				t.Fatalf("Pending: %v", perr)
			}
			return
		}
		st, _ := strconv.ParseInt(start, 10, 64)
		n, _ := strconv.Atoi(attempts)
		if auth.UserOf(p.User).ID != u.ID || h != hash || time.Unix(0, st).After(now.Add(time.Minute)) ||
			!now.Before(time.Unix(0, st).Add(mfa.DefaultPendingTimeout)) || n < 0 || n >= mfa.DefaultMaxAttempts {
			t.Fatalf("accepted pending state %q %q %q %q %q", id, backend, h, start, attempts)
		}
	})
}
