package orgs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/djauth/auth"
	djmail "github.com/djauth/auth/mail"
)

// tokenLen is the number of random bytes of an invitation token.
const tokenLen = 32

// Invite invites the holder of email to the organization with the roles
// (of that organization) and admin status given on acceptance. It stores
// only the SHA-256 of a new random token and returns the invitation with
// its link (BaseURL + AcceptPath + base64url token + "/"), which it
// mails when the Orgs has a Mailer. When the mail cannot be sent the
// invitation is deleted again and the error returned.
func (o *Orgs[U]) Invite(ctx context.Context, actor *U, orgID int64, email string, roleIDs []int64, isAdmin bool) (Invitation, string, error) {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return Invitation{}, "", err
	}
	inviter := strconv.FormatInt(u.ID, 10)
	if wait, _, _ := o.invites.Check(ctx, nil, LimitScopeInvite, inviter); wait > 0 {
		return Invitation{}, "", &ThrottledError{RetryAfter: wait}
	}
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || a.Name != "" || len(email) > 254 {
		return Invitation{}, "", fmt.Errorf("%w: email address %q", ErrInvalid, email)
	}
	org, err := o.store.Organization(ctx, orgID)
	if err != nil {
		return Invitation{}, "", err
	}
	var raw [tokenLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Invitation{}, "", fmt.Errorf("orgs: invitation token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256(raw[:])
	now := o.now()
	inv, err := o.store.CreateInvitation(ctx, Invitation{
		OrgID: orgID, Email: email, InvitedBy: u.ID, RoleIDs: append([]int64(nil), roleIDs...),
		IsAdmin: isAdmin, TokenHash: sum[:], ExpiresAt: now.Add(o.ttl),
	})
	if err != nil {
		return Invitation{}, "", err
	}
	link := o.baseURL + o.acceptPath + token + "/"
	if o.mailer != nil {
		msg := djmail.Message{
			From:    o.from,
			To:      []string{email},
			Subject: "Invitation to join " + oneLine(org.Name),
			Text: fmt.Sprintf("%s invited you to join %s.\n\nTo accept, sign in as %s and open this link before %s:\n\n%s\n\nIf you did not expect this invitation, ignore this email.\n",
				inviterName(u), org.Name, email, inv.ExpiresAt.UTC().Format("2 January 2006 15:04 MST"), link),
		}
		if err := o.mailer.Send(ctx, msg); err != nil {
			if rerr := o.store.RevokeInvitation(context.WithoutCancel(ctx), orgID, inv.ID); rerr != nil {
				o.logger.ErrorContext(ctx, "orgs: cannot delete an invitation whose mail failed", "invitation", inv.ID, "error", rerr)
			}
			return Invitation{}, "", fmt.Errorf("orgs: send invitation: %w", err)
		}
	}
	// Counted once made (and mailed): Config.MaxInvitations an hour.
	_, _, _ = o.invites.Fail(ctx, nil, LimitScopeInvite, inviter)
	o.signals.InvitationSent.Send(ctx, InvitationSent{Request: requestFrom(ctx), ActorID: u.ID, Invitation: inv})
	return inv, link, nil
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, s)
}

func inviterName(u *auth.User) string {
	if n := strings.TrimSpace(u.FullName()); n != "" {
		return n
	}
	return u.Username
}

// Invitations returns the organization's open invitations for one who
// may manage it.
func (o *Orgs[U]) Invitations(ctx context.Context, actor *U, orgID int64) ([]Invitation, error) {
	if _, err := o.authorize(ctx, actor, orgID, rightAdmin); err != nil {
		return nil, err
	}
	return o.store.Invitations(ctx, orgID)
}

// Revoke deletes an open invitation of the organization.
func (o *Orgs[U]) Revoke(ctx context.Context, actor *U, orgID, invitationID int64) error {
	u, err := o.authorize(ctx, actor, orgID, rightAdmin)
	if err != nil {
		return err
	}
	if err := o.store.RevokeInvitation(ctx, orgID, invitationID); err != nil {
		return err
	}
	o.signals.InvitationSent.Send(ctx, InvitationSent{Request: requestFrom(ctx), ActorID: u.ID,
		Invitation: Invitation{ID: invitationID, OrgID: orgID}, Revoked: true})
	return nil
}

// Accept lets user, signed in and active, join through the invitation
// whose token the link carried. The invitation's address must be the
// user's email (case-insensitively, Django's iexact), so that a leaked
// link lets nobody else in; with Config.EmailVerified the address must
// also be verified. Wrong tokens and addresses count as failures of the
// Limiter under LimitScopeInvitation and the user's ID; once it refuses,
// Accept returns a *ThrottledError without looking at the token.
// Errors: auth.ErrLoginRequired, ErrInvalidInvitation, ErrWrongInvitee,
// ErrInvitationUsed, ErrInvitationExpired, ErrAlreadyMember.
func (o *Orgs[U]) Accept(ctx context.Context, r *http.Request, user *U, token string) (Member, error) {
	u := activeUser(user)
	if u == nil {
		return Member{}, auth.ErrLoginRequired
	}
	key := strconv.FormatInt(u.ID, 10)
	if wait, _, err := o.limiter.Check(ctx, r, LimitScopeInvitation, key); err != nil {
		return Member{}, err
	} else if wait > 0 {
		return Member{}, &ThrottledError{RetryAfter: wait}
	}
	fail := func(err error) (Member, error) {
		if wait, _, lerr := o.limiter.Fail(ctx, r, LimitScopeInvitation, key); lerr != nil {
			return Member{}, errors.Join(err, lerr)
		} else if wait > 0 {
			return Member{}, errors.Join(err, &ThrottledError{RetryAfter: wait})
		}
		return Member{}, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(token, "="))
	if err != nil || len(raw) != tokenLen {
		return fail(ErrInvalidInvitation)
	}
	sum := sha256.Sum256(raw)
	inv, err := o.store.InvitationByTokenHash(ctx, sum[:])
	if errors.Is(err, ErrNotFound) {
		return fail(ErrInvalidInvitation)
	}
	if err != nil {
		return Member{}, err
	}
	org, err := o.store.Organization(ctx, inv.OrgID)
	if errors.Is(err, ErrNotFound) || (err == nil && !org.IsActive) {
		return fail(ErrInvalidInvitation)
	}
	if err != nil {
		return Member{}, err
	}
	if u.Email == "" || !strings.EqualFold(strings.TrimSpace(u.Email), inv.Email) {
		return fail(ErrWrongInvitee)
	}
	if o.verified != nil {
		ok, err := o.verified(ctx, u.ID, inv.Email)
		if err != nil {
			return Member{}, err
		}
		if !ok {
			return fail(ErrWrongInvitee)
		}
	}
	m, err := o.store.AcceptInvitation(ctx, inv.OrgID, inv.ID, u.ID, o.now())
	if err != nil {
		return Member{}, err
	}
	if err := o.limiter.Succeed(ctx, r, LimitScopeInvitation, key); err != nil {
		o.logger.WarnContext(ctx, "orgs: limiter", "error", err)
	}
	inv.InviteeID, inv.AcceptedAt = u.ID, o.now()
	rq := r
	if rq == nil {
		rq = requestFrom(ctx)
	}
	o.signals.MemberAdded.Send(ctx, MemberAdded{Request: rq, ActorID: u.ID, Member: m, Via: "invitation"})
	o.signals.InvitationAccepted.Send(ctx, InvitationAccepted{Request: rq, UserID: u.ID, Invitation: inv, Member: m})
	return m, nil
}

// memLimiter is the Limiter of an Orgs without one: per scope and key,
// at most max failures within window, then refusal until the oldest
// failure leaves the window. It keeps only keys with failures.
type memLimiter struct {
	now    func() time.Time
	max    int
	window time.Duration

	mu    sync.Mutex
	fails map[string][]time.Time
}

func newMemLimiter(now func() time.Time, max int, window time.Duration) *memLimiter {
	return &memLimiter{now: now, max: max, window: window, fails: map[string][]time.Time{}}
}

func (l *memLimiter) prune(k string, now time.Time) []time.Time {
	fs := l.fails[k]
	i := 0
	for i < len(fs) && !fs[i].After(now.Add(-l.window)) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, k)
	} else {
		l.fails[k] = fs
	}
	return fs
}

func (l *memLimiter) wait(fs []time.Time, now time.Time) time.Duration {
	if len(fs) < l.max {
		return 0
	}
	return fs[len(fs)-l.max].Add(l.window).Sub(now)
}

// Check implements auth.Limiter.
func (l *memLimiter) Check(_ context.Context, _ *http.Request, scope, key string) (time.Duration, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return l.wait(l.prune(scope+"\x00"+key, now), now), false, nil
}

// Fail implements auth.Limiter.
func (l *memLimiter) Fail(_ context.Context, _ *http.Request, scope, key string) (time.Duration, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	k := scope + "\x00" + key
	fs := append(l.prune(k, now), now)
	if len(l.fails) > 100_000 {
		// Bound memory: forget the oldest failures of others first.
		for other := range l.fails {
			if other != k {
				delete(l.fails, other)
				break
			}
		}
	}
	l.fails[k] = fs
	return l.wait(fs, now), false, nil
}

// Succeed implements auth.Limiter.
func (l *memLimiter) Succeed(_ context.Context, _ *http.Request, scope, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, scope+"\x00"+key)
	return nil
}
