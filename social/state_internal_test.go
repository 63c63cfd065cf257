package social

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoginStateRoundTrip(t *testing.T) {
	st := loginState{Provider: "github", State: "s", Nonce: "n", Verifier: "v", Next: "/x/", Started: 1700000000, ConnectUser: 4}
	got, err := decodeLogin(st.encode())
	require.NoError(t, err)
	assert.Equal(t, st, got)
	for _, bad := range []string{"", "{", `{"p":"github"}`, `{"p":"g","s":"s","n":"n","v":"v","t":0}`,
		`{"p":"g","s":"s","n":"n","v":"v","t":1,"u":-1}`, "\xff", strings.Repeat(" ", maxSessionValue+1)} {
		_, err := decodeLogin(bad)
		assert.ErrorIs(t, err, errBadSessionValue, "%q", bad)
	}
}

func TestFresh(t *testing.T) {
	now := time.Unix(1700000000, 0)
	assert.True(t, fresh(now.Unix(), now, time.Minute))
	assert.False(t, fresh(now.Add(-time.Minute).Unix(), now, time.Minute))
	assert.True(t, fresh(now.Add(30*time.Second).Unix(), now, time.Minute), "skew of another instance")
	assert.False(t, fresh(now.Add(2*time.Minute).Unix(), now, 10*time.Minute), "from the future")
}

// FuzzSessionValues: no session value, whatever it holds, makes the
// decoders panic, and what they accept is complete.
func FuzzSessionValues(f *testing.F) {
	f.Add(loginState{Provider: "github", State: "s", Nonce: "n", Verifier: "v", Started: 1}.encode())
	pl, _ := pendingLink{Provider: "p", UID: "u", Users: []int64{1}, Created: 1, ExtraData: map[string]any{"a": 1}}.encode()
	f.Add(pl)
	f.Add(`{"p":"x","uid":"y","users":[0],"t":1}`)
	f.Add(`{"p":1}`)
	f.Fuzz(func(t *testing.T, v string) {
		if st, err := decodeLogin(v); err == nil {
			if st.Provider == "" || st.State == "" || st.Nonce == "" || st.Verifier == "" || st.Started <= 0 {
				t.Fatalf("accepted incomplete %+v", st)
			}
		}
		if p, err := decodePending(v); err == nil {
			if p.Provider == "" || p.UID == "" || len(p.Users) == 0 {
				t.Fatalf("accepted incomplete %+v", p)
			}
			if _, err := p.encode(); err != nil && len(v) < maxSessionValue/2 {
				t.Fatalf("re-encode: %v", err)
			}
		}
	})
}

func TestTenantIssuer(t *testing.T) {
	tmpl := "https://login.microsoftonline.com/{tenantid}/v2.0"
	tid := "9188040d-6c67-4c5b-b112-36a304b66dad"
	assert.True(t, TenantIssuerMatches(tmpl, "https://login.microsoftonline.com/"+tid+"/v2.0", tid))
	assert.False(t, TenantIssuerMatches(tmpl, "https://login.microsoftonline.com/other/v2.0", tid))
	assert.False(t, TenantIssuerMatches(tmpl, "https://login.microsoftonline.com//v2.0", ""))
	assert.False(t, TenantIssuerMatches(tmpl, "https://evil.example/x/v2.0", "x/../../evil"))
	assert.False(t, TenantIssuerMatches("https://fixed/v2.0", "https://fixed/v2.0", tid))
	ms := Microsoft("", "c", "s")
	assert.Equal(t, "https://login.microsoftonline.com/common/v2.0", ms.Issuer)
	assert.Equal(t, tmpl, ms.TenantIssuer)
	assert.Equal(t, "oid", ms.UIDClaim)
	assert.Empty(t, Microsoft("contoso.onmicrosoft.com", "c", "s").TenantIssuer)
}

func TestGitHubIdentity(t *testing.T) {
	var user map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"id": 42, "login": "octo", "name": "Mona Lisa Octocat", "email": "public@example.com"}`))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&user))
	id, err := githubIdentity(user, []githubEmail{{"a@example.com", false, true}, {"b@example.com", true, false}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "42", id.UID)
	assert.Equal(t, "public@example.com", id.Email)
	assert.False(t, id.EmailVerified, "neither the public email nor an unverified primary counts")
	assert.Equal(t, "Mona", id.FirstName)
	assert.Equal(t, "Lisa Octocat", id.LastName)
	id, err = githubIdentity(user, []githubEmail{{"b@example.com", true, true}}, nil)
	require.NoError(t, err)
	assert.True(t, id.EmailVerified)
	assert.Equal(t, "b@example.com", id.Email)
	for _, bad := range []string{`{"login":"x"}`, `{"id":"42"}`, `{"id":4.2}`, `{"id":-1}`} {
		var u map[string]any
		dec := json.NewDecoder(strings.NewReader(bad))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&u))
		_, err := githubIdentity(u, nil, nil)
		assert.ErrorIs(t, err, ErrProvider, bad)
	}
}

func TestUsernameFor(t *testing.T) {
	for _, c := range []struct {
		id   Identity
		want string
	}{
		{Identity{Username: "octo"}, "octo"},
		{Identity{Username: "Zoë Q", Email: "z@example.com"}, "ZoQ"},
		{Identity{Email: "first.last+tag@example.com"}, "first.last+tag"},
		{Identity{Username: "...", FirstName: "日本"}, "user"},
		{Identity{Username: strings.Repeat("a", 200)}, strings.Repeat("a", maxUsernameBase)},
		{Identity{Username: "<script>"}, "script"},
	} {
		assert.Equal(t, c.want, UsernameFor(&c.id), "%+v", c.id)
	}
}
