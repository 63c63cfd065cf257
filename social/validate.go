package social

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidateAccount reports, wrapping ErrInvalid, what in a no store can
// hold: an empty or too long provider or uid, a NUL byte or invalid
// UTF-8, a user id that is not positive, extra data that is not a JSON
// object. Stores call it before writing.
func ValidateAccount(a Account) error {
	if a.UserID <= 0 {
		return fmt.Errorf("%w: user id %d", ErrInvalid, a.UserID)
	}
	if err := checkText("provider", a.Provider, MaxProviderLength, true); err != nil {
		return err
	}
	if err := checkText("uid", a.UID, MaxUIDLength, true); err != nil {
		return err
	}
	return ValidateExtraData(a.ExtraData)
}

// ValidateExtraData accepts nil (stored as "{}") and a JSON object
// without NUL characters.
func ValidateExtraData(b []byte) error {
	if b == nil {
		return nil
	}
	if !utf8.Valid(b) || strings.Contains(string(b), `\u0000`) || strings.IndexByte(string(b), 0) >= 0 {
		return fmt.Errorf("%w: extra data holds a NUL or invalid UTF-8", ErrInvalid)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return fmt.Errorf("%w: extra data is not a JSON object", ErrInvalid)
	}
	return nil
}

// ValidateApp reports what in a no store can hold.
func ValidateApp(a App) error {
	if err := checkText("provider", a.Provider, MaxProviderLength, true); err != nil {
		return err
	}
	if err := checkText("name", a.Name, MaxAppNameLength, true); err != nil {
		return err
	}
	if err := checkText("client id", a.ClientID, MaxClientIDLength, true); err != nil {
		return err
	}
	if err := checkText("secret", a.Secret, MaxClientIDLength, false); err != nil {
		return err
	}
	return checkText("key", a.Key, MaxClientIDLength, false)
}

// ValidateToken reports what in t no store can hold.
func ValidateToken(t Token) error {
	if t.AppID <= 0 || t.AccountID <= 0 {
		return fmt.Errorf("%w: token of app %d, account %d", ErrInvalid, t.AppID, t.AccountID)
	}
	if err := checkText("token", t.Token, -1, true); err != nil {
		return err
	}
	return checkText("token secret", t.TokenSecret, -1, false)
}

func checkText(field, s string, max int, required bool) error {
	switch {
	case required && s == "":
		return fmt.Errorf("%w: empty %s", ErrInvalid, field)
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%w: %s holds a NUL or invalid UTF-8", ErrInvalid, field)
	case max >= 0 && utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%w: %s longer than %d characters", ErrInvalid, field, max)
	}
	return nil
}
