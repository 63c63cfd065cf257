package passkey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
)

// The kinds of ceremony, each kept under its own session key so that a
// page waiting on conditional UI does not cancel a registration.
const (
	ceremonyRegister     = "register"
	ceremonyLogin        = "login"
	ceremonyPasswordless = "passwordless"
)

// sessionKeyPrefix prefixes the session keys of ceremony state.
const sessionKeyPrefix = "_passkey_ceremony_"

// ceremony is the server-side state of one begun ceremony, kept JSON
// encoded ([]byte) in the session.
type ceremony struct {
	// UserID is the user the ceremony was begun for; 0 for passwordless.
	UserID int64 `json:"user_id"`
	// Expires is when the ceremony stops being accepted (Unix ns).
	Expires int64                `json:"expires"`
	Data    webauthn.SessionData `json:"data"`
}

// checkSession returns auth.ErrNoSession when ctx carries no session of
// p's manager: scs would panic on it.
func (p *Passkeys) checkSession(ctx context.Context) error {
	// Load returns ctx itself when it already holds the session data.
	if loaded, err := p.sessions.Load(ctx, ""); err != nil || loaded != ctx {
		return fmt.Errorf("passkey: %w", auth.ErrNoSession)
	}
	return nil
}

func (p *Passkeys) saveCeremony(ctx context.Context, kind string, userID int64, data *webauthn.SessionData) error {
	b, err := json.Marshal(ceremony{UserID: userID, Expires: p.now().Add(p.timeout).UnixNano(), Data: *data})
	if err != nil {
		return fmt.Errorf("passkey: encode ceremony: %w", err)
	}
	p.sessions.Put(ctx, sessionKeyPrefix+kind, b)
	return nil
}

// takeCeremony removes the ceremony of kind from the session and returns
// it if it was begun for userID and has not expired. It is removed
// whatever the outcome: a challenge is good for one finish.
func (p *Passkeys) takeCeremony(ctx context.Context, kind string, userID int64) (webauthn.SessionData, error) {
	if err := p.checkSession(ctx); err != nil {
		return webauthn.SessionData{}, err
	}
	raw, ok := p.sessions.Pop(ctx, sessionKeyPrefix+kind).([]byte)
	if !ok {
		return webauthn.SessionData{}, ErrNoCeremony
	}
	var c ceremony
	if err := json.Unmarshal(raw, &c); err != nil || c.Data.Challenge == "" {
		return webauthn.SessionData{}, ErrNoCeremony
	}
	if c.UserID != userID {
		return webauthn.SessionData{}, fmt.Errorf("%w: begun for another user", ErrNoCeremony)
	}
	if !p.now().Before(time.Unix(0, c.Expires)) {
		return webauthn.SessionData{}, fmt.Errorf("%w: expired", ErrNoCeremony)
	}
	return c.Data, nil
}

// BeginRegistration starts registering a new passkey for the user userID,
// whose username and display name the authenticator may show. It returns
// the options for navigator.credentials.create ({"publicKey": ...}),
// excluding the user's existing credentials and asking for a
// discoverable credential, so that the passkey also signs in without a
// password. ctx must carry the session (Auth.Middleware); without one
// every ceremony method returns an error wrapping auth.ErrNoSession.
func (p *Passkeys) BeginRegistration(ctx context.Context, userID int64, username, displayName string) (*protocol.CredentialCreation, error) {
	if err := p.checkSession(ctx); err != nil {
		return nil, err
	}
	if displayName == "" {
		displayName = username
	}
	u, _, err := p.loadUser(ctx, userID, username, displayName)
	if err != nil {
		return nil, err
	}
	opts, data, err := p.wa.BeginRegistration(u,
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationPreferred,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
	)
	if err != nil {
		return nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	if err := p.saveCeremony(ctx, ceremonyRegister, userID, data); err != nil {
		return nil, err
	}
	return opts, nil
}

// FinishRegistration checks response, the JSON of the PublicKeyCredential
// that navigator.credentials.create returned, against the registration
// begun in the session for the user userID, and stores the credential
// under name (DefaultName when empty).
func (p *Passkeys) FinishRegistration(ctx context.Context, userID int64, name string, response []byte) (Credential, error) {
	data, err := p.takeCeremony(ctx, ceremonyRegister, userID)
	if err != nil {
		return Credential{}, err
	}
	name, err = cleanName(name)
	if err != nil {
		return Credential{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return Credential{}, verificationErr(err)
	}
	u, _, err := p.loadUser(ctx, userID, "", "")
	if err != nil {
		return Credential{}, err
	}
	wc, err := p.wa.CreateCredential(u, data, parsed)
	if err != nil {
		return Credential{}, verificationErr(err)
	}
	c := fromWebAuthn(wc)
	c.UserID, c.Name, c.CreatedAt = userID, name, p.now()
	if err := p.store.AddCredential(ctx, &c); err != nil {
		return Credential{}, fmt.Errorf("passkey: finish registration: %w", err)
	}
	return c, nil
}

// BeginLogin starts a second-factor sign-in of the user userID, whose
// password the login flow has checked: allowCredentials lists the
// user's credentials. A user without any gives mfa.ErrNoDevice.
func (p *Passkeys) BeginLogin(ctx context.Context, userID int64) (*protocol.CredentialAssertion, error) {
	if err := p.checkSession(ctx); err != nil {
		return nil, err
	}
	u, _, err := p.loadUser(ctx, userID, "", "")
	if err != nil {
		return nil, err
	}
	if len(u.creds) == 0 {
		return nil, fmt.Errorf("passkey: begin login: %w", mfa.ErrNoDevice)
	}
	opts, data, err := p.wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	if err := p.saveCeremony(ctx, ceremonyLogin, userID, data); err != nil {
		return nil, err
	}
	return opts, nil
}

// FinishLogin checks response, the JSON of the PublicKeyCredential that
// navigator.credentials.get returned, against the second-factor sign-in
// begun in the session for the user userID, and returns the device that
// signed. A credential of another user gives ErrVerification.
func (p *Passkeys) FinishLogin(ctx context.Context, userID int64, response []byte) (mfa.Device, error) {
	data, err := p.takeCeremony(ctx, ceremonyLogin, userID)
	if err != nil {
		return mfa.Device{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return mfa.Device{}, verificationErr(err)
	}
	u, creds, err := p.loadUser(ctx, userID, "", "")
	if err != nil {
		return mfa.Device{}, err
	}
	wc, err := p.wa.ValidateLogin(u, data, parsed)
	if err != nil {
		return mfa.Device{}, verificationErr(err)
	}
	return p.recordUse(ctx, creds, wc)
}

// BeginPasswordless starts a passwordless sign-in with a discoverable
// credential: no allowCredentials, user verification required. With
// conditional, the options carry mediation "conditional", for the
// browser's passkey autofill on a username field (autocomplete="username
// webauthn"); the JS helper passes it on.
func (p *Passkeys) BeginPasswordless(ctx context.Context, conditional bool) (*protocol.CredentialAssertion, error) {
	if p.active == nil {
		return nil, ErrPasswordlessDisabled
	}
	if err := p.checkSession(ctx); err != nil {
		return nil, err
	}
	mediation := protocol.MediationDefault
	if conditional {
		mediation = protocol.MediationConditional
	}
	opts, data, err := p.wa.BeginDiscoverableMediatedLogin(mediation,
		webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("passkey: begin passwordless: %w", err)
	}
	if err := p.saveCeremony(ctx, ceremonyPasswordless, 0, data); err != nil {
		return nil, err
	}
	return opts, nil
}

// FinishPasswordless checks response against the passwordless sign-in
// begun in the session, maps its user handle back to the user and
// returns the device that signed; Device.UserID is the user to log in.
// A user who is inactive or gone gives ErrInactiveUser.
func (p *Passkeys) FinishPasswordless(ctx context.Context, response []byte) (mfa.Device, error) {
	if p.active == nil {
		return mfa.Device{}, ErrPasswordlessDisabled
	}
	data, err := p.takeCeremony(ctx, ceremonyPasswordless, 0)
	if err != nil {
		return mfa.Device{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return mfa.Device{}, verificationErr(err)
	}
	var (
		creds  []Credential
		lookup error // a store or user failure, not the response's fault
	)
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		userID, err := p.store.UserByHandle(ctx, userHandle)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				lookup = err
			}
			return nil, err
		}
		ok, err := p.active(ctx, userID)
		if err != nil {
			lookup = fmt.Errorf("passkey: user %d: %w", userID, err)
			return nil, lookup
		}
		if !ok {
			lookup = ErrInactiveUser
			return nil, lookup
		}
		var u *waUser
		u, creds, err = p.loadUser(ctx, userID, "", "")
		if err != nil {
			lookup = err
			return nil, err
		}
		return u, nil
	}
	_, wc, err := p.wa.ValidatePasskeyLogin(handler, data, parsed)
	if lookup != nil {
		return mfa.Device{}, lookup
	}
	if err != nil {
		return mfa.Device{}, verificationErr(err)
	}
	return p.recordUse(ctx, creds, wc)
}

// recordUse saves the counter and flags that a verified assertion with wc
// reported, refusing a credential that go-webauthn flags as cloned.
func (p *Passkeys) recordUse(ctx context.Context, creds []Credential, wc *webauthn.Credential) (mfa.Device, error) {
	i := -1
	for j := range creds {
		if bytes.Equal(creds[j].CredentialID, wc.ID) {
			i = j
		}
	}
	if i < 0 {
		return mfa.Device{}, fmt.Errorf("%w: unknown credential", ErrVerification)
	}
	c := creds[i]
	u := Use{
		SignCount: wc.Authenticator.SignCount, CloneWarning: c.CloneWarning || wc.Authenticator.CloneWarning,
		UserVerified: wc.Flags.UserVerified, BackupState: wc.Flags.BackupState, At: p.now(),
	}
	if u.CloneWarning {
		// Keep the counter as it was: the assertion did not advance it.
		u.SignCount, u.At, u.UserVerified, u.BackupState = c.SignCount, c.LastUsedAt, c.UserVerified, c.BackupState
		if err := p.store.RecordUse(ctx, c.ID, u); err != nil {
			return mfa.Device{}, fmt.Errorf("passkey: record clone warning: %w", err)
		}
		return mfa.Device{}, ErrCloned
	}
	if err := p.store.RecordUse(ctx, c.ID, u); err != nil {
		return mfa.Device{}, fmt.Errorf("passkey: record use: %w", err)
	}
	return Device(c), nil
}

// verificationErr wraps a go-webauthn error as ErrVerification, keeping
// its developer detail (never secret: challenges are single use).
func verificationErr(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s: %s", ErrVerification, pe.Details, pe.DevInfo)
	}
	return fmt.Errorf("%w: %v", ErrVerification, err)
}
