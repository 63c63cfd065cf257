package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/stretchr/testify/require"
)

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagAT = 0x40
)

// Authenticator is a software authenticator for tests that need no
// browser: one ES256 key per credential, "none" attestation, and the
// clientDataJSON a browser would write. Its fields let a test lie the
// way an attacker or a broken authenticator would: another origin or RP
// ID, no user verification, a counter that goes back (Cred.Count).
type Authenticator struct {
	t      testing.TB
	Origin string // reported in clientDataJSON
	RPID   string // hashed into authenticatorData
	UV     bool   // user verified flag
}

// Cred is a credential of an Authenticator.
type Cred struct {
	id     []byte
	key    *ecdsa.PrivateKey
	handle []byte // user.id given at registration
	// Count is the last signCount reported; Get reports Count+1.
	Count uint32
}

// NewAuthenticator returns an Authenticator that reports origin and
// signs for rpID, with user verification.
func NewAuthenticator(t testing.TB, origin, rpID string) *Authenticator {
	return &Authenticator{t: t, Origin: origin, RPID: rpID, UV: true}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (s *Authenticator) clientData(typ string, challenge []byte) []byte {
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": b64(challenge), "origin": s.Origin, "crossOrigin": false})
	require.NoError(s.t, err)
	return b
}

func (s *Authenticator) authData(flags byte, count uint32, attested []byte) []byte {
	h := sha256.Sum256([]byte(s.RPID))
	out := append([]byte{}, h[:]...)
	if s.UV {
		flags |= flagUV
	}
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, count)
	return append(out, attested...)
}

// Create answers navigator.credentials.create for opts and returns the
// JSON a browser would send (passkey.js's shape), with the new
// credential.
func (s *Authenticator) Create(opts *protocol.CredentialCreation) ([]byte, *Cred) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(s.t, err)
	var handle []byte
	switch id := opts.Response.User.ID.(type) {
	case protocol.URLEncodedBase64:
		handle = id
	case []byte:
		handle = id
	case string: // decoded from JSON: base64url
		var err error
		handle, err = base64.RawURLEncoding.DecodeString(id)
		if err != nil {
			s.t.Fatalf("user.id %q: %v", id, err)
		}
	default:
		s.t.Fatalf("user.id is a %T", id)
	}
	c := &Cred{id: make([]byte, 16), key: key, handle: handle}
	_, _ = rand.Read(c.id)
	pub, err := key.PublicKey.ECDH()
	require.NoError(s.t, err)
	raw := pub.Bytes() // 0x04 || X || Y
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:]})
	require.NoError(s.t, err)
	attested := make([]byte, 16) // AAGUID of zeroes
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(c.id)))
	attested = append(attested, c.id...)
	attested = append(attested, cose...)
	obj, err := webauthncbor.Marshal(map[string]any{
		"fmt": "none", "attStmt": map[string]any{}, "authData": s.authData(flagUP|flagBE|flagAT, 0, attested),
	})
	require.NoError(s.t, err)
	body, err := json.Marshal(map[string]any{
		"id": b64(c.id), "rawId": b64(c.id), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64(s.clientData("webauthn.create", opts.Response.Challenge)),
			"attestationObject": b64(obj), "transports": []string{"internal"},
		},
	})
	require.NoError(s.t, err)
	return body, c
}

// Get answers navigator.credentials.get for opts with the credential c
// (chosen by the test, whatever opts allow) and returns the JSON.
func (s *Authenticator) Get(opts *protocol.CredentialAssertion, c *Cred) []byte {
	c.Count++
	ad := s.authData(flagUP|flagBE, c.Count, nil)
	cd := s.clientData("webauthn.get", opts.Response.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	require.NoError(s.t, err)
	body, err := json.Marshal(map[string]any{
		"id": b64(c.id), "rawId": b64(c.id), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64(cd), "authenticatorData": b64(ad), "signature": b64(sig), "userHandle": b64(c.handle),
		},
	})
	require.NoError(s.t, err)
	return body
}
