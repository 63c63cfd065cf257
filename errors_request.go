package auth

import "errors"

// Sentinel errors of the request side: authentication, sessions and
// configuration. Check them with errors.Is.
var (
	// ErrInvalidCredentials reports that no backend accepted the
	// credentials given to Authenticate (Django's authenticate returning
	// None). The login-failed signal has been sent.
	ErrInvalidCredentials = errors.New("auth: invalid credentials")
	// ErrPermissionDenied is returned by a backend to stop the chain: no
	// later backend is tried (Django's PermissionDenied). From a
	// permission check it means "no" for every backend.
	ErrPermissionDenied = errors.New("auth: permission denied")
	// ErrUnknownBackend reports a backend name that is not configured.
	ErrUnknownBackend = errors.New("auth: authentication backend is not configured")
	// ErrDisallowedHost reports a request whose Host header is not one of
	// Config.AllowedHosts (Django's DisallowedHost).
	ErrDisallowedHost = errors.New("auth: the request's Host is not in Config.AllowedHosts")
	// ErrConfig reports an invalid Config given to New.
	ErrConfig = errors.New("auth: invalid configuration")
	// ErrNoSession reports that the request's context carries no session:
	// the call needs Auth.Middleware (or the session manager's
	// LoadAndSave) around the handler.
	ErrNoSession = errors.New("auth: no session in the request context; wrap the handler with Auth.Middleware")
	// ErrSessionCorrupt is returned by SessionCodec.Decode for a payload it
	// did not write. The middleware then starts a new, empty session.
	ErrSessionCorrupt = errors.New("auth: corrupt session data")
)
