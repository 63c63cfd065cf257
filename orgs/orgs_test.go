package orgs_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

type env struct {
	users  *memory.Store[auth.User]
	store  *orgs.MemoryStore
	a      *auth.Auth[auth.User]
	o      *orgs.Orgs[auth.User]
	outbox *mail.Outbox
	now    time.Time
	mu     sync.Mutex
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }

func (e *env) advance(d time.Duration) { e.mu.Lock(); e.now = e.now.Add(d); e.mu.Unlock() }

func newEnv(t *testing.T, edit func(*orgs.Config[auth.User])) *env {
	t.Helper()
	e := &env{users: memory.New[auth.User](), store: orgs.NewMemoryStore(), outbox: &mail.Outbox{},
		now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	var err error
	e.a, err = auth.New(auth.Config[auth.User]{Store: e.users, SecretKey: "orgs-test-secret-key-0123456789abcdef"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.a.Close() })
	cfg := orgs.Config[auth.User]{Auth: e.a, Store: e.store, Mailer: e.outbox, BaseURL: "https://example.com/", Now: e.clock}
	if edit != nil {
		edit(&cfg)
	}
	e.o, err = orgs.New(cfg)
	require.NoError(t, err)
	return e
}

func (e *env) user(t *testing.T, name, email string) *auth.User {
	t.Helper()
	u := auth.NewUser(name)
	u.Email = email
	require.NoError(t, e.users.CreateUser(context.Background(), &u))
	return &u
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	a, err := auth.New(auth.Config[auth.User]{Store: memory.New[auth.User](), SecretKey: "orgs-test-secret-key-0123456789abcdef"})
	require.NoError(t, err)
	defer a.Close()
	for name, cfg := range map[string]orgs.Config[auth.User]{
		"no Auth":              {Store: orgs.NewMemoryStore()},
		"no Store":             {Auth: a},
		"Mailer, no BaseURL":   {Auth: a, Store: orgs.NewMemoryStore(), Mailer: &mail.Outbox{}},
		"Mailer, bad BaseURL":  {Auth: a, Store: orgs.NewMemoryStore(), Mailer: &mail.Outbox{}, BaseURL: "example.com"},
		"negative TTL":         {Auth: a, Store: orgs.NewMemoryStore(), InvitationTTL: -time.Second},
		"negative MaxFailures": {Auth: a, Store: orgs.NewMemoryStore(), MaxFailures: -1},
	} {
		_, err := orgs.New(cfg)
		assert.ErrorIs(t, err, orgs.ErrConfig, name)
	}
	_, err = orgs.New(orgs.Config[auth.User]{Auth: a, Store: orgs.NewMemoryStore()})
	assert.NoError(t, err, "the zero rest is valid")
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Acme Corp":          "acme-corp",
		"  Hello -- World  ": "hello-world",
		"Zoë's Café":         "zos-caf",
		"under_score":        "under_score",
		"--x--":              "x",
		"日本":                 "",
		"a\tb\nc":            "a-b-c",
		"A.B,C":              "abc",
	} {
		assert.Equal(t, want, orgs.Slugify(in), in)
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Acme Corp", "--x--", "Zoë", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := orgs.Slugify(s)
		if got != "" && (strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--")) {
			t.Fatalf("Slugify(%q) = %q", s, got)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				t.Fatalf("Slugify(%q) = %q", s, got)
			}
		}
		if orgs.Slugify(got) != got {
			t.Fatalf("Slugify is not idempotent on %q", got)
		}
	})
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	ann := e.user(t, "ann", "ann@example.com")
	org, err := e.o.CreateOrganization(ctx, ann, "  Acme Corp ", "")
	require.NoError(t, err)
	assert.Equal(t, "Acme Corp", org.Name)
	assert.Equal(t, "acme-corp", org.Slug)
	_, err = e.o.CreateOrganization(ctx, ann, "Acme Corp", "")
	assert.ErrorIs(t, err, orgs.ErrSlugTaken)
	for name, args := range map[string][2]string{
		"empty name":   {"  ", "x"},
		"long name":    {strings.Repeat("n", 201), "x"},
		"bad slug":     {"Name", "a b"},
		"slug of none": {"日本", ""},
		"long slug":    {"Name", strings.Repeat("s", 201)},
	} {
		_, err := e.o.CreateOrganization(ctx, ann, args[0], args[1])
		assert.ErrorIs(t, err, orgs.ErrInvalid, name)
	}
	_, err = e.o.CreateOrganization(ctx, nil, "Anon", "anon")
	assert.ErrorIs(t, err, auth.ErrLoginRequired)
	inactive := *ann
	inactive.IsActive = false
	_, err = e.o.CreateOrganization(ctx, &inactive, "Off", "off")
	assert.ErrorIs(t, err, auth.ErrLoginRequired)
}

func TestInviteMailsLinkAndStoresOnlyTheHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *orgs.Config[auth.User]) { c.From = "Acme <noreply@example.com>" })
	ctx := context.Background()
	ann := e.user(t, "ann", "ann@example.com")
	ann.FirstName, ann.LastName = "Ann", "Admin"
	org, err := e.o.CreateOrganization(ctx, ann, "Acme", "acme")
	require.NoError(t, err)
	inv, link, err := e.o.Invite(ctx, ann, org.ID, "bob@example.com", nil, false)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(link, "https://example.com"+orgs.DefaultAcceptPath), link)
	token := strings.TrimSuffix(strings.TrimPrefix(link, "https://example.com"+orgs.DefaultAcceptPath), "/")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	require.NoError(t, err)
	assert.Len(t, raw, 32)
	sum := sha256.Sum256(raw)
	assert.Equal(t, sum[:], inv.TokenHash, "SHA-256 of the token")
	assert.NotContains(t, string(inv.TokenHash), token)
	assert.True(t, inv.ExpiresAt.Equal(e.now.Add(orgs.DefaultInvitationTTL)))

	msgs := e.outbox.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "Acme <noreply@example.com>", msgs[0].From)
	assert.Equal(t, []string{"bob@example.com"}, msgs[0].To)
	assert.Equal(t, "Invitation to join Acme", msgs[0].Subject)
	assert.Contains(t, msgs[0].Text, link)
	assert.Contains(t, msgs[0].Text, "Ann Admin invited you")

	_, link2, err := e.o.Invite(ctx, ann, org.ID, "bob@example.com", nil, false)
	require.NoError(t, err)
	assert.NotEqual(t, link, link2, "a new token every time")

	for _, bad := range []string{"", "not an address", "Bob <bob@example.com>", "a@b.c\r\nBcc: x@y.z"} {
		_, _, err := e.o.Invite(ctx, ann, org.ID, bad, nil, false)
		assert.ErrorIs(t, err, orgs.ErrInvalid, bad)
	}
	assert.Equal(t, 2, e.outbox.Len())
}

type failingMailer struct{}

func (failingMailer) Send(context.Context, mail.Message) error { return errors.New("smtp down") }

func TestInviteMailFailureLeavesNoInvitation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *orgs.Config[auth.User]) { c.Mailer = failingMailer{} })
	ctx := context.Background()
	ann := e.user(t, "ann", "ann@example.com")
	org, err := e.o.CreateOrganization(ctx, ann, "Acme", "acme")
	require.NoError(t, err)
	_, link, err := e.o.Invite(ctx, ann, org.ID, "bob@example.com", nil, false)
	assert.ErrorContains(t, err, "smtp down")
	assert.Empty(t, link)
	list, err := e.store.Invitations(ctx, org.ID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestAccept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T, edit func(*orgs.Config[auth.User])) (*env, orgs.Organization, *auth.User, string) {
		e := newEnv(t, edit)
		ann := e.user(t, "ann", "ann@example.com")
		org, err := e.o.CreateOrganization(ctx, ann, "Acme", "acme")
		require.NoError(t, err)
		_, link, err := e.o.Invite(ctx, ann, org.ID, "Bob@Example.com", nil, false)
		require.NoError(t, err)
		return e, org, ann, strings.TrimSuffix(link[strings.LastIndex(strings.TrimSuffix(link, "/"), "/")+1:], "/")
	}
	t.Run("expired by the clock", func(t *testing.T) {
		e, _, _, token := setup(t, nil)
		bob := e.user(t, "bob", "bob@example.com")
		e.advance(orgs.DefaultInvitationTTL + time.Second)
		_, err := e.o.Accept(ctx, nil, bob, token)
		assert.ErrorIs(t, err, orgs.ErrInvitationExpired)
	})
	t.Run("custom TTL", func(t *testing.T) {
		e, _, _, token := setup(t, func(c *orgs.Config[auth.User]) { c.InvitationTTL = time.Hour })
		bob := e.user(t, "bob", "BOB@example.com")
		e.advance(59 * time.Minute)
		_, err := e.o.Accept(ctx, nil, bob, token)
		assert.NoError(t, err)
	})
	t.Run("malformed tokens", func(t *testing.T) {
		e, _, _, token := setup(t, func(c *orgs.Config[auth.User]) { c.MaxFailures = 100 })
		bob := e.user(t, "bob", "bob@example.com")
		for _, bad := range []string{"", "!!!", token[:10], token + "AA", strings.ToUpper(token), "%00"} {
			_, err := e.o.Accept(ctx, nil, bob, bad)
			assert.ErrorIs(t, err, orgs.ErrInvalidInvitation, bad)
		}
		_, err := e.o.Accept(ctx, nil, nil, token)
		assert.ErrorIs(t, err, auth.ErrLoginRequired)
	})
	t.Run("user without email", func(t *testing.T) {
		e, _, _, token := setup(t, nil)
		_, err := e.o.Accept(ctx, nil, e.user(t, "noemail", ""), token)
		assert.ErrorIs(t, err, orgs.ErrWrongInvitee)
	})
	t.Run("EmailVerified", func(t *testing.T) {
		verified := false
		e, org, _, token := setup(t, func(c *orgs.Config[auth.User]) {
			c.EmailVerified = func(_ context.Context, _ int64, email string) (bool, error) {
				assert.Equal(t, "Bob@Example.com", email)
				return verified, nil
			}
		})
		bob := e.user(t, "bob", "bob@example.com")
		_, err := e.o.Accept(ctx, nil, bob, token)
		assert.ErrorIs(t, err, orgs.ErrWrongInvitee)
		verified = true
		m, err := e.o.Accept(ctx, nil, bob, token)
		require.NoError(t, err)
		assert.Equal(t, org.ID, m.OrgID)
	})
	t.Run("one user, 16 concurrent acceptances", func(t *testing.T) {
		e, org, _, token := setup(t, func(c *orgs.Config[auth.User]) { c.MaxFailures = 100 })
		bob := e.user(t, "bob", "bob@example.com")
		errs := make([]error, 16)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = e.o.Accept(ctx, nil, bob, token) }()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if !errors.Is(err, orgs.ErrInvitationUsed) {
				t.Errorf("unexpected error %v", err)
			}
		}
		assert.Equal(t, 1, won)
		ms, err := e.store.Members(ctx, org.ID)
		require.NoError(t, err)
		assert.Len(t, ms, 2)
	})
}

func TestSignals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	var (
		mu     sync.Mutex
		events []string
		req    *http.Request
	)
	rec := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	sig := e.o.Signals()
	sig.MemberAdded.Connect(func(_ context.Context, ev orgs.MemberAdded) { rec("added:" + ev.Via) })
	sig.MemberRemoved.Connect(func(_ context.Context, ev orgs.MemberRemoved) { rec("removed") })
	sig.InvitationSent.Connect(func(_ context.Context, ev orgs.InvitationSent) {
		if ev.Revoked {
			rec("revoked")
		} else {
			rec("invited")
		}
	})
	sig.InvitationAccepted.Connect(func(_ context.Context, ev orgs.InvitationAccepted) { rec("accepted") })
	sig.RoleChanged.Connect(func(_ context.Context, ev orgs.RoleChanged) {
		rec(ev.Kind)
		if ev.Kind == orgs.RoleAssigned {
			mu.Lock()
			req = ev.Request
			mu.Unlock()
		}
	})
	ann := e.user(t, "ann", "ann@example.com")
	bob := e.user(t, "bob", "bob@example.com")
	org, err := e.o.CreateOrganization(ctx, ann, "Acme", "acme")
	require.NoError(t, err)
	inv, link, err := e.o.Invite(ctx, ann, org.ID, "bob@example.com", nil, false)
	require.NoError(t, err)
	require.NoError(t, e.o.Revoke(ctx, ann, org.ID, inv.ID))
	_, link, err = e.o.Invite(ctx, ann, org.ID, "bob@example.com", nil, false)
	require.NoError(t, err)
	_, err = e.o.Accept(ctx, nil, bob, link[strings.LastIndex(strings.TrimSuffix(link, "/"), "/")+1:len(link)-1])
	require.NoError(t, err)
	r, err := e.o.CreateRole(ctx, ann, org.ID, "editor")
	require.NoError(t, err)

	// A call made within the Orgs middleware carries its request.
	h := e.a.Middleware(e.o.Middleware(http.HandlerFunc(func(w http.ResponseWriter, rq *http.Request) {
		require.NoError(t, e.o.AssignRole(rq.Context(), ann, org.ID, bob.ID, r.ID))
	})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/roles/", nil))
	require.NoError(t, e.o.SetAdmin(ctx, ann, org.ID, bob.ID, true))
	require.NoError(t, e.o.TransferOwnership(ctx, ann, org.ID, bob.ID))
	require.NoError(t, e.o.RemoveMember(ctx, ann, org.ID, ann.ID), "a member may leave")
	assert.Equal(t, []string{"added:create", "invited", "revoked", "invited", "added:invitation", "accepted",
		orgs.RoleCreated, orgs.RoleAssigned, orgs.AdminGranted, orgs.OwnerTransferred, "removed"}, events)
	require.NotNil(t, req, "the request of the middleware")
	assert.Equal(t, "/roles/", req.URL.Path)
}

// recLimiter records its calls and refuses once refuse is set.
type recLimiter struct {
	mu     sync.Mutex
	calls  []string
	refuse bool
}

func (l *recLimiter) log(op, scope, key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, op+" "+scope+" "+key)
}

func (l *recLimiter) Check(_ context.Context, _ *http.Request, scope, key string) (time.Duration, bool, error) {
	l.log("check", scope, key)
	if l.refuse {
		return time.Minute, true, nil
	}
	return 0, false, nil
}

func (l *recLimiter) Fail(_ context.Context, _ *http.Request, scope, key string) (time.Duration, bool, error) {
	l.log("fail", scope, key)
	return 0, false, nil
}

func (l *recLimiter) Succeed(_ context.Context, _ *http.Request, scope, key string) error {
	l.log("succeed", scope, key)
	return nil
}

func TestAcceptUsesTheLimiter(t *testing.T) {
	t.Parallel()
	l := &recLimiter{}
	e := newEnv(t, func(c *orgs.Config[auth.User]) { c.Limiter = l })
	ctx := context.Background()
	ann := e.user(t, "ann", "ann@example.com")
	bob := e.user(t, "bob", "bob@example.com")
	org, err := e.o.CreateOrganization(ctx, ann, "Acme", "acme")
	require.NoError(t, err)
	_, link, err := e.o.Invite(ctx, ann, org.ID, "bob@example.com", nil, false)
	require.NoError(t, err)
	token := link[strings.LastIndex(strings.TrimSuffix(link, "/"), "/")+1 : len(link)-1]
	key := strconv.FormatInt(bob.ID, 10)

	_, err = e.o.Accept(ctx, nil, ann, token)
	assert.ErrorIs(t, err, orgs.ErrWrongInvitee)
	_, err = e.o.Accept(ctx, nil, bob, "wrong")
	assert.ErrorIs(t, err, orgs.ErrInvalidInvitation)
	l.refuse = true
	_, err = e.o.Accept(ctx, nil, bob, token)
	var te *orgs.ThrottledError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, time.Minute, te.RetryAfter)
	l.refuse = false
	_, err = e.o.Accept(ctx, nil, bob, token)
	require.NoError(t, err)
	annKey := strconv.FormatInt(ann.ID, 10)
	s := orgs.LimitScopeInvitation
	assert.Equal(t, []string{"check " + s + " " + annKey, "fail " + s + " " + annKey,
		"check " + s + " " + key, "fail " + s + " " + key,
		"check " + s + " " + key,
		"check " + s + " " + key, "succeed " + s + " " + key}, l.calls)
}

func TestNotFoundJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	h := e.a.Middleware(e.o.MemberRequired(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("reached the handler")
	})))
	mux := http.NewServeMux()
	mux.Handle("GET /o/{org}/", h)
	ann := e.user(t, "ann", "ann@example.com")
	cookie, err := testkit.LoginUser(context.Background(), e.a, ann, testkit.LoginOptions{})
	require.NoError(t, err)
	for accept, want := range map[string]string{
		"application/json":     `{"error":"not found"}` + "\n",
		"text/html, */*;q=0.1": "404 page not found\n",
		"":                     "404 page not found\n",
	} {
		req := httptest.NewRequest(http.MethodGet, "/o/nowhere/", nil)
		req.Header.Set("Accept", accept)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusNotFound, rec.Code, accept)
		assert.Equal(t, want, rec.Body.String(), accept)
	}
}
