package api

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	auth "github.com/djauth/auth"
)

type socialStartRequest struct {
	// Next is where the browser goes after the provider's callback page
	// signed it in (a safe local path), for the web flow.
	Next      string `json:"next"`
	Transport string `json:"transport"`
}

type socialCallbackRequest struct {
	// Code, State and Error are the query parameters the provider sent
	// to the callback URL, for a client that caught the redirect (an app
	// with a custom tab) and finishes on its own session.
	Code  string `json:"code"`
	State string `json:"state"`
	Error string `json:"error"`
}

func (x *API[U]) socialRoutes() {
	x.handle(http.MethodPost, "social/{provider}/start", x.socialStart)
	x.handle(http.MethodPost, "social/{provider}/callback", x.socialCallback)
}

// capture records what a page of package social answered, without
// writing it: the API answers in JSON instead.
type capture struct {
	h      http.Header
	status int
	body   bytes.Buffer
	limit  int
}

func (c *capture) Header() http.Header { return c.h }
func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.body.Len() < c.limit {
		c.body.Write(b[:min(len(b), c.limit-c.body.Len())])
	}
	return len(b), nil
}

// runSocial runs package social's own page at path on this request's
// session, so that its state checks, exchange and login are the ones the
// web flow uses.
func (x *API[U]) runSocial(r *http.Request, method, path string, query url.Values, form url.Values) *capture {
	sub := r.Clone(r.Context())
	sub.Method = method
	sub.URL = &url.URL{Path: path, RawQuery: query.Encode()}
	sub.RequestURI = ""
	sub.Header = r.Header.Clone()
	sub.Header.Del("Content-Type")
	sub.Body = http.NoBody
	sub.ContentLength = 0
	if form != nil {
		enc := form.Encode()
		sub.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sub.Body = ioNopCloser(strings.NewReader(enc))
		sub.ContentLength = int64(len(enc))
	}
	c := &capture{h: http.Header{}, limit: 4096}
	x.soc.Handler().ServeHTTP(c, sub)
	return c
}

// socialStart answers the provider's authorization URL to send the
// browser to; the login's state is kept in this session.
func (x *API[U]) socialStart(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if x.soc == nil {
		return 0, nil, notConfigured("Social sign-in")
	}
	var in socialStartRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.useTransport(r, in.Transport); err != nil {
		return 0, nil, err
	}
	p := r.PathValue("provider")
	form := url.Values{}
	if in.Next != "" {
		form.Set("next", in.Next)
	}
	c := x.runSocial(r, http.MethodPost, x.soc.LoginURL(p), nil, form)
	switch {
	case c.status == http.StatusNotFound:
		return 0, nil, apiErr(http.StatusNotFound, CodeNotFound, "There is no sign-in with this provider here.")
	case c.status == http.StatusFound && c.h.Get("Location") != "":
		return http.StatusOK, map[string]string{"url": c.h.Get("Location")}, nil
	case c.status == http.StatusBadGateway:
		return 0, nil, apiErr(http.StatusBadGateway, CodeSocialFailed, "The provider cannot be reached. Try again later.")
	}
	return 0, nil, apiErr(http.StatusBadRequest, CodeSocialFailed, "The sign-in could not be started.")
}

// socialCallback finishes the sign-in with the provider's answer, as its
// callback page does, and answers as every sign-in does.
func (x *API[U]) socialCallback(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if x.soc == nil {
		return 0, nil, notConfigured("Social sign-in")
	}
	var in socialCallbackRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	p := r.PathValue("provider")
	cb, err := url.Parse(x.soc.CallbackURL(p))
	if err != nil {
		return 0, nil, err
	}
	q := url.Values{"state": {in.State}}
	if in.Code != "" {
		q.Set("code", in.Code)
	}
	if in.Error != "" {
		q.Set("error", in.Error)
	}
	c := x.runSocial(r, http.MethodGet, cb.Path, q, nil)
	loc := c.h.Get("Location")
	switch {
	case c.status == http.StatusNotFound:
		return 0, nil, apiErr(http.StatusNotFound, CodeNotFound, "There is no sign-in with this provider here.")
	case c.status == http.StatusFound && x.flow != nil && strings.HasPrefix(loc, x.flow.ChallengeURL()):
		pl, err := x.flow.Pending(r)
		if err != nil {
			return 0, nil, mfaError(err)
		}
		kinds, err := x.pendingFactors(r, pendingID(pl.User))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, loginAnswer{Status: StatusMFARequired, Factors: kinds}, nil
	case c.status == http.StatusFound && x.a.User(r).IsAuthenticated():
		return http.StatusOK, loginAnswer{Status: StatusAuthenticated, User: x.userJSON(r, x.a.User(r).User())}, nil
	case c.status == http.StatusFound:
		// A link to confirm, or a gate's page: the web flow goes on there.
		return http.StatusAccepted, loginAnswer{Status: "continue", URL: loc}, nil
	case c.status == http.StatusForbidden:
		return 0, nil, apiErr(http.StatusForbidden, CodeLoginRefused, "This account may not sign in now.")
	}
	return 0, nil, apiErr(http.StatusBadRequest, CodeSocialFailed, "The provider's answer could not be used. Start again.")
}

func ioNopCloser(r *strings.Reader) io.ReadCloser { return io.NopCloser(r) }

func pendingID[U any](u *U) int64 { return auth.UserOf(u).ID }
