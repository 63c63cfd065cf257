package api

import (
	"errors"
	"net/http"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
)

type deviceJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type factorJSON struct {
	Kind    string       `json:"kind"`
	Devices []deviceJSON `json:"devices"`
	// Remaining is the number of unused recovery codes (recovery only).
	Remaining *int `json:"remaining,omitempty"`
}

type totpBeginRequest struct {
	Name string `json:"name"`
}

type totpConfirmRequest struct {
	DeviceID int64  `json:"device_id"`
	Code     string `json:"code"`
}

func (x *API[U]) mfaRoutes() {
	x.handle(http.MethodGet, "mfa/factors", x.mfaFactors)
	x.handle(http.MethodPost, "mfa/totp/begin", x.totpBegin)
	x.handle(http.MethodPost, "mfa/totp/confirm", x.totpConfirm)
	x.handle(http.MethodPost, "mfa/recovery/regenerate", x.recoveryRegenerate)
}

func (x *API[U]) totpFactor() (*totp.Factor, error) {
	if x.flow == nil {
		return nil, notConfigured("Multi-factor authentication")
	}
	f, ok := x.flow.Factor(totp.Kind).(*totp.Factor)
	if !ok {
		return nil, notConfigured("The authenticator app factor")
	}
	return f, nil
}

// stepUpCheck is the enrolment pages' step-up: a recent verification of
// this session.
func (x *API[U]) stepUpCheck(r *http.Request) error {
	if x.stepUp < 0 {
		return nil
	}
	err := x.flow.CheckStepUp(r, x.stepUp)
	var re *mfa.RedirectError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return &Error{Status: http.StatusForbidden, Code: CodeStepUpRequired, Message: "Verify it is you again (second factor or password) first.", URL: re.URL}
	case errors.Is(err, auth.ErrLoginRequired):
		return errNotAuthenticated
	}
	return err
}

// mfaFactors lists the configured factors with the user's confirmed
// devices.
func (x *API[U]) mfaFactors(w http.ResponseWriter, r *http.Request) (int, any, error) {
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	if x.flow == nil {
		return 0, nil, notConfigured("Multi-factor authentication")
	}
	out := []factorJSON{}
	for _, f := range x.flow.Factors() {
		devs, err := f.Devices(r.Context(), au.ID)
		if err != nil {
			return 0, nil, err
		}
		fj := factorJSON{Kind: f.Kind(), Devices: []deviceJSON{}}
		for _, d := range devs {
			fj.Devices = append(fj.Devices, deviceJSON{ID: d.ID, Name: d.Name})
		}
		if rf, ok := f.(*recovery.Factor); ok {
			n, err := rf.Remaining(r.Context(), au.ID)
			if err != nil {
				return 0, nil, err
			}
			fj.Remaining = &n
		}
		out = append(out, fj)
	}
	return http.StatusOK, map[string]any{"factors": out}, nil
}

// totpBegin starts an authenticator app: an unconfirmed device whose key
// and otpauth URI the app shows (as a QR code); any earlier unconfirmed
// one of the user is dropped. Needs a step-up.
func (x *API[U]) totpBegin(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in totpBeginRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	tf, err := x.totpFactor()
	if err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.stepUpCheck(r); err != nil {
		return 0, nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = accounts.DefaultTOTPDeviceName
	}
	if msg := auth.InvalidTextMessage(name); msg != "" {
		return 0, nil, validation(map[string][]string{"name": {msg}})
	}
	if err := tf.RemoveUnconfirmed(r.Context(), au.ID); err != nil {
		return 0, nil, err
	}
	d, err := tf.Begin(r.Context(), au.ID, name)
	if errors.Is(err, totp.ErrInvalidName) {
		return 0, nil, validation(map[string][]string{"name": {accounts.MsgDeviceNameInvalid}})
	}
	if err != nil {
		return 0, nil, err
	}
	uri, err := tf.KeyURI(d, au.Username)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"device_id": d.ID, "name": d.Name, "otpauth_uri": uri}, nil
}

// totpConfirm confirms the device with its first code; the session then
// counts as verified with it.
func (x *API[U]) totpConfirm(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in totpConfirmRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	tf, err := x.totpFactor()
	if err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.stepUpCheck(r); err != nil {
		return 0, nil, err
	}
	code := strings.TrimSpace(in.Code)
	fields := map[string][]string{}
	if in.DeviceID <= 0 {
		fields["device_id"] = []string{auth.MsgRequired}
	}
	if code == "" {
		fields["code"] = []string{auth.MsgRequired}
	} else if len(code) > 16 || auth.InvalidTextMessage(code) != "" {
		fields["code"] = []string{accounts.MsgTOTPWrongCode}
	}
	if len(fields) > 0 {
		return 0, nil, validation(fields)
	}
	d, err := tf.Confirm(r.Context(), au.ID, in.DeviceID, code)
	switch {
	case errors.Is(err, totp.ErrConfirmed):
		return 0, nil, apiErr(http.StatusConflict, CodeConflict, "This device is confirmed already.")
	case err != nil:
		return 0, nil, mfaError(err)
	}
	dev := d.MFA()
	if err := x.acc.VerifyWithNewDevice(r, dev); err != nil {
		return 0, nil, err
	}
	x.acc.MFAChanged().Send(r.Context(), accounts.MFAChange{Request: r, UserID: au.ID, Action: accounts.MFAActionAdded, Device: dev})
	return http.StatusOK, map[string]any{"device": deviceJSON{ID: d.ID, Name: d.Name}}, nil
}

// recoveryRegenerate makes a new set of recovery codes, replacing the
// old; it needs a primary factor and a step-up. The codes are shown once.
func (x *API[U]) recoveryRegenerate(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in struct{}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	_, au, err := x.user(r)
	if err != nil {
		return 0, nil, err
	}
	if x.flow == nil {
		return 0, nil, notConfigured("Multi-factor authentication")
	}
	rf, ok := x.flow.Factor(mfa.RecoveryKind).(*recovery.Factor)
	if !ok {
		return 0, nil, notConfigured("Recovery codes")
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.stepUpCheck(r); err != nil {
		return 0, nil, err
	}
	primary := 0
	for _, f := range x.flow.Factors() {
		if f.Kind() == mfa.RecoveryKind {
			continue
		}
		ds, err := f.Devices(r.Context(), au.ID)
		if err != nil {
			return 0, nil, err
		}
		primary += len(ds)
	}
	if primary == 0 {
		return 0, nil, apiErr(http.StatusConflict, CodeConflict, accounts.MsgRecoveryNeedsFactor)
	}
	dev, codes, err := rf.Generate(r.Context(), au.ID)
	if err != nil {
		return 0, nil, err
	}
	x.acc.MFAChanged().Send(r.Context(), accounts.MFAChange{Request: r, UserID: au.ID, Action: accounts.MFAActionRecoveryGenerated, Device: dev})
	return http.StatusOK, map[string]any{"codes": codes}, nil
}
