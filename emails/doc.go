// Package emails gives users email addresses, each verified or not and
// one of them primary, in the layout of django-allauth 0.51's
// account_emailaddress, and verifies them as allauth does: a link whose
// key is allauth's EmailConfirmationHMAC key (signing.dumps(pk,
// salt="account")), so that links made by a Django site confirm here and
// the reverse, plus a short code to type instead.
//
//	store, _ := postgres.NewEmailStore(pool)
//	m, _ := emails.NewManager(emails.Config{Store: store, SecretKey: secret})
//	a, _, _ := store.AddAddress(ctx, user.ID, "ann@example.com")
//	key, _ := m.Key(a)   // in the link
//	code := m.Code(a)    // in the same mail
//	a, err := m.ConfirmKey(ctx, key)
//
// # Scanners cannot burn a link
//
// AddressForKey only looks a key up; the page a link opens shows it and
// confirms with a POST (package accounts' pages do). A key or a code stops
// working when its address is verified, so each works once.
//
// # Mandatory verification
//
// Gate is an auth.LoginGate: set it as auth.Config.LoginGate to refuse
// every login of a user without a verified address (allauth's
// ACCOUNT_EMAIL_VERIFICATION = "mandatory").
//
// # Stores
//
// MemoryStore here, postgres.EmailStore on allauth's table; both pass
// emailstest.Run. Only verified addresses should receive password resets
// or passwordless codes: Manager.VerifiedUsers names their users.
package emails
