package accounts

import (
	"net/http"

	"github.com/djauth/auth/validation"
)

// helpTexts returns the help texts of the password validators in the
// request's language (auth.Config.I18n), as the password forms show them.
func (m *Manager[U]) helpTexts(r *http.Request) []string {
	return m.auth.Translator(r).TranslateAll(validation.HelpMessages(m.validators...))
}
