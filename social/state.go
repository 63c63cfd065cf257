package social

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Session keys of the flows. Their values are JSON text, so that any
// session codec (gob, or Django's JSON in django_session) carries them.
const (
	// SessionKeyLogin holds the login under way: the provider, state,
	// nonce, PKCE verifier, "next" and the time it started. The callback
	// takes it out of the session before anything else, so it serves
	// once.
	SessionKeyLogin = "_social_login"
	// SessionKeyPendingLink holds an identity whose verified email
	// belongs to an existing account, waiting for the person to log in to
	// that account and confirm the link.
	SessionKeyPendingLink = "_social_pending_link"
)

// maxSessionValue bounds what decodeLogin and decodePending accept.
const maxSessionValue = 64 << 10

var errBadSessionValue = errors.New("social: malformed session value")

// loginState is the value of SessionKeyLogin.
type loginState struct {
	Provider string `json:"p"`
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"next,omitempty"`
	Started  int64  `json:"t"`
	// ConnectUser is the logged-in user who asked to link an identity
	// to their account (0 for a login).
	ConnectUser int64 `json:"u,omitempty"`
}

func (s loginState) encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// decodeLogin parses a SessionKeyLogin value.
func decodeLogin(v string) (loginState, error) {
	var s loginState
	if err := decodeJSON(v, &s); err != nil {
		return loginState{}, err
	}
	if s.Provider == "" || s.State == "" || s.Nonce == "" || s.Verifier == "" || s.Started <= 0 || s.ConnectUser < 0 {
		return loginState{}, fmt.Errorf("%w: incomplete login state", errBadSessionValue)
	}
	return s, nil
}

// pendingLink is the value of SessionKeyPendingLink.
type pendingLink struct {
	Provider  string         `json:"p"`
	UID       string         `json:"uid"`
	Email     string         `json:"email"`
	ExtraData map[string]any `json:"extra"`
	// Users are the ids of the accounts whose email matched.
	Users   []int64 `json:"users"`
	Next    string  `json:"next,omitempty"`
	Created int64   `json:"t"`
}

func (p pendingLink) encode() (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("social: encode pending link: %w", err)
	}
	if len(b) > maxSessionValue {
		return "", fmt.Errorf("social: pending link of %d bytes is too large", len(b))
	}
	return string(b), nil
}

// decodePending parses a SessionKeyPendingLink value.
func decodePending(v string) (pendingLink, error) {
	var p pendingLink
	if err := decodeJSON(v, &p); err != nil {
		return pendingLink{}, err
	}
	if p.Provider == "" || p.UID == "" || p.Created <= 0 || len(p.Users) == 0 {
		return pendingLink{}, fmt.Errorf("%w: incomplete pending link", errBadSessionValue)
	}
	for _, id := range p.Users {
		if id <= 0 {
			return pendingLink{}, fmt.Errorf("%w: user id %d", errBadSessionValue, id)
		}
	}
	return p, nil
}

func decodeJSON(v string, dst any) error {
	if v == "" || len(v) > maxSessionValue || !utf8.ValidString(v) {
		return errBadSessionValue
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		return fmt.Errorf("%w: %w", errBadSessionValue, err)
	}
	return nil
}

// fresh reports whether something started at unix time started is
// younger than ttl at now, allowing a minute of clock skew between
// instances.
func fresh(started int64, now time.Time, ttl time.Duration) bool {
	t := time.Unix(started, 0)
	return now.Before(t.Add(ttl)) && t.Before(now.Add(time.Minute))
}
