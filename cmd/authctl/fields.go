package main

import (
	"context"
	"errors"
	"strings"

	"github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
)

// Django's messages for the username field of its User model.
const (
	msgBlankField    = "This field cannot be blank."
	msgUsernameBlank = "Username cannot be blank."
	msgUsernameTaken = "Error: That username is already taken."
)

// cleanUsername is the clean() of Django's username field: blank is
// refused, then every validator runs (the character rule, then the
// length) and all their messages are returned.
func cleanUsername(username string) []string {
	if username == "" {
		return []string{msgBlankField}
	}
	var msgs []string
	var ve *auth.ValidationError
	if err := (auth.UsernameValidator{}).Validate(username); errors.As(err, &ve) {
		msgs = append(msgs, ve.Message)
	} else if err != nil {
		msgs = append(msgs, err.Error())
	}
	if m := auth.MaxLengthMessage(username, auth.MaxUsernameLength); m != "" {
		msgs = append(msgs, m)
	}
	return msgs
}

// cleanEmail is the clean() of Django's email field, which may be blank.
func cleanEmail(email string) []string {
	if email == "" {
		return nil
	}
	var msgs []string
	if !accounts.ValidEmail(email) {
		msgs = append(msgs, accounts.MsgInvalidEmail)
	}
	if m := auth.MaxLengthMessage(email, auth.MaxEmailLength); m != "" {
		msgs = append(msgs, m)
	}
	return msgs
}

// checkUsername is Django's createsuperuser _validate_username: it returns
// the message that makes username unusable, or "". The name is looked up
// as given and as it will be stored (NFKC-normalised), so that a name that
// only normalisation makes equal to an existing one is reported as taken
// instead of failing at insert time.
func checkUsername(ctx context.Context, store auth.UserStore[auth.User], username string) (string, error) {
	for _, name := range []string{username, auth.NormalizeUsername(username)} {
		if name == "" {
			continue
		}
		_, err := store.GetUserByUsername(ctx, name)
		if err == nil {
			return msgUsernameTaken, nil
		}
		if !errors.Is(err, auth.ErrUserNotFound) && !errors.Is(err, auth.ErrInvalid) {
			return "", err
		}
	}
	if username == "" {
		return msgUsernameBlank, nil
	}
	if msgs := cleanUsername(username); len(msgs) > 0 {
		return strings.Join(msgs, "; "), nil
	}
	return "", nil
}
