package accounts

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
)

// Messages of the passkey management page.
const (
	// MsgPasskeyAdded confirms a registration (the page's script sends
	// the browser back with "?added=1").
	MsgPasskeyAdded = "The passkey was added."
	// MsgPasskeyRenamed and MsgPasskeyRemoved confirm the forms.
	MsgPasskeyRenamed = "The passkey was renamed."
	MsgPasskeyRemoved = "The passkey was removed."
	// MsgPasskeyNotFound is shown when the form names a passkey that is
	// not one of the user's: nothing was done.
	MsgPasskeyNotFound = "That passkey is not one of yours; nothing was changed."
)

// PasskeysPath is where, under the Flow's EnrolURL (or prefix+"mfa/"
// without a Flow), the passkey management page is mounted.
const PasskeysPath = "passkeys/"

// PasskeyRow is one passkey on the management page.
type PasskeyRow struct {
	passkey.Credential
	// CreatedText and LastUsedText are CreatedAt and LastUsedAt
	// formatted ("never" for a passkey not used yet); CreatedISO and
	// LastUsedISO are RFC 3339, for <time datetime>, "" when zero.
	CreatedText, LastUsedText string
	CreatedISO, LastUsedISO   string
}

// PasskeysPage is the data of the passkey management page.
type PasskeysPage struct {
	// Action is the URL the forms post to: the page's own path.
	Action string
	// Passkeys are the user's passkeys, oldest first.
	Passkeys []PasskeyRow
	// Message confirms what a POST did; Errors say why it did nothing.
	Message string
	Errors  []string
	// RenameID is the passkey whose rename failed, RenameErrors why.
	RenameID     int64
	RenameErrors []string
	// PasskeyURL is the prefix of the passkey routes (the script of the
	// "Add a passkey" form); MaxNameLength the longest name.
	PasskeyURL    string
	MaxNameLength int
	// ProfileURL is the profile page, for a link back.
	ProfileURL string
}

// PasskeysURL is the passkey management page's URL: the Flow's EnrolURL +
// PasskeysPath with an *mfa.Flow, else prefix + "mfa/" + PasskeysPath,
// where prefix is Routes' ("" for auth.DefaultRoutePrefix). "" when
// Config.Passkeys is not set.
func (m *Manager[U]) PasskeysURL(prefix string) string {
	if m.passkeys == nil {
		return ""
	}
	if f, ok := m.auth.SecondFactor().(*mfa.Flow[U]); ok {
		return f.EnrolURL() + PasskeysPath
	}
	if prefix == "" {
		prefix = auth.DefaultRoutePrefix
	}
	if prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	return prefix + "mfa/" + PasskeysPath
}

// passkeyRoutes mounts the passkey JSON routes and the management page.
// With a Flow f the second-factor ceremony proves the pending login's
// user (completed by f.Complete) or, for a logged-in user, verifies the
// session (f.VerifySessionDevice); registration needs a step-up.
func (m *Manager[U]) passkeyRoutes(mux *http.ServeMux, p paths, f *mfa.Flow[U]) {
	// The passkey API answers under its own mux, so that no POST of it
	// (registering a passkey on the target's account above all) runs
	// while the session is an impersonation.
	api := http.NewServeMux()
	m.passkeyHandler(f).Routes(api, p.passkeyAPI())
	mux.Handle(p.passkeyAPI(), m.auth.Middleware(m.auth.RefuseWhileImpersonating(api)))
	mux.Handle(m.PasskeysURL(p.prefix)+"{$}", m.auth.Protect(m.auth.LoginRequired(m.auth.RefuseWhileImpersonating(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasskeys(w, r, p, f)
	})))))
}

// PasskeyHandler returns the passkey JSON ceremonies as Routes mounts
// them (under "passkey/"): with the Auth's *mfa.Flow the second-factor
// ceremony completes the pending login or verifies the session, and
// registration needs a step-up and verifies the session with the new
// passkey. Package api mounts it under its own prefix. It returns nil
// without Config.Passkeys.
func (m *Manager[U]) PasskeyHandler() *passkey.Handler[U] {
	if m.passkeys == nil {
		return nil
	}
	return m.passkeyHandler(m.flowOf())
}

// passkeyHandler builds the passkey JSON handler over the flow f (nil
// without one).
func (m *Manager[U]) passkeyHandler(f *mfa.Flow[U]) *passkey.Handler[U] {
	hc := passkey.HandlerConfig[U]{Logger: m.log}
	// A passwordless passkey sign-in is recorded with the first backend,
	// as a sign-up's login is: with more than one configured (model and
	// passwordless, say) Login needs a name, and without one the
	// ceremony failed with a 500 after a valid assertion.
	if bs := m.auth.Backends(); len(bs) > 0 {
		hc.Backend = bs[0].Name()
	}
	if f != nil {
		hc.PendingUser = func(r *http.Request) (int64, bool) {
			pl, err := f.Pending(r)
			if err == nil {
				return auth.UserOf(pl.User).ID, true
			}
			if !errors.Is(err, mfa.ErrNoPendingLogin) {
				m.log.ErrorContext(r.Context(), "accounts: passkey: pending login", "error", err)
				return 0, false
			}
			ru := m.auth.User(r)
			return ru.ID(), ru.IsAuthenticated()
		}
		hc.OnSecondFactor = func(_ http.ResponseWriter, r *http.Request, dev mfa.Device) error {
			err := f.Complete(r, dev)
			if errors.Is(err, mfa.ErrNoPendingLogin) && m.auth.User(r).IsAuthenticated() {
				err = f.VerifySessionDevice(r, dev)
			}
			if errors.Is(err, mfa.ErrWrongUser) {
				return fmt.Errorf("%w: %w", passkey.ErrVerification, err)
			}
			if errors.Is(err, mfa.ErrNoPendingLogin) {
				return fmt.Errorf("%w: %w", passkey.ErrNoCeremony, err)
			}
			return err
		}
		if m.stepUp > 0 {
			hc.RegisterGuard = f.StepUpRequired(m.stepUp)
		}
		if f.Factor(passkey.Kind) != nil {
			hc.OnRegistered = func(_ http.ResponseWriter, r *http.Request, c passkey.Credential) error {
				dev := passkey.Device(c)
				m.mfaChanged.Send(r.Context(), MFAChange{Request: r, UserID: c.UserID, Action: MFAActionAdded, Device: dev})
				return m.verifyWithNewDevice(r, f, dev)
			}
		}
	}
	return passkey.NewHandler(m.auth, m.passkeys, hc)
}

// removePasskey removes the passkey id of the user userID: with a Flow
// under the rule that never leaves a covered user without a factor
// (errLastFactor), taking the recovery codes with the last factor and
// sending MFAChanged, as the authenticator app page does.
func (m *Manager[U]) removePasskey(r *http.Request, f *mfa.Flow[U], userID, id int64) error {
	remove := func() error { return m.passkeys.Remove(r.Context(), userID, id) }
	if f == nil {
		return remove()
	}
	creds, err := m.passkeys.Credentials(r.Context(), userID)
	if err != nil {
		return err
	}
	var dev *mfa.Device
	for _, c := range creds {
		if c.ID == id {
			d := passkey.Device(c)
			dev = &d
		}
	}
	if dev == nil {
		return mfa.ErrNoDevice
	}
	user, err := m.auth.Store().GetUser(r.Context(), userID)
	if err != nil {
		return err
	}
	_, err = m.removePrimaryDevice(r, f, user, *dev, remove)
	return err
}

// servePasskeys is the passkey management page: the list, the "Add a
// passkey" form (JavaScript), and a rename and a remove form per passkey
// (plain forms). With a Flow every request needs a recent verification.
func (m *Manager[U]) servePasskeys(w http.ResponseWriter, r *http.Request, p paths, f *mfa.Flow[U]) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	if f != nil && !f.StepUpPage(w, r, m.stepUp) {
		return
	}
	ctx := r.Context()
	userID := m.auth.User(r).ID()
	page := &PasskeysPage{Action: r.URL.EscapedPath(), PasskeyURL: p.passkeyAPI(),
		MaxNameLength: passkey.MaxNameLength, ProfileURL: p.prefix + "profile/"}
	status := http.StatusOK
	if !post && r.URL.Query().Get("added") != "" {
		page.Message = MsgPasskeyAdded
	}
	if post {
		id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
		if err != nil || id <= 0 {
			id = 0
		}
		switch r.PostForm.Get("action") {
		case "rename":
			name := r.PostForm.Get("name")
			if msg := auth.InvalidTextMessage(name); msg != "" {
				err = fmt.Errorf("%w: %s", passkey.ErrInvalidName, msg)
			} else {
				err = m.passkeys.Rename(ctx, userID, id, name)
			}
			switch {
			case err == nil:
				page.Message = MsgPasskeyRenamed
			case errors.Is(err, passkey.ErrInvalidName):
				page.RenameID, page.RenameErrors = id, []string{fmt.Sprintf("Give the passkey a name of at most %d characters, without control characters.", passkey.MaxNameLength)}
				status = http.StatusBadRequest
			}
		case "remove":
			err = m.removePasskey(r, f, userID, id)
			switch {
			case err == nil:
				page.Message = MsgPasskeyRemoved
			case errors.Is(err, errLastFactor):
				page.Errors, status, err = []string{MsgLastFactor}, http.StatusConflict, nil
			}
		default:
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		switch {
		case err == nil, errors.Is(err, passkey.ErrInvalidName):
		case errors.Is(err, mfa.ErrNoDevice):
			page.Errors = []string{MsgPasskeyNotFound}
			status = http.StatusNotFound
		default:
			m.serverError(w, r, "passkeys", err)
			return
		}
	}
	creds, err := m.passkeys.Credentials(ctx, userID)
	if err != nil {
		m.serverError(w, r, "passkeys: list", err)
		return
	}
	for _, c := range creds {
		row := PasskeyRow{Credential: c, CreatedText: "unknown", LastUsedText: "never"}
		if !c.CreatedAt.IsZero() {
			row.CreatedText, row.CreatedISO = c.CreatedAt.UTC().Format(sessionTimeLayout), c.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		if !c.LastUsedAt.IsZero() {
			row.LastUsedText, row.LastUsedISO = c.LastUsedAt.UTC().Format(sessionTimeLayout), c.LastUsedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		page.Passkeys = append(page.Passkeys, row)
	}
	m.render(w, r, status, m.templates.Passkeys, page)
}
