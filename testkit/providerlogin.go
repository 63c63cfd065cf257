package testkit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// ProviderLogin describes the provider's part of a social login that an
// app's client started on its own (a JSON API answered the authorization
// URL): RunProviderLogin follows it to the redirect back to the app.
type ProviderLogin struct {
	// AuthURL is the provider's authorization URL the app answered.
	AuthURL string
	// CallbackURL is the app's callback URL: the redirect to it ends the
	// run, and it is not requested.
	CallbackURL string
	// Login and Password are typed into the provider's login form, as
	// SocialLogin's.
	Login    string
	Password string
	// Client is the browser at the provider; nil is a new client with a
	// cookie jar.
	Client *http.Client
	// MaxSteps bounds the requests made; 0 is 30.
	MaxSteps int
}

// RunProviderLogin opens l.AuthURL, fills in the provider's login (and
// any consent) forms as RunSocialLogin does, and returns the URL the
// provider sent the browser back to: l.CallbackURL with the code and
// state (or error) in its query, for the app's client to hand over. It
// returns ErrLoginNotFinished when the provider never sent the browser
// back.
func RunProviderLogin(ctx context.Context, l ProviderLogin) (*url.URL, error) {
	if l.CallbackURL == "" {
		return nil, fmt.Errorf("testkit: ProviderLogin.CallbackURL is required")
	}
	c := l.Client
	if c == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, err
		}
		c = &http.Client{Jar: jar, Timeout: 20 * time.Second}
	}
	step := *c
	step.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if l.MaxSteps == 0 {
		l.MaxSteps = 30
	}
	res, err := do(ctx, &step, http.MethodGet, l.AuthURL, nil)
	for range l.MaxSteps {
		if err != nil {
			return nil, err
		}
		if res.loc != nil {
			if strings.HasPrefix(res.loc.String(), l.CallbackURL) {
				return res.loc, nil
			}
			res, err = do(ctx, &step, http.MethodGet, res.loc.String(), nil)
			continue
		}
		res, err = submit(ctx, &step, res, l.Login, l.Password)
	}
	if err != nil {
		return nil, err
	}
	return nil, ErrLoginNotFinished
}
