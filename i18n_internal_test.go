package auth

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFormMessagesListed: every error string that the login form's
// cleaning returns is in formMessages, where i18n's extraction check
// finds it.
func TestFormMessagesListed(t *testing.T) {
	t.Parallel()
	listed := map[string]bool{}
	for _, m := range formMessages {
		listed[m.ID] = true
	}
	for _, raw := range []string{"", "   ", "a\x00", "\xff", "ok"} {
		if _, msg := cleanUsername(raw); msg != "" {
			assert.True(t, listed[msg], msg)
		}
		if msg := InvalidTextMessage(raw); msg != "" {
			assert.True(t, listed[msg], msg)
		}
	}
	assert.True(t, listed[MsgInactive])
	assert.True(t, listed[MsgRequired])
}
