package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONAPIMounted: the demo site serves the JSON API under /api/auth/,
// and a client without cookies signs in with a token and reads me.
func TestJSONAPIMounted(t *testing.T) {
	s := startSite(t, config{Demo: true, InsecureCookies: true})
	resp, err := http.Get(s.srv.URL + "/api/auth/openapi.json")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Post(s.srv.URL+"/api/auth/signin", "application/json",
		strings.NewReader(`{"username":"alice","password":"`+s.demos["alice"]+`","transport":"token"}`))
	require.NoError(t, err)
	var in struct {
		Status       string `json:"status"`
		SessionToken string `json:"session_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&in))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "authenticated", in.Status)

	req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/api/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+in.SessionToken)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var me struct {
		User        struct{ Username string } `json:"user"`
		Permissions []string                  `json:"permissions"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&me))
	resp.Body.Close()
	assert.Equal(t, "alice", me.User.Username)
	assert.Contains(t, me.Permissions, "reports.view_report")
}
