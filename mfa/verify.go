package mfa

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
)

// VerifySession checks code with the CodeFactor of the kind against the
// devices of the request's logged-in user: the verification page, for a
// session that has not proved a second factor yet (a login from before
// the user enrolled) and for step-up. On success the session gets a new
// token, DeviceSessionKey and a new SessionKeyVerifiedAt. A wrong code
// sends UserLoginFailed; with auth.Config.Limiter set, attempts are
// limited under LimitScopeVerify too (a *ThrottledError). It returns
// auth.ErrLoginRequired for an anonymous request.
func (f *Flow[U]) VerifySession(r *http.Request, kind, code string) (Device, error) {
	a, user, err := f.sessionUser(r)
	if err != nil {
		return Device{}, err
	}
	cf, ok := f.byKind[kind].(CodeFactor)
	if !ok {
		return Device{}, fmt.Errorf("%w: %q", ErrUnknownFactor, kind)
	}
	au := auth.UserOf(user)
	if err := f.limitCheck(r, a, au.ID); err != nil {
		return Device{}, err
	}
	dev, err := cf.VerifyCode(r.Context(), au.ID, code)
	if errors.Is(err, ErrInvalidCode) {
		f.sendFailed(r, a, au.Username, kind)
		if lerr := f.limitFail(r, a, au.ID); lerr != nil {
			return Device{}, lerr
		}
		return Device{}, err
	}
	if err != nil {
		return Device{}, err
	}
	if dev.UserID != au.ID {
		return Device{}, ErrWrongUser
	}
	if err := f.sessionVerified(r, a, user, kind); err != nil {
		return Device{}, err
	}
	a.Sessions().Put(r.Context(), DeviceSessionKey, dev.PersistentID)
	f.limitSucceed(r, a, au.ID)
	return dev, nil
}

// VerifySessionDevice is VerifySession for a factor with a ceremony of
// its own (a passkey assertion) that dev has just passed: it records dev
// as the session's verification, with a new token. It returns
// ErrWrongUser when dev is not the logged-in user's and ErrUnknownFactor
// when its factor is not configured. Only factor code calls it.
func (f *Flow[U]) VerifySessionDevice(r *http.Request, dev Device) error {
	a, user, err := f.sessionUser(r)
	if err != nil {
		return err
	}
	if _, ok := f.byKind[dev.Factor]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownFactor, dev.Factor)
	}
	if dev.UserID != auth.UserOf(user).ID {
		return ErrWrongUser
	}
	if err := f.sessionVerified(r, a, user, dev.Factor); err != nil {
		return err
	}
	a.Sessions().Put(r.Context(), DeviceSessionKey, dev.PersistentID)
	return nil
}

// VerifySessionPassword is the verification page for a logged-in user
// without any device: the password, entered again, is the step-up. A user
// with a device gets ErrFactorRequired (a password alone never stands in
// for the second factor); a wrong password ErrInvalidPassword, limited
// like VerifySession's codes.
func (f *Flow[U]) VerifySessionPassword(r *http.Request, password string) error {
	a, user, err := f.sessionUser(r)
	if err != nil {
		return err
	}
	au := auth.UserOf(user)
	devs, err := f.Devices(r.Context(), au.ID)
	if err != nil {
		return err
	}
	if len(devs) > 0 {
		return ErrFactorRequired
	}
	if err := f.limitCheck(r, a, au.ID); err != nil {
		return err
	}
	ok, _, err := a.Hashers().Check(r.Context(), password, au.Password)
	if err != nil && (errors.Is(err, hashers.ErrBusy) || r.Context().Err() != nil) {
		return err
	}
	if !ok {
		if lerr := f.limitFail(r, a, au.ID); lerr != nil {
			return lerr
		}
		return ErrInvalidPassword
	}
	if err := f.sessionVerified(r, a, user, VerifiedByPassword); err != nil {
		return err
	}
	f.limitSucceed(r, a, au.ID)
	return nil
}

func (f *Flow[U]) sessionUser(r *http.Request) (*auth.Auth[U], *U, error) {
	a, err := f.auth()
	if err != nil {
		return nil, nil, err
	}
	if err := a.CheckLogin(r); err != nil {
		return nil, nil, err
	}
	return a, a.User(r).User(), nil
}

// sessionVerified renews the token of a session whose user has just
// proved who they are (a rise in trust, like a login) and records it.
func (f *Flow[U]) sessionVerified(r *http.Request, a *auth.Auth[U], user *U, by string) error {
	if err := a.UpdateSessionAuthHash(r, user); err != nil {
		return fmt.Errorf("mfa: renew verified session: %w", err)
	}
	f.markVerified(r.Context(), by)
	return nil
}

func (f *Flow[U]) limitCheck(r *http.Request, a *auth.Auth[U], id int64) error {
	l := a.Limiter()
	if l == nil {
		return nil
	}
	wait, _, err := l.Check(r.Context(), r, LimitScopeVerify, strconv.FormatInt(id, 10))
	if err != nil {
		return fmt.Errorf("mfa: limiter: %w", err)
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

func (f *Flow[U]) limitFail(r *http.Request, a *auth.Auth[U], id int64) error {
	l := a.Limiter()
	if l == nil {
		return nil
	}
	// Counted even when the client has gone; a failure that cannot be
	// counted fails closed.
	if _, _, err := l.Fail(context.WithoutCancel(r.Context()), r, LimitScopeVerify, strconv.FormatInt(id, 10)); err != nil {
		return fmt.Errorf("mfa: limiter: %w", err)
	}
	return nil
}

func (f *Flow[U]) limitSucceed(r *http.Request, a *auth.Auth[U], id int64) {
	if l := a.Limiter(); l != nil {
		if err := l.Succeed(context.WithoutCancel(r.Context()), r, LimitScopeVerify, strconv.FormatInt(id, 10)); err != nil {
			a.Logger().ErrorContext(r.Context(), "mfa: limiter", "error", err)
		}
	}
}

// VerifiedDevice returns the device that the session's second factor was
// proved with, when the session records one (DeviceSessionKey) and it is
// still a confirmed device of the request's user, as django-otp's
// OTPMiddleware checks; ok is false otherwise. A removed device no longer
// counts.
func (f *Flow[U]) VerifiedDevice(r *http.Request) (dev Device, ok bool, err error) {
	a, err := f.auth()
	if err != nil {
		return Device{}, false, err
	}
	pid := a.Sessions().GetString(r.Context(), DeviceSessionKey)
	id := a.User(r).ID()
	if pid == "" || id <= 0 {
		return Device{}, false, nil
	}
	devs, err := f.Devices(r.Context(), id)
	if err != nil {
		return Device{}, false, err
	}
	for _, d := range devs {
		if d.PersistentID == pid && d.UserID == id {
			return d, true, nil
		}
	}
	return Device{}, false, nil
}
