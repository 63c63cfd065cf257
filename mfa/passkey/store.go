package passkey

import (
	"context"
	"errors"
	"time"
)

// A Credential is one passkey of a user: a WebAuthn public key credential
// and what the authenticator reported of it.
type Credential struct {
	// ID is the credential's ID in the Store, set by AddCredential.
	ID int64
	// UserID is the ID of the user the credential belongs to.
	UserID int64
	// Name is the name the user gave the credential ("laptop").
	Name string
	// CredentialID is the WebAuthn credential ID, unique across users.
	CredentialID []byte
	// PublicKey is the COSE-encoded credential public key.
	PublicKey []byte
	// AttestationType and AttestationFormat are as go-webauthn reports
	// them at registration ("none", "packed", ...).
	AttestationType, AttestationFormat string
	// Transports are the transports the browser reported ("internal",
	// "usb", "hybrid", ...), passed back in allowCredentials.
	Transports []string
	// AAGUID identifies the authenticator model (zero for most passkeys).
	AAGUID []byte
	// Attachment is "platform" or "cross-platform" when reported.
	Attachment string
	// SignCount is the last signature counter seen; 0 for authenticators
	// without one, as synced passkeys are.
	SignCount uint32
	// CloneWarning is set once an assertion came with a counter that did
	// not increase: two copies of the private key may exist. It stays set.
	CloneWarning bool
	// UserVerified is true when the authenticator verified the user
	// (PIN, biometrics) at registration or a later sign-in.
	UserVerified bool
	// BackupEligible is true for a credential that may be synced to other
	// devices (a multi-device passkey); it never changes.
	BackupEligible bool
	// BackupState is true when the credential was backed up (synced) at
	// its last use.
	BackupState bool
	// CreatedAt is when the credential was registered.
	CreatedAt time.Time
	// LastUsedAt is when the credential last signed in; zero if never.
	LastUsedAt time.Time
}

// A Use is what a successful sign-in changes of a credential.
type Use struct {
	SignCount    uint32
	CloneWarning bool
	UserVerified bool
	BackupState  bool
	At           time.Time
}

// Store keeps passkeys and the user handles they are bound to. Stores in
// this package (MemoryStore) and in store/postgres (PasskeyStore) pass the
// conformance suite in package passkeytest.
type Store interface {
	// UserHandle returns the WebAuthn user handle of the user userID,
	// storing candidate as that handle when the user has none yet, so
	// that a user keeps one handle for all their credentials.
	UserHandle(ctx context.Context, userID int64, candidate []byte) ([]byte, error)
	// UserByHandle returns the ID of the user whose handle is handle, or
	// ErrNotFound.
	UserByHandle(ctx context.Context, handle []byte) (int64, error)
	// AddCredential stores c and sets c.ID. A CredentialID that is
	// already stored gives ErrDuplicateCredential.
	AddCredential(ctx context.Context, c *Credential) error
	// Credentials returns the credentials of the user userID, oldest
	// first; none is not an error.
	Credentials(ctx context.Context, userID int64) ([]Credential, error)
	// CredentialByCredentialID returns the credential whose WebAuthn
	// credential ID is credID, or ErrNotFound.
	CredentialByCredentialID(ctx context.Context, credID []byte) (Credential, error)
	// RecordUse saves what a sign-in with the credential id changed, or
	// returns ErrNotFound.
	RecordUse(ctx context.Context, id int64, u Use) error
	// RenameCredential renames the credential id of the user userID, or
	// returns ErrNotFound (also when it belongs to another user).
	RenameCredential(ctx context.Context, userID, id int64, name string) error
	// DeleteCredential deletes the credential id of the user userID, or
	// returns ErrNotFound (also when it belongs to another user).
	DeleteCredential(ctx context.Context, userID, id int64) error
}

var (
	// ErrNotFound reports a credential or user handle that the Store does
	// not hold.
	ErrNotFound = errors.New("passkey: not found")
	// ErrDuplicateCredential reports a credential ID that is already
	// registered (to this user or another).
	ErrDuplicateCredential = errors.New("passkey: credential already registered")
)
