// Package audit is the audit log of a site built on package auth: who
// logged in, failed, was locked out, changed a password or a second
// factor, linked an identity, or impersonated whom, when, from where.
//
// # Entries
//
// An Entry has a stable Action code (ActionLogin, ActionLoginFailed,
// ActionImpersonationStarted, ...), the acting user (0 for anonymous),
// the user concerned, the Object changed (Django LogEntry's content type,
// object ID and repr), a message, the client address (behind the Auth's
// trusted proxies, as the session list records it) and User-Agent, and
// short string metadata. Every field is bounded (the Max* constants);
// stores truncate at a rune boundary and never refuse a long value. No
// entry holds a secret: a failed login records only the username tried.
//
// # Stores
//
// Store is Record, List (filtered by actor, target, action and time,
// newest first, paged, with the total) and Prune. MemoryStore and
// postgres.AuditStore (table djauth_audit, djauth migration 0010_audit)
// implement it and run the same suite, package audittest.
//
// # Recording
//
// A Recorder connects to the Auth's signals (Subscribe), to those of
// package accounts (SubscribeAccounts: password changes and resets,
// second-factor changes) and of package social (SubscribeSocial). A
// failing store never breaks a login: the error is logged (without
// secrets) and counted in Recorder.Failures. Impersonation is recorded
// with the impersonator as actor and the impersonated user as target.
//
//	store, err := postgres.NewAuditStore(pool)
//	if err != nil { ... }
//	rec, err := audit.NewRecorder(a, store, audit.RecorderConfig{})
//	if err != nil { ... }
//	defer rec.Subscribe()()
//	defer rec.SubscribeAccounts(manager)()
//
// Prune old entries from a periodic job: store.Prune(ctx, time.Now().AddDate(0, -6, 0)).
package audit
