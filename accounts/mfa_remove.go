package accounts

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
)

// errLastFactor is removePrimaryDevice's refusal: the device is the last
// second factor of a user whom the policy requires one of.
var errLastFactor = errors.New("accounts: the last second factor of a user the policy covers")

// removePrimaryDevice removes dev, a device of a factor other than
// recovery codes, with remove, under the rule that never leaves a user
// whom the policy covers without a factor (errLastFactor, nothing
// removed). When dev was the user's last such device, the recovery codes
// go too, as django-allauth's MFA does: alone they would be a factor
// nobody enrolled. Each removal sends MFAChanged. The TOTP and the
// passkey pages share it, so that both keep the rule.
func (m *Manager[U]) removePrimaryDevice(r *http.Request, f *mfa.Flow[U], user *U, dev mfa.Device, remove func() error) (recoveryRemoved bool, err error) {
	ctx := r.Context()
	d, err := f.Decide(ctx, user)
	if err != nil {
		return false, fmt.Errorf("policy: %w", err)
	}
	others := 0
	for _, fa := range f.Factors() {
		if fa.Kind() == mfa.RecoveryKind {
			continue
		}
		ds, err := fa.Devices(ctx, dev.UserID)
		if err != nil {
			return false, fmt.Errorf("devices of factor %s: %w", fa.Kind(), err)
		}
		for _, o := range ds {
			if o.PersistentID != dev.PersistentID {
				others++
			}
		}
	}
	if d.Covered && others == 0 {
		return false, errLastFactor
	}
	if err := remove(); err != nil && !errors.Is(err, mfa.ErrNoDevice) {
		return false, err
	}
	m.mfaChanged.Send(ctx, MFAChange{Request: r, UserID: dev.UserID, Action: MFAActionRemoved, Device: dev})
	rf, _ := f.Factor(mfa.RecoveryKind).(*recovery.Factor)
	if others > 0 || rf == nil {
		return false, nil
	}
	recs, err := rf.Devices(ctx, dev.UserID)
	if err != nil || len(recs) == 0 {
		return false, err
	}
	if err := rf.Remove(ctx, dev.UserID); err != nil {
		return false, fmt.Errorf("remove recovery codes: %w", err)
	}
	for _, rd := range recs {
		m.mfaChanged.Send(ctx, MFAChange{Request: r, UserID: dev.UserID, Action: MFAActionRecoveryRemoved, Device: rd})
	}
	return true, nil
}

// verifyWithNewDevice counts the session as verified with dev, a device
// the user has just added and proved, unless that would raise a session
// that never proved a factor: when the user has other devices, the
// session must already hold a verified one (with the step-up of
// Config.StepUpMaxAge it always does; with the step-up turned off, a
// stolen unverified session that adds a passkey does not thereby pass
// MFARequired). A first device verifies the session.
func (m *Manager[U]) verifyWithNewDevice(r *http.Request, f *mfa.Flow[U], dev mfa.Device) error {
	if _, ok, err := f.VerifiedDevice(r); err != nil || ok {
		if err != nil {
			return err
		}
		return f.VerifySessionDevice(r, dev)
	}
	devs, err := f.Devices(r.Context(), dev.UserID)
	if err != nil {
		return err
	}
	for _, o := range devs {
		if o.PersistentID != dev.PersistentID {
			return nil
		}
	}
	return f.VerifySessionDevice(r, dev)
}
