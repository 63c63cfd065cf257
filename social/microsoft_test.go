package social_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
)

// msStub is a Microsoft-shaped multi-tenant OpenID provider: its
// discovery document names the issuer ".../{tenantid}/v2.0", and each ID
// token's iss is that with a tenant filled in (issTenant), next to its tid
// claim (tidClaim); the two differ when a test wants them to.
type msStub struct {
	srv                 *httptest.Server
	key                 *rsa.PrivateKey
	mu                  sync.Mutex
	nonces              map[string]string // code -> nonce
	issTenant, tidClaim string
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (m *msStub) sign(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "ms-1", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, m.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return in + "." + b64(sig)
}

func newMSStub(t *testing.T) *msStub {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	m := &msStub{key: key, nonces: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /common/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := m.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                base + "/{tenantid}/v2.0",
			"authorization_endpoint":                base + "/common/oauth2/v2.0/authorize",
			"token_endpoint":                        base + "/common/oauth2/v2.0/token",
			"jwks_uri":                              base + "/common/discovery/v2.0/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /common/discovery/v2.0/keys", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "ms-1", "use": "sig",
			"alg": "RS256", "n": b64(m.key.N.Bytes()), "e": b64(big.NewInt(int64(m.key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /common/oauth2/v2.0/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		m.mu.Lock()
		code := fmt.Sprintf("ms-code-%d", len(m.nonces))
		m.nonces[code] = q.Get("nonce")
		m.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /common/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		m.mu.Lock()
		nonce, ok := m.nonces[r.PostForm.Get("code")]
		delete(m.nonces, r.PostForm.Get("code"))
		iss, tid := m.issTenant, m.tidClaim
		m.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant"}`)
			return
		}
		now := time.Now().Unix()
		idt := m.sign(map[string]any{"iss": m.srv.URL + "/" + iss + "/v2.0", "tid": tid, "aud": "ms-client",
			"sub": "pairwise-sub", "oid": "00000000-0000-0000-66f3-3332eca7ea81", "nonce": nonce,
			"iat": now, "exp": now + 3600, "email": "someone@contoso.example", "preferred_username": "someone@contoso.example"})
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "ms-at", "token_type": "Bearer", "expires_in": 3600, "id_token": idt})
	})
	m.srv = httptest.NewServer(mux)
	t.Cleanup(m.srv.Close)
	return m
}

// TestMicrosoftMultiTenant: the multi-tenant issuer template is accepted
// in discovery, and each token's iss must be the template filled with the
// token's own tid; the uid is the oid claim, as allauth's Microsoft
// provider stores, and Microsoft's unverified email creates no address.
func TestMicrosoftMultiTenant(t *testing.T) {
	ms := newMSStub(t)
	s := newSite(t, func(base string, cfg *social.Config[auth.User]) {
		c := social.Microsoft("common", "ms-client", "ms-secret")
		c.Issuer = ms.srv.URL + "/common/v2.0"
		c.TenantIssuer = ms.srv.URL + "/{tenantid}/v2.0"
		p, err := social.NewOIDC(c)
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	})
	login := func(issTenant, tid string) (*browser, page) {
		ms.mu.Lock()
		ms.issTenant, ms.tidClaim = issTenant, tid
		ms.mu.Unlock()
		b := newBrowser(t)
		p := b.do("GET", b.start(s, "microsoft", nil), nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		return b, b.do("GET", p.loc, nil)
	}

	s.log.take()
	b, p := login("72f988bf-86f1-41af-91ab-2d7cd011db47", "72f988bf-86f1-41af-91ab-2d7cd011db47")
	require.Equal(t, http.StatusFound, p.status, p.body+s.log.take())
	assert.True(t, strings.HasPrefix(b.whoami(s), "user=someone"), b.whoami(s))
	acct, err := s.store.GetAccount(t.Context(), "microsoft", "00000000-0000-0000-66f3-3332eca7ea81")
	require.NoError(t, err)
	u, err := s.users.GetUser(t.Context(), acct.UserID)
	require.NoError(t, err)
	assert.Empty(t, u.Email, "Microsoft asserts no email_verified")

	// A token of one tenant claiming to be of another is refused.
	b, p = login("72f988bf-86f1-41af-91ab-2d7cd011db47", "9188040d-6c67-4c5b-b112-36a304b66dad")
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, s.log.take(), "is not the tenant's")
	assert.Equal(t, "user=", b.whoami(s))
}
