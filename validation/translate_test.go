package validation_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/validation"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	b, err := i18n.New(i18n.Config{Languages: []string{"en", "fr"}})
	require.NoError(t, err)
	fr := b.Translator("fr")
	user := &auth.User{Username: "jeanne", Email: "jeanne.dupont@example.com"}
	tests := []struct {
		password string
		v        validation.Validator
		en, fr   string
	}{
		{"abc", validation.MinimumLength{},
			"This password is too short. It must contain at least 8 characters.",
			"Ce mot de passe est trop court. Il doit comporter au moins 8 caractères."},
		{"", validation.MinimumLength{Min: 1},
			"This password is too short. It must contain at least 1 character.",
			"Ce mot de passe est trop court. Il doit comporter au moins 1 caractère."},
		{"password", validation.CommonPassword{}, "This password is too common.", "Ce mot de passe est trop répandu."},
		{"12345678901", validation.Numeric{}, "This password is entirely numeric.", "Ce mot de passe ne contient que des chiffres."},
		{"jeanne", validation.UserAttributeSimilarity{}, "The password is too similar to the username.",
			"Le mot de passe ressemble trop au champ « nom d’utilisateur »."},
		{"dupont", validation.UserAttributeSimilarity{}, "The password is too similar to the email address.",
			"Le mot de passe ressemble trop au champ « adresse e-mail »."},
	}
	for _, tt := range tests {
		err := validation.Validate(tt.password, user, tt.v)
		var errs validation.Errors
		require.True(t, errors.As(err, &errs), tt.password)
		assert.Equal(t, []string{tt.en}, errs.Messages())
		assert.Equal(t, []string{tt.en}, errs.Translate(nil))
		assert.Equal(t, []string{tt.fr}, errs.Translate(fr))
		assert.Equal(t, tt.en, errs[0].Msg.String())
	}
	// Params keep their English values.
	err = validation.Validate("dupont", user, validation.UserAttributeSimilarity{})
	var one *validation.ValidationError
	require.True(t, errors.As(err, &one))
	assert.Equal(t, map[string]any{"verbose_name": "email address"}, one.Params)
}

type plainValidator struct{}

func (plainValidator) Validate(string, *auth.User) error {
	return &validation.ValidationError{Code: "custom", Message: "This password is too common."}
}
func (plainValidator) HelpText() string { return "This field is required." }

func TestHelpMessages(t *testing.T) {
	t.Parallel()
	b, err := i18n.New(i18n.Config{Languages: []string{"en", "fr"}})
	require.NoError(t, err)
	fr := b.Translator("fr")
	vs := append(validation.Default(), plainValidator{})
	msgs := validation.HelpMessages(vs...)
	assert.Equal(t, validation.HelpTexts(vs...), (*i18n.Translator)(nil).TranslateAll(msgs), "English is HelpText")
	assert.Equal(t, []string{
		"Votre mot de passe ne doit pas trop ressembler à vos autres informations personnelles.",
		"Votre mot de passe doit comporter au moins 8 caractères.",
		"Votre mot de passe ne doit pas être un mot de passe répandu.",
		"Votre mot de passe ne doit pas contenir que des chiffres.",
		"Ce champ est obligatoire.",
	}, fr.TranslateAll(msgs))
	// An error without Msg is translated through its Message.
	err = validation.Validate("x", nil, plainValidator{})
	var errs validation.Errors
	require.True(t, errors.As(err, &errs))
	assert.Equal(t, []string{"Ce mot de passe est trop répandu."}, errs.Translate(fr))
}
