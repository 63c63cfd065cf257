package accounts

import (
	"net/http"

	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/validation"
)

// helpTexts returns the help texts of the password validators in the
// request's language (auth.Config.I18n), as the password forms show them.
func (m *Manager[U]) helpTexts(r *http.Request) []string {
	return m.auth.Translator(r).TranslateAll(validation.HelpMessages(m.validators...))
}

// pageMessages are the msgids that reach the pages as plain strings (a
// form error, a page's Message or Warning), which the templates
// translate with {{t .}}: listed here for i18n's extraction check. The
// messages with arguments are translated where they are made.
// The list is read by the extraction check only.
var _ = pageMessages

var pageMessages = []i18n.Message{
	{ID: MsgInvalidEmail}, {ID: MsgEmailResent}, {ID: MsgEmailPrimary}, {ID: MsgEmailRemoved},
	{ID: MsgEmailUnverified}, {ID: MsgEmailCantRemove}, {ID: MsgEmailTooMany}, {ID: MsgEmailNoSuch},
	{ID: MsgEmailAlreadyYours}, {ID: MsgWrongCode}, {ID: MsgVerificationSent}, {ID: MsgEmailTaken},
	{ID: MsgSignupClosed}, {ID: "A user with that username already exists."},
	{ID: MsgInvalidCode}, {ID: MsgTooManyCodes}, {ID: MsgChooseFactor}, {ID: MsgPasswordInvalid},
	{ID: MsgTOTPAdded}, {ID: MsgTOTPWrongCode}, {ID: MsgTOTPRenamed}, {ID: MsgTOTPRemoved},
	{ID: MsgTOTPSetupGone}, {ID: MsgTOTPSetupCancelled}, {ID: MsgLastFactor}, {ID: MsgRecoveryRemovedToo},
	{ID: MsgRecoveryNext}, {ID: MsgRecoveryNeedsFactor}, {ID: MsgRecoverySaved}, {ID: MsgDeviceNameInvalid},
	{ID: MsgPasskeyAdded}, {ID: MsgPasskeyRenamed}, {ID: MsgPasskeyRemoved}, {ID: MsgPasskeyNotFound},
	{ID: MsgPasswordMismatch}, {ID: MsgPasswordIncorrect},
	{ID: MsgLoginLinkInvalid}, {ID: MsgLoginLinkOtherBrowser}, {ID: MsgLoginCodeEnded},
	{ID: MsgSessionRevoked}, {ID: MsgSessionNotFound}, {ID: MsgSessionIsCurrent}, {ID: MsgUnknownAction},
	// Made with arguments: MsgEmailAdded, MsgOtherSessionsRevoked, the
	// plural MsgRecoveryLow.
	{ID: MsgEmailAdded}, {ID: MsgOtherSessionsRevoked}, {ID: MsgRecoveryLowOne, Plural: MsgRecoveryLow},
	// factorLabel, codeLabel and addLink: the names of the factors and
	// their fields.
	{ID: "Authenticator app"}, {ID: "Recovery code"}, {ID: "Passkey"}, {ID: "Code from your authenticator app"},
	{ID: "Code"}, {ID: "Add an authenticator app"}, {ID: "Manage passkeys"},
}
