package audit

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/social"
)

// DefaultRecordTimeout bounds each write of a Recorder.
const DefaultRecordTimeout = 2 * time.Second

// RecorderConfig configures NewRecorder; its zero value is useful.
type RecorderConfig struct {
	// Logger receives the failures to record (the action and the error,
	// never a secret). Nil means the Auth's logger.
	Logger *slog.Logger
	// Timeout bounds each Record; zero means DefaultRecordTimeout.
	Timeout time.Duration
}

// Recorder writes the signals of an Auth, and of the accounts pages and
// social logins, to a Store.
//
// A failing store never breaks what it records: the signals are sent
// after the login, logout or change is done, and a Record error (or a
// slow store, cut at Timeout) is logged and counted (Failures) and
// nothing else. An audit log that could refuse logins would let a
// database outage lock everybody out; operators watch Failures (and the
// logs) instead. Records are written with the request's values but a
// context that its cancellation does not end, so that a client that
// hangs up cannot erase its trace.
type Recorder[U any] struct {
	a        *auth.Auth[U]
	store    Store
	log      *slog.Logger
	timeout  time.Duration
	failures atomic.Int64
}

// NewRecorder returns a Recorder writing to store the events of a. Call
// Subscribe (and SubscribeAccounts, SubscribeSocial) to connect it.
func NewRecorder[U any](a *auth.Auth[U], store Store, cfg RecorderConfig) (*Recorder[U], error) {
	if a == nil || store == nil {
		return nil, errors.New("audit: NewRecorder needs an Auth and a Store")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("audit: RecorderConfig.Timeout is negative")
	}
	rc := &Recorder[U]{a: a, store: store, log: cfg.Logger, timeout: cfg.Timeout}
	if rc.log == nil {
		rc.log = a.Logger()
	}
	if rc.timeout == 0 {
		rc.timeout = DefaultRecordTimeout
	}
	return rc, nil
}

// Failures returns how many entries could not be recorded.
func (rc *Recorder[U]) Failures() int64 { return rc.failures.Load() }

// Record fills e's RemoteAddr and UserAgent from r (when r is not nil and
// they are empty) and stores e; a failure is logged and counted, never
// returned: see Recorder.
func (rc *Recorder[U]) Record(ctx context.Context, r *http.Request, e Entry) {
	if r != nil {
		if e.RemoteAddr == "" {
			e.RemoteAddr = rc.a.ClientAddr(r)
		}
		if e.UserAgent == "" {
			e.UserAgent = r.UserAgent()
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rc.timeout)
	defer cancel()
	if _, err := rc.store.Record(ctx, e); err != nil {
		rc.failures.Add(1)
		rc.log.ErrorContext(ctx, "audit: cannot record", "action", string(e.Action), "actor_id", e.ActorID, "target_user_id", e.TargetUserID, "error", err)
	}
}

func userObject(u *auth.User) Object {
	if u == nil {
		return Object{}
	}
	return Object{Type: "auth.user", ID: strconv.FormatInt(u.ID, 10), Repr: u.Username}
}

func (rc *Recorder[U]) sessionImpersonator(r *http.Request) int64 {
	if r == nil || !rc.a.Impersonating(r) {
		return 0
	}
	id, _ := strconv.ParseInt(rc.a.Sessions().GetString(r.Context(), auth.SessionKeyImpersonatorID), 10, 64)
	return id
}

// requestActor is the request's user, or the impersonator acting for it.
func (rc *Recorder[U]) requestActor(r *http.Request) (id int64, name string, meta map[string]string) {
	if r == nil {
		return 0, "", nil
	}
	if imp := rc.sessionImpersonator(r); imp != 0 {
		ru := rc.a.User(r)
		return imp, "", map[string]string{"impersonated_user_id": strconv.FormatInt(ru.ID(), 10)}
	}
	ru := rc.a.UserFromContext(r.Context())
	if ru == nil {
		return 0, "", nil
	}
	return ru.ID(), ru.Username(), nil
}

// Subscribe connects the Recorder to the Auth's signals: logins,
// logouts, failed logins, lockouts and impersonations. It returns a
// function that disconnects them.
func (rc *Recorder[U]) Subscribe() (unsubscribe func()) {
	s := rc.a.Signals()
	ds := []func(){
		s.UserLoggedIn.Connect(func(ctx context.Context, ev auth.LoggedIn[U]) {
			if ev.Impersonator != nil || ev.User == nil {
				return // ImpersonationStarted records it
			}
			u := auth.UserOf(ev.User)
			meta := map[string]string{"backend": ev.Backend}
			if ev.Factor != "" {
				meta["factor"], meta["device"] = ev.Factor, ev.Device
			}
			rc.Record(ctx, ev.Request, Entry{Action: ActionLogin, ActorID: u.ID, ActorName: u.Username, TargetUserID: u.ID, Object: userObject(u), Meta: meta})
		}),
		s.UserLoggedOut.Connect(func(ctx context.Context, ev auth.LoggedOut[U]) {
			if ev.User == nil {
				return
			}
			u := auth.UserOf(ev.User)
			e := Entry{Action: ActionLogout, ActorID: u.ID, ActorName: u.Username, TargetUserID: u.ID, Object: userObject(u)}
			if imp := rc.sessionImpersonator(ev.Request); imp != 0 {
				e.ActorID, e.ActorName = imp, ""
				e.Meta = map[string]string{"impersonation": "true"}
			}
			rc.Record(ctx, ev.Request, e)
		}),
		s.UserLoginFailed.Connect(func(ctx context.Context, ev auth.LoginFailed) {
			// Only the username: the cleansed credentials may hold
			// other keys whose values are not known to be harmless.
			e := Entry{Action: ActionLoginFailed, ActorName: ev.Credentials[auth.CredentialUsername]}
			if ev.Factor != "" {
				e.Meta = map[string]string{"factor": ev.Factor}
			}
			rc.Record(ctx, ev.Request, e)
		}),
		s.UserLockedOut.Connect(func(ctx context.Context, ev auth.LockedOut) {
			e := Entry{Action: ActionLockedOut, Meta: map[string]string{
				"scope": ev.Scope, "retry_after": strconv.FormatInt(int64(ev.RetryAfter/time.Second), 10),
			}}
			switch ev.Scope {
			case auth.LimitScopeLogin:
				e.ActorName = ev.Key
			case accounts.LimitScopePasswordChange:
				if id, err := strconv.ParseInt(ev.Key, 10, 64); err == nil && id > 0 {
					e.ActorID, e.TargetUserID = id, id
				}
			}
			rc.Record(ctx, ev.Request, e)
		}),
		s.ImpersonationStarted.Connect(func(ctx context.Context, ev auth.Impersonated[U]) {
			rc.Record(ctx, ev.Request, impersonationEntry(ActionImpersonationStarted, ev))
		}),
		s.ImpersonationEnded.Connect(func(ctx context.Context, ev auth.Impersonated[U]) {
			e := impersonationEntry(ActionImpersonationEnded, ev)
			e.Meta = map[string]string{"restored": strconv.FormatBool(ev.Restored)}
			rc.Record(ctx, ev.Request, e)
		}),
	}
	return func() {
		for _, d := range ds {
			d()
		}
	}
}

func impersonationEntry[U any](action Action, ev auth.Impersonated[U]) Entry {
	e := Entry{Action: action, ActorID: ev.ImpersonatorID}
	if ev.Impersonator != nil {
		e.ActorName = auth.UserOf(ev.Impersonator).Username
	}
	if ev.User != nil {
		u := auth.UserOf(ev.User)
		e.TargetUserID, e.Object = u.ID, userObject(u)
		e.Message = "impersonating " + u.Username
	}
	return e
}

// SubscribeAccounts connects the Recorder to the accounts pages' signals:
// password changes and resets (accounts.Manager.PasswordChanged) and
// second-factor changes (MFAChanged).
func (rc *Recorder[U]) SubscribeAccounts(m *accounts.Manager[U]) (unsubscribe func()) {
	d1 := m.PasswordChanged().Connect(func(ctx context.Context, ev accounts.PasswordChange) {
		action := ActionPasswordChanged
		if ev.Action == accounts.PasswordActionReset {
			action = ActionPasswordReset
		}
		e := Entry{Action: action, TargetUserID: ev.UserID}
		if ev.Request != nil && action == ActionPasswordChanged {
			var meta map[string]string
			e.ActorID, e.ActorName, meta = rc.requestActor(ev.Request)
			e.Meta = meta
		}
		rc.Record(ctx, ev.Request, e)
	})
	d2 := m.MFAChanged().Connect(func(ctx context.Context, ev accounts.MFAChange) {
		e := Entry{Action: ActionMFAChanged, TargetUserID: ev.UserID,
			Object:  Object{Type: ev.Device.Factor, ID: ev.Device.PersistentID, Repr: ev.Device.Name},
			Message: ev.Device.Factor + " " + ev.Action}
		var meta map[string]string
		e.ActorID, e.ActorName, meta = rc.requestActor(ev.Request)
		if meta == nil {
			meta = map[string]string{}
		}
		meta["change"] = ev.Action
		e.Meta = meta
		rc.Record(ctx, ev.Request, e)
	})
	return func() { d1(); d2() }
}

// SubscribeSocial connects the Recorder to social.Social.IdentityChanged.
func (rc *Recorder[U]) SubscribeSocial(s *social.Social[U]) (unsubscribe func()) {
	return s.IdentityChanged().Connect(func(ctx context.Context, ev social.IdentityChange) {
		action := ActionIdentityLinked
		if ev.Action == social.IdentityUnlinked {
			action = ActionIdentityUnlinked
		}
		e := Entry{Action: action, TargetUserID: ev.UserID,
			Object:  Object{Type: "socialaccount.socialaccount", ID: strconv.FormatInt(ev.Account.ID, 10), Repr: ev.Account.Provider},
			Message: ev.Account.Provider}
		e.ActorID, e.ActorName, e.Meta = rc.requestActor(ev.Request)
		rc.Record(ctx, ev.Request, e)
	})
}
