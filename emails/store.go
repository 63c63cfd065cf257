package emails

import "context"

// Store keeps the email addresses of users, in the layout of allauth's
// account_emailaddress. emailstest.Run is its conformance suite; the
// MemoryStore here and postgres.EmailStore implement it.
//
// Emails compare as SameEmail (Django's iexact). When the store keeps
// addresses unique (allauth's ACCOUNT_UNIQUE_EMAIL, the default) an
// address belongs to at most one user.
type Store interface {
	// AddAddress returns the user's address that is SameEmail as email,
	// creating it unverified and not primary when there is none (allauth's
	// EmailAddressManager.add_email); created tells which. It returns
	// ErrEmailTaken when addresses are unique and another user has it.
	AddAddress(ctx context.Context, userID int64, email string) (a Address, created bool, err error)
	// GetAddress returns the address with the ID, or ErrNotFound.
	GetAddress(ctx context.Context, id int64) (Address, error)
	// UserAddresses returns the user's addresses, in the order they were added.
	UserAddresses(ctx context.Context, userID int64) ([]Address, error)
	// FindAddresses returns every address SameEmail as email, of any user,
	// in the order they were added.
	FindAddresses(ctx context.Context, email string) ([]Address, error)
	// VerifyAddress marks the address verified and, when its user has no
	// primary address, makes it primary and the user's email (allauth's
	// confirm_email with set_as_primary(conditional=True)). It returns the
	// address as it now is, or ErrNotFound.
	VerifyAddress(ctx context.Context, id int64) (Address, error)
	// SetPrimary makes the user's address with the ID the only primary
	// one and sets the user's email to it (allauth's set_as_primary). It
	// returns the address that was primary before (zero when none), or
	// ErrNotFound when the user has no such address.
	SetPrimary(ctx context.Context, userID, id int64) (old Address, err error)
	// DeleteAddress removes the user's address with the ID; ErrPrimary
	// when it is the primary one, ErrNotFound when there is none.
	DeleteAddress(ctx context.Context, userID, id int64) error
}
