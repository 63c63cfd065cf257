package auth

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// ErrLoginRequired is returned by the checks beside the guards when the
// request is anonymous.
var ErrLoginRequired = errors.New("auth: login required")

// CheckLogin returns nil when the request has a logged-in user,
// ErrLoginRequired when it is anonymous, and the loading error when the
// user could not be loaded. It is the check of LoginRequired, for use
// inside a handler; Deny answers its error.
func (a *Auth[U]) CheckLogin(r *http.Request) error {
	return checkLogin(a.User(r))
}

// checkLogin is CheckLogin for a request user already at hand.
func checkLogin[U any](ru *RequestUser[U]) error {
	if ru.IsAuthenticated() {
		return nil
	}
	if err := ru.Err(); err != nil {
		return err
	}
	return ErrLoginRequired
}

// CheckPerms returns nil when the request's user holds every one of perms,
// ErrLoginRequired for an anonymous request, an error wrapping
// ErrPermissionDenied for a user without them, and the loading or backend
// error when the answer is unknown. It is the check of PermissionRequired.
func (a *Auth[U]) CheckPerms(r *http.Request, perms ...string) error {
	ru := a.User(r)
	if err := checkLogin(ru); err != nil {
		return err
	}
	ok := ru.HasPerms(perms...)
	if err := ru.Err(); err != nil {
		return err
	}
	if !ok {
		return ErrPermissionDenied
	}
	return nil
}

// CheckTest returns nil when test passes for the request's user, and
// otherwise ErrLoginRequired for an anonymous request or
// ErrPermissionDenied for a logged-in one. It is the check of
// UserPassesTest.
func (a *Auth[U]) CheckTest(r *http.Request, test func(*RequestUser[U]) bool) error {
	ru := a.User(r)
	ok := test(ru)
	if err := ru.Err(); err != nil {
		return err
	}
	switch {
	case ok:
		return nil
	case ru.IsAuthenticated():
		return ErrPermissionDenied
	default:
		return ErrLoginRequired
	}
}

// Deny answers a request that a check refused: for ErrLoginRequired a
// redirect to the login page with the current URL in "next" (Django's
// redirect_to_login), or 401 with a JSON body when the request asks for
// JSON; for ErrPermissionDenied 403; for any other error 500, logged.
func (a *Auth[U]) Deny(w http.ResponseWriter, r *http.Request, err error) {
	json := wantsJSON(r)
	switch {
	case errors.Is(err, ErrLoginRequired):
		if json {
			writeJSONError(w, http.StatusUnauthorized, "authentication required", a.loginURL)
			return
		}
		redirect(w, r, RedirectToLoginURL(a.loginURL, a.nextForLogin(r), RedirectFieldName), http.StatusFound)
	case errors.Is(err, ErrPermissionDenied):
		if json {
			writeJSONError(w, http.StatusForbidden, "permission denied", "")
			return
		}
		a.render(w, r, http.StatusForbidden, a.templates.Forbidden, &ForbiddenPage{
			Username: a.User(r).Username(),
			LoginURL: RedirectToLoginURL(a.loginURL, a.nextForLogin(r), RedirectFieldName),
		})
	default:
		a.logger.ErrorContext(r.Context(), "auth: cannot check the request's user", "error", err)
		if json {
			writeJSONError(w, http.StatusInternalServerError, "authentication unavailable", "")
			return
		}
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

func writeJSONError(w http.ResponseWriter, code int, msg, loginURL string) {
	body := map[string]string{"error": msg}
	if loginURL != "" {
		body["login_url"] = loginURL
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// wantsJSON reports whether the Accept header lists application/json.
func wantsJSON(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == "application/json" {
				return true
			}
		}
	}
	return false
}

// nextForLogin is the "next" value of a login redirect: the request's path
// and query when the login URL is on the same scheme and host, the full
// URL otherwise (Django's login_required and LoginRequiredMiddleware).
func (a *Auth[U]) nextForLogin(r *http.Request) string {
	full := r.URL.RequestURI()
	lu, err := url.Parse(a.loginURL)
	if err != nil {
		return full
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	// Django builds the absolute URL from get_host, the Host checked
	// against ALLOWED_HOSTS; an untrusted Host gives the path alone.
	host, err := a.RequestHost(r)
	if err != nil || (lu.Scheme == "" || lu.Scheme == scheme) && (lu.Host == "" || lu.Host == host) {
		return full
	}
	return scheme + "://" + host + full
}

// RedirectToLoginURL returns loginURL with next added to its query under
// field, quoted as Django's redirect_to_login quotes it (only letters,
// digits, "_.-~" and "/" stay as they are):
//
//	RedirectToLoginURL("/accounts/login/", "/reports/?page=2", "next")
//	// "/accounts/login/?next=/reports/%3Fpage%3D2"
//
// Other parameters of loginURL are kept in order; an existing field is
// replaced in place.
func RedirectToLoginURL(loginURL, next, field string) string {
	base, frag, _ := strings.Cut(loginURL, "#")
	path, query, _ := strings.Cut(base, "?")
	type kv struct{ k, v string }
	var params []kv
	replaced := false
	for _, p := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' }) {
		k, v, _ := strings.Cut(p, "=")
		k, kerr := url.QueryUnescape(k)
		v, verr := url.QueryUnescape(v)
		if kerr != nil || verr != nil {
			continue
		}
		if k == field {
			if replaced {
				continue
			}
			v, replaced = next, true
		}
		params = append(params, kv{k, v})
	}
	if !replaced {
		params = append(params, kv{field, next})
	}
	var b strings.Builder
	b.WriteString(path)
	for i, p := range params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(pyQuote(p.k, "/"))
		b.WriteByte('=')
		b.WriteString(pyQuote(p.v, "/"))
	}
	if frag != "" {
		b.WriteString("#" + frag)
	}
	return b.String()
}

// pyQuote is Python's urllib.parse.quote(s, safe): every byte but ASCII
// letters, digits, "_.-~" and those of safe percent-encoded.
func pyQuote(s, safe string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// LoginRequired lets logged-in users through and answers the others with
// Deny: a redirect to the login page, or 401 for JSON requests (Django's
// login_required). It needs Middleware around it.
func (a *Auth[U]) LoginRequired(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.CheckLogin(r); err != nil {
			a.Deny(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// PermissionRequired returns a guard that lets through users holding every
// one of perms ("app_label.codename"): anonymous users are sent to log in,
// logged-in users without the permissions get 403 (Django's
// PermissionRequiredMixin). It panics when perms is empty, which would let
// every logged-in user through.
func (a *Auth[U]) PermissionRequired(perms ...string) func(http.Handler) http.Handler {
	if len(perms) == 0 {
		panic("auth: PermissionRequired needs at least one permission")
	}
	perms = append([]string(nil), perms...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := a.CheckPerms(r, perms...); err != nil {
				a.Deny(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// UserPassesTest returns a guard that lets the request through when test
// passes for its user; otherwise anonymous users are sent to log in and
// logged-in users get 403 (Django's UserPassesTestMixin). It panics when
// test is nil.
func (a *Auth[U]) UserPassesTest(test func(*RequestUser[U]) bool) func(http.Handler) http.Handler {
	if test == nil {
		panic("auth: UserPassesTest needs a test function")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := a.CheckTest(r, test); err != nil {
				a.Deny(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// exemptHandler marks a handler that LoginRequiredMiddleware lets through.
type exemptHandler struct{ http.Handler }

// LoginNotRequired marks h as open to anonymous users under
// LoginRequiredMiddleware (Django's login_not_required). The login handler
// is marked already.
func LoginNotRequired(h http.Handler) http.Handler { return exemptHandler{h} }

// handlerResolver is implemented by *http.ServeMux and by routers with the
// same method: it names the handler that will serve a request.
type handlerResolver interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// isExempt reports whether the handler that will serve r is marked with
// LoginNotRequired, following nested resolvers.
func isExempt(h http.Handler, r *http.Request) bool {
	for range 8 {
		if _, ok := h.(exemptHandler); ok {
			return true
		}
		res, ok := h.(handlerResolver)
		if !ok {
			return false
		}
		next, _ := res.Handler(r)
		if next == nil || next == h {
			return false
		}
		h = next
	}
	return false
}

// LoginRequiredMiddleware requires a login for every request except those
// that reach a handler marked with LoginNotRequired and those for the
// login page itself (Django 5.1's LoginRequiredMiddleware). The marked
// handler is found by asking next which handler serves the request, so
// next should be the *http.ServeMux (or a router with the same Handler
// method) on which the marked handlers are registered; a handler reached
// some other way (for example through http.StripPrefix) is not seen as
// marked. Anonymous requests get the same answers as from LoginRequired.
// It needs Middleware around it.
func (a *Auth[U]) LoginRequiredMiddleware(next http.Handler) http.Handler {
	loginPath := a.loginURL
	if u, err := url.Parse(a.loginURL); err == nil && u.Host == "" {
		loginPath = u.Path
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == loginPath || isExempt(next, r) {
			next.ServeHTTP(w, r)
			return
		}
		if err := a.CheckLogin(r); err != nil {
			a.Deny(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
