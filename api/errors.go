package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error codes of the API, the "code" of every error body. They are stable:
// clients branch on them, never on the message.
const (
	// CodeBadRequest: the body is not JSON, has a field of the wrong type,
	// an unknown field or trailing data (400).
	CodeBadRequest = "bad_request"
	// CodeBodyTooLarge: the body is larger than Config.MaxBodyBytes (413).
	CodeBodyTooLarge = "body_too_large"
	// CodeUnsupportedMediaType: an unsafe request without Content-Type
	// application/json (415).
	CodeUnsupportedMediaType = "unsupported_media_type"
	// CodeCSRFFailed: a cookie-authenticated unsafe request from another
	// origin (403).
	CodeCSRFFailed = "csrf_failed"
	// CodeInvalidToken: a bearer token of no live session: unknown,
	// expired, revoked or logged out (401). Drop it and sign in again.
	CodeInvalidToken = "invalid_token"
	// CodeNotAuthenticated: the endpoint needs a signed-in user (401).
	CodeNotAuthenticated = "not_authenticated"
	// CodeInvalidCredentials: wrong username or password (401).
	CodeInvalidCredentials = "invalid_credentials"
	// CodeInactive: the password was right but the account is inactive
	// (403).
	CodeInactive = "inactive"
	// CodeLoginRefused: the LoginGate refused the login, for example an
	// unverified email address (403); "url" may tell where to go.
	CodeLoginRefused = "login_refused"
	// CodeValidationFailed: fields are missing or invalid; "fields" lists
	// the messages by field (422).
	CodeValidationFailed = "validation_failed"
	// CodeThrottled: too many attempts; Retry-After says how many seconds
	// to wait (429).
	CodeThrottled = "throttled"
	// CodeMFANotPending: no sign-in waits for a second factor in this
	// session: none was started, it expired or used up its attempts (409).
	CodeMFANotPending = "mfa_not_pending"
	// CodeInvalidCode: a second-factor, email or sign-in code that does
	// not check (422).
	CodeInvalidCode = "invalid_code"
	// CodeTooManyAttempts: the wrong code that used up the pending
	// sign-in's attempts; sign in again (401).
	CodeTooManyAttempts = "too_many_attempts"
	// CodeUnknownFactor: the factor is not configured or takes no code
	// (404).
	CodeUnknownFactor = "unknown_factor"
	// CodeNoDevice: no such device, or none of the factor (404).
	CodeNoDevice = "no_device"
	// CodeStepUpRequired: the action needs a recent verification
	// (second factor or password) of this session (403).
	CodeStepUpRequired = "step_up_required"
	// CodeNotConfigured: the feature (emails, passwordless, social,
	// passkeys, MFA, token transport, organizations) is not configured
	// on this site (404).
	CodeNotConfigured = "not_configured"
	// CodeSignupClosed: sign-up is turned off (403).
	CodeSignupClosed = "signup_closed"
	// CodeInvalidResetLink: the password reset uid and token do not
	// check (400).
	CodeInvalidResetLink = "invalid_reset_link"
	// CodeInvalidInvitation: the organization invitation token is
	// unknown, used, revoked or expired (400).
	CodeInvalidInvitation = "invalid_invitation"
	// CodeSocialFailed: the provider's answer could not be used (400).
	CodeSocialFailed = "social_failed"
	// CodeNotFound: no such endpoint or resource (404).
	CodeNotFound = "not_found"
	// CodeMethodNotAllowed: the endpoint exists for other methods (405).
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeConflict: the request conflicts with the current state (409).
	CodeConflict = "conflict"
	// CodeForbidden: the user may not do this (403).
	CodeForbidden = "forbidden"
	// CodeImpersonating: the session is an impersonation
	// (auth.Auth.Impersonate) and the action is one only the account's
	// own person may take: a password, second factor, passkey or email
	// change, a social sign-in or link, or signing in to another account
	// (403). Stop the impersonation first; me tells who impersonates.
	CodeImpersonating = "impersonating"
	// CodeBusy: no password hashing slot was free; retry shortly (503).
	CodeBusy = "busy"
	// CodeServerError: the server failed; nothing about the request (500).
	CodeServerError = "server_error"
)

// Error is an API error: its HTTP status and the body
// {"error":{"code":...,"message":...,"fields":{...}}}. Handlers of an app
// built on the API can return one through WriteError.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is one of the Code constants.
	Code string
	// Message is for people; it may change.
	Message string
	// Fields are the messages by request field, for CodeValidationFailed
	// and CodeBadRequest.
	Fields map[string][]string
	// RetryAfter, when positive, is sent as Retry-After.
	RetryAfter time.Duration
	// URL, when set, is where the client should go next (a login gate's
	// page).
	URL string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("api: %d %s: %s", e.Status, e.Code, e.Message) }

func apiErr(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

var (
	errNotAuthenticated = apiErr(http.StatusUnauthorized, CodeNotAuthenticated, "Sign in first.")
	errInvalidToken     = apiErr(http.StatusUnauthorized, CodeInvalidToken, "The session token is unknown or has expired. Sign in again.")
	errServer           = apiErr(http.StatusInternalServerError, CodeServerError, "Something went wrong. Try again later.")
	errImpersonating    = apiErr(http.StatusForbidden, CodeImpersonating, "Not allowed while impersonating another user. Stop the impersonation first.")
)

func notConfigured(what string) *Error {
	return apiErr(http.StatusNotFound, CodeNotConfigured, what+" is not available on this site.")
}

func validation(fields map[string][]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidationFailed, Message: "Some fields are invalid.", Fields: fields}
}

func throttled(wait time.Duration, msg string) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: CodeThrottled, Message: msg, RetryAfter: wait}
}

// errorBody is the JSON of an Error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  map[string][]string `json:"fields,omitempty"`
	URL     string              `json:"url,omitempty"`
}

// asAPIError returns err as an *Error, nil when it is none.
func asAPIError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
