package mfa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	auth "github.com/djauth/auth"
)

// A Decision is what the Policy means for one user now.
type Decision struct {
	// Covered is true when the policy requires a second factor of the
	// user.
	Covered bool
	// HasDevice is true when the user has a confirmed device of any
	// factor, and can therefore verify.
	HasDevice bool
	// Enrolled is true when enrolment is complete: a device of a factor
	// other than recovery codes and, when a RecoveryKind factor is
	// configured, recovery codes too, so that losing the device does not
	// lock the user out.
	Enrolled bool
	// GraceEnds is when the user's grace period ends (zero when not
	// covered); InGrace is true before then.
	GraceEnds time.Time
	InGrace   bool
}

// groupLister is the store method Decide needs for a Policy that names
// groups (package store's stores have it).
type groupLister interface {
	ListUserGroups(ctx context.Context, userID int64) ([]auth.Group, error)
}

// Decide applies the Policy to user. A covered user's grace period starts
// at the first Decide that finds them covered (PolicyStore.RequiredSince).
// It returns an error when the policy or the devices cannot be read, or
// when the policy names groups and the Auth's store cannot list a user's
// groups: the guards then refuse the request.
func (f *Flow[U]) Decide(ctx context.Context, user *U) (Decision, error) {
	var d Decision
	a, err := f.auth()
	if err != nil {
		return d, err
	}
	au := auth.UserOf(user)
	// The devices count whether or not the policy covers the user: a
	// user who enrolled of their own accord must verify too.
	_, hasRecoveryFactor := f.byKind[RecoveryKind]
	var primary, recovery bool
	for _, fa := range f.factors {
		ds, err := fa.Devices(ctx, au.ID)
		if err != nil {
			return d, fmt.Errorf("mfa: devices of factor %s: %w", fa.Kind(), err)
		}
		if len(ds) == 0 {
			continue
		}
		d.HasDevice = true
		if fa.Kind() == RecoveryKind {
			recovery = true
		} else {
			primary = true
		}
	}
	d.Enrolled = primary && (recovery || !hasRecoveryFactor)
	if f.policy == nil {
		return d, nil
	}
	p, err := f.policy.Policy(ctx)
	if err != nil {
		return d, fmt.Errorf("mfa: read policy: %w", err)
	}
	var groups []string
	if p.needsGroups(au) {
		gl, ok := a.Store().(groupLister)
		if !ok {
			return d, fmt.Errorf("mfa: the policy names groups but the store %T cannot list a user's groups", a.Store())
		}
		gs, err := gl.ListUserGroups(ctx, au.ID)
		if err != nil {
			return d, fmt.Errorf("mfa: groups of user %d: %w", au.ID, err)
		}
		for _, g := range gs {
			groups = append(groups, g.Name)
		}
	}
	if d.Covered = p.Covers(au, groups); !d.Covered {
		return d, nil
	}
	now := f.now()
	since, err := f.policy.RequiredSince(ctx, au.ID, now)
	if err != nil {
		return d, fmt.Errorf("mfa: required since: %w", err)
	}
	d.GraceEnds = since.Add(p.Grace)
	d.InGrace = now.Before(d.GraceEnds)
	return d, nil
}

// Errors of the checks beside the guards; the *RedirectError that carries
// them names the page that resolves them.
var (
	// ErrVerificationRequired: the user must prove a second factor on
	// this session (the verification page).
	ErrVerificationRequired = errors.New("mfa: second factor verification required")
	// ErrEnrolmentRequired: the user must enrol a second factor (the
	// enrolment page, or during the grace period the reminder page).
	ErrEnrolmentRequired = errors.New("mfa: second factor enrolment required")
	// ErrStepUpRequired: the route needs a recent verification.
	ErrStepUpRequired = errors.New("mfa: recent verification required")
)

// RedirectError is the error of Check and CheckStepUp: Reason is one of
// ErrVerificationRequired, ErrEnrolmentRequired and ErrStepUpRequired,
// and URL the page the user goes to, with the current page in "next".
type RedirectError struct {
	Reason error
	URL    string
}

// Error implements error.
func (e *RedirectError) Error() string { return e.Reason.Error() }

// Unwrap makes errors.Is(err, e.Reason) true.
func (e *RedirectError) Unwrap() error { return e.Reason }

// RedirectURL returns URL: the ability through which package auth's
// ImpersonateHandler sends a refused step-up to the verification page
// without importing this package.
func (e *RedirectError) RedirectURL() string { return e.URL }

func (f *Flow[U]) redirectErr(r *http.Request, reason error, page string) error {
	return &RedirectError{Reason: reason, URL: auth.RedirectToLoginURL(page, r.URL.RequestURI(), auth.RedirectFieldName)}
}

// Check is the check of MFARequired: nil when the request may go on;
// auth.ErrLoginRequired for an anonymous request; a *RedirectError when
// the logged-in user must verify or enrol first; any other error when the
// answer is unknown.
//
// A user with a device, covered by the Policy or not (an enrolment of the
// user's own accord counts as django-otp's otp_required(if_configured=True)
// does), must have proved a second factor on the session (VerifiedDevice),
// else goes to the verification page: a session logged in before the
// device was added, or by a login that did not ask for it, does not pass.
// For a user the Policy covers, then:
//
//   - without complete enrolment (Decision.Enrolled), during the grace
//     period the reminder page, until the user chooses "later" for the
//     session; after it the enrolment page.
//
// Neither page is behind MFARequired, so a covered user is never shut
// out: there is always a way to verify or enrol.
//
// A session that is an impersonation (auth.Auth.Impersonate) passes: the
// impersonating superuser passed the step-up of CheckStepUp to start it.
func (f *Flow[U]) Check(r *http.Request) error {
	a, err := f.auth()
	if err != nil {
		return err
	}
	if err := a.CheckLogin(r); err != nil {
		return err
	}
	if a.Impersonating(r) {
		// A superuser acting as the user (auth.Auth.Impersonate) proved
		// a recent verification of their own to start; the target's
		// factors are not theirs to give.
		return nil
	}
	d, err := f.Decide(r.Context(), a.User(r).User())
	if err != nil {
		return err
	}
	if d.HasDevice {
		_, verified, err := f.VerifiedDevice(r)
		if err != nil {
			return err
		}
		if !verified {
			return f.redirectErr(r, ErrVerificationRequired, f.verifyURL)
		}
	}
	if !d.Covered || d.Enrolled {
		return nil
	}
	if d.InGrace {
		if a.Sessions().GetBool(r.Context(), SessionKeyEnrolLater) {
			return nil
		}
		return f.redirectErr(r, ErrEnrolmentRequired, f.reminderURL)
	}
	return f.redirectErr(r, ErrEnrolmentRequired, f.enrolURL)
}

// EnrolLater records, for the session, that the user postpones enrolment;
// it returns ErrEnrolmentRequired (nothing recorded) when the user's grace
// period is over or the user is not covered by a grace period at all.
func (f *Flow[U]) EnrolLater(r *http.Request) error {
	a, user, err := f.sessionUser(r)
	if err != nil {
		return err
	}
	d, err := f.Decide(r.Context(), user)
	if err != nil {
		return err
	}
	if !d.Covered || !d.InGrace {
		return ErrEnrolmentRequired
	}
	a.Sessions().Put(r.Context(), SessionKeyEnrolLater, true)
	return nil
}

// MFARequired is the guard of routes that a user the Policy covers may
// reach only with a verified second factor (django-otp's otp_required):
// anonymous requests are sent to log in, as by auth's LoginRequired, and
// a user who must verify or enrol is sent there with the page in "next";
// a request that is not a GET or HEAD, or asks for JSON, gets 403 with a
// JSON body naming the page instead. Do not guard the verification,
// reminder and enrolment pages with it.
func (f *Flow[U]) MFARequired(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f.Check(r); err != nil {
			f.Deny(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CheckStepUp is the check of StepUpRequired: nil when the session's user
// proved who they are within maxAge (SessionKeyVerifiedAt), with a second
// factor when the user has a device; auth.ErrLoginRequired for an
// anonymous request; a *RedirectError to the verification page otherwise.
func (f *Flow[U]) CheckStepUp(r *http.Request, maxAge time.Duration) error {
	a, err := f.auth()
	if err != nil {
		return err
	}
	if err := a.CheckLogin(r); err != nil {
		return err
	}
	at, by, ok := f.VerifiedAt(r)
	now := f.now()
	if ok && !at.After(now) && now.Sub(at) <= maxAge {
		if by != VerifiedByPassword && by != VerifiedByLogin {
			// A factor's verification: it must be the one the session
			// still holds.
			if _, ok, err := f.VerifiedDevice(r); err != nil || ok {
				return err
			}
		} else {
			devs, err := f.Devices(r.Context(), a.User(r).ID())
			if err != nil {
				return err
			}
			if len(devs) == 0 {
				return nil
			}
		}
	}
	return f.redirectErr(r, ErrStepUpRequired, f.verifyURL)
}

// StepUpPage is CheckStepUp for a page's own handler, where a guard does
// not fit (a page whose GET is open but whose POST changes a way in):
// it reports whether the request may go on and, when not, has answered:
// a form's POST goes to the verification page with 303, so that the
// browser follows with a GET and the verification page comes back to the
// page; any other request gets Deny's answer. A maxAge that is not
// positive turns the step-up off.
func (f *Flow[U]) StepUpPage(w http.ResponseWriter, r *http.Request, maxAge time.Duration) bool {
	if maxAge <= 0 {
		return true
	}
	err := f.CheckStepUp(r, maxAge)
	if err == nil {
		return true
	}
	var re *RedirectError
	if errors.As(err, &re) && r.Method == http.MethodPost {
		auth.Redirect(w, r, re.URL, http.StatusSeeOther)
		return false
	}
	f.Deny(w, r, err)
	return false
}

// StepUpRequired returns a guard for sensitive routes (a password
// change, removing a factor): the user must have proved who they are in
// the last maxAge, with a second factor if they have one and with the
// password otherwise, or is sent to the verification page, which returns
// to the route. Answers are as MFARequired's. It panics when maxAge is not
// positive.
func (f *Flow[U]) StepUpRequired(maxAge time.Duration) func(http.Handler) http.Handler {
	if maxAge <= 0 {
		panic("mfa: StepUpRequired needs a positive maxAge")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := f.CheckStepUp(r, maxAge); err != nil {
				f.Deny(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Deny answers a request that Check or CheckStepUp refused: a
// *RedirectError redirects a GET or HEAD that does not ask for JSON and
// answers 403 with {"error": ..., "url": ...} otherwise; other errors go
// to auth's Deny (the login redirect, or 500).
func (f *Flow[U]) Deny(w http.ResponseWriter, r *http.Request, err error) {
	a, aerr := f.auth()
	if aerr != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	var re *RedirectError
	if !errors.As(err, &re) {
		a.Deny(w, r, err)
		return
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !wantsJSON(r) {
		auth.Redirect(w, r, re.URL, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": re.Reason.Error(), "url": re.URL})
}

// wantsJSON reports whether the Accept header lists application/json.
func wantsJSON(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
				return true
			}
		}
	}
	return false
}
