package auth

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// DefaultImpersonateURL and DefaultStopImpersonationURL are where
// ImpersonationRoutes mounts the start and stop handlers under
// DefaultRoutePrefix.
const (
	DefaultImpersonateURL       = DefaultRoutePrefix + "impersonate/"
	DefaultStopImpersonationURL = DefaultRoutePrefix + "impersonate/stop/"
)

// Form fields of ImpersonateHandler: a "Log in as" button (the
// dashboard's) posts the target's ID in ImpersonateUserIDField and,
// optionally, the page to come back to after the stop in
// ImpersonateReturnField and the page to go to now in RedirectFieldName.
const (
	ImpersonateUserIDField = "user_id"
	ImpersonateReturnField = "return"
)

const maxImpersonationBannerBuffer = 8 << 20

// ImpersonationRoutes mounts ImpersonateHandler at prefix+"impersonate/"
// and StopImpersonationHandler at prefix+"impersonate/stop/" (an empty
// prefix means DefaultRoutePrefix) and returns the stop URL, which
// ImpersonationBanner needs.
func (a *Auth[U]) ImpersonationRoutes(mux *http.ServeMux, prefix string) (stopURL string) {
	if prefix == "" {
		prefix = DefaultRoutePrefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	mux.Handle(prefix+"impersonate/{$}", a.ImpersonateHandler())
	mux.Handle(prefix+"impersonate/stop/{$}", a.StopImpersonationHandler())
	return prefix + "impersonate/stop/"
}

// ImpersonateHandler starts an impersonation (see Impersonate) from a
// POST form with the target's ID in "user_id" (the dashboard's "Log in
// as" button). On success it redirects with 303 to the safe "next", else
// to Config.LoginRedirectURL; the safe "return" field, when given, is
// where StopImpersonationHandler goes back to. An anonymous request is
// sent to log in; a refusal gets 403; a step-up that Config.SecondFactor
// asks for sends the browser to its verification page. Other methods get
// 405; the handler is wrapped in Protect (cross-origin POSTs refused, not
// cached).
func (a *Auth[U]) ImpersonateHandler() http.Handler {
	return a.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.parseImpersonationPOST(w, r) {
			return
		}
		if err := a.CheckLogin(r); err != nil {
			a.Deny(w, r, err)
			return
		}
		raw := lastValue(r.PostForm, ImpersonateUserIDField)
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw {
			http.Error(w, "user_id must be a user's ID", http.StatusBadRequest)
			return
		}
		returnTo := a.safeURL(r, lastValue(r.PostForm, ImpersonateReturnField))
		var target U
		authUserOf(&target).ID = id
		err = a.impersonate(r, &target, returnTo)
		var withURL interface{ RedirectURL() string }
		switch {
		case err == nil:
		case errors.As(err, &withURL) && withURL.RedirectURL() != "":
			redirect(w, r, withURL.RedirectURL(), http.StatusSeeOther)
			return
		case errors.Is(err, ErrLoginRefused):
			a.Deny(w, r, refused(err.Error()))
			return
		default:
			a.Deny(w, r, err)
			return
		}
		target2 := a.redirectTarget(r)
		if target2 == "" {
			target2 = a.loginRedirectURL
		}
		redirect(w, r, target2, http.StatusSeeOther)
	}))
}

// StopImpersonationHandler ends the impersonation (StopImpersonation)
// from a POST form, the banner's button, and redirects with 303 to the
// page the impersonation was started from when one was given, else to the
// safe "next", else to Config.LoginRedirectURL. When the impersonator may
// no longer come back, the session is logged out and the browser goes to
// the login page. A session that is no impersonation (a second click) is
// just redirected. It is wrapped in Protect.
func (a *Auth[U]) StopImpersonationHandler() http.Handler {
	return a.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.parseImpersonationPOST(w, r) {
			return
		}
		target := a.sessions.GetString(r.Context(), SessionKeyImpersonationReturn)
		if target == "" {
			target = a.redirectTarget(r)
		}
		if target == "" {
			target = a.loginRedirectURL
		}
		switch err := a.StopImpersonation(r); {
		case err == nil, errors.Is(err, ErrNotImpersonating):
		case errors.Is(err, ErrImpersonatorRevoked):
			target = a.loginURL
		default:
			a.logger.ErrorContext(r.Context(), "auth: stop impersonation", "error", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		redirect(w, r, target, http.StatusSeeOther)
	}))
}

// parseImpersonationPOST answers anything but a readable POST form.
func (a *Auth[U]) parseImpersonationPOST(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return false
	}
	return true
}

// safeURL is u when it is a safe redirect target for r, else "".
func (a *Auth[U]) safeURL(r *http.Request, u string) string {
	host, err := a.RequestHost(r)
	if err != nil {
		host = ""
	}
	return SafeRedirectURL(u, host, r.TLS != nil, a.redirectHosts)
}

// ImpersonationBannerCSS styles the banner (class "djauth-impersonation").
// The banner carries no style attribute and no script, so that it is
// allowed by any Content-Security-Policy; add these rules to the site's
// own stylesheet to make it stand out (it is visible without them).
const ImpersonationBannerCSS = `.djauth-impersonation{position:sticky;top:0;z-index:2147483647;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:center;padding:.5rem 1rem;background:#b45309;color:#fff;font:600 1rem/1.4 system-ui,sans-serif}
.djauth-impersonation p{margin:0}
.djauth-impersonation form{margin:0}
.djauth-impersonation button{margin:0;width:auto;padding:.3rem .8rem;font:inherit;color:#b45309;background:#fff;border:0;border-radius:.3rem;cursor:pointer}
`

var impersonationBanner = template.Must(template.New("banner").Parse(
	`<div class="djauth-impersonation" role="region" aria-label="Impersonation">` +
		`<p>You are logged in as <strong>{{.User}}</strong> on behalf of <strong>{{.Impersonator}}</strong>.</p>` +
		`<form method="post" action="{{.StopURL}}"><button type="submit">Stop impersonating</button></form>` +
		`</div>`))

type bannerKey struct{}

// ImpersonationBanner is the middleware that makes an impersonation
// visible on every page, django-hijack's notification: while the session
// is an impersonation, each text/html response that has a <body> tag gets,
// right after it, a region "You are logged in as X on behalf of Y" with a
// "Stop impersonating" button, a POST form to stopURL (protected, as
// every form of the library, by the cross-origin check of
// StopImpersonationHandler: no token is needed). The banner is plain
// HTML, without script or style attributes (see ImpersonationBannerCSS).
// JSON and other responses, compressed responses and responses larger
// than 8 MiB are passed through untouched.
//
// It also fails closed: when the impersonator may no longer come back
// (demoted, deactivated, password changed), the session is logged out
// before the request is served; a store failure while checking answers
// 500. Wrap the whole site with it (it applies Middleware, which is
// harmless twice).
func (a *Auth[U]) ImpersonationBanner(stopURL string) func(http.Handler) http.Handler {
	if stopURL == "" {
		stopURL = DefaultStopImpersonationURL
	}
	return func(next http.Handler) http.Handler {
		return a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if ctx.Value(bannerKey{}) != nil || !a.Impersonating(r) {
				next.ServeHTTP(w, r)
				return
			}
			imp, _, _, valid, err := a.impersonator(ctx)
			if err != nil {
				a.logger.ErrorContext(ctx, "auth: impersonation banner", "error", err)
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				return
			}
			if !valid {
				if err := a.Logout(r); err != nil {
					a.logger.ErrorContext(ctx, "auth: end revoked impersonation", "error", err)
					http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			r = r.WithContext(context.WithValue(ctx, bannerKey{}, true))
			bw := &bannerWriter{ResponseWriter: w, r: r, build: func() []byte {
				if !a.Impersonating(r) {
					return nil
				}
				var b bytes.Buffer
				_ = impersonationBanner.Execute(&b, map[string]string{
					"User":         a.User(r).Username(),
					"Impersonator": authUserOf(imp).Username,
					"StopURL":      stopURL,
				})
				return b.Bytes()
			}}
			next.ServeHTTP(bw, r)
			bw.finish()
		}))
	}
}

// bannerWriter buffers an HTML response to insert the banner after the
// <body> tag; any other response goes straight through.
type bannerWriter struct {
	http.ResponseWriter
	r       *http.Request
	build   func() []byte
	decided bool
	buffer  bool
	code    int
	buf     bytes.Buffer
}

func (bw *bannerWriter) decide(code int) {
	if bw.decided {
		return
	}
	bw.decided, bw.code = true, code
	h := bw.Header()
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	bw.buffer = mt == "text/html" && h.Get("Content-Encoding") == "" &&
		code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified &&
		bw.r.Method != http.MethodHead
	if !bw.buffer {
		bw.ResponseWriter.WriteHeader(code)
	}
}

// WriteHeader implements http.ResponseWriter.
func (bw *bannerWriter) WriteHeader(code int) {
	if code < 200 && code != http.StatusSwitchingProtocols {
		bw.ResponseWriter.WriteHeader(code)
		return
	}
	bw.decide(code)
}

// Write implements http.ResponseWriter.
func (bw *bannerWriter) Write(b []byte) (int, error) {
	if !bw.decided {
		if bw.Header().Get("Content-Type") == "" {
			bw.Header().Set("Content-Type", http.DetectContentType(b))
		}
		bw.decide(http.StatusOK)
	}
	if !bw.buffer {
		return bw.ResponseWriter.Write(b)
	}
	if bw.buf.Len()+len(b) > maxImpersonationBannerBuffer {
		// Too large to hold: send what we have unchanged and stream on.
		bw.buffer = false
		bw.ResponseWriter.WriteHeader(bw.code)
		if _, err := bw.ResponseWriter.Write(bw.buf.Bytes()); err != nil {
			return 0, err
		}
		bw.buf.Reset()
		return bw.ResponseWriter.Write(b)
	}
	return bw.buf.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (bw *bannerWriter) Unwrap() http.ResponseWriter { return bw.ResponseWriter }

// finish writes a buffered response with the banner.
func (bw *bannerWriter) finish() {
	if !bw.decided || !bw.buffer {
		return
	}
	body := bw.buf.Bytes()
	if banner := bw.build(); banner != nil {
		if at := bodyOpenEnd(body); at >= 0 {
			out := make([]byte, 0, len(body)+len(banner))
			out = append(out, body[:at]...)
			out = append(out, banner...)
			body = append(out, body[at:]...)
		}
	}
	h := bw.Header()
	h.Del("Content-Length")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	bw.ResponseWriter.WriteHeader(bw.code)
	_, _ = bw.ResponseWriter.Write(body)
}

// bodyOpenEnd returns the index just after the first "<body ...>" tag
// (ASCII case-insensitive, byte offsets of b itself whatever its
// encoding), or -1.
func bodyOpenEnd(b []byte) int {
	const tag = "<body"
	for i := 0; i+len(tag) <= len(b); i++ {
		if b[i] != '<' {
			continue
		}
		match := true
		for k := 1; k < len(tag); k++ {
			if b[i+k]|0x20 != tag[k] {
				match = false
				break
			}
		}
		j := i + len(tag)
		if !match || j >= len(b) {
			continue
		}
		switch b[j] {
		case '>', ' ', '\t', '\n', '\r', '\f', '/':
			end := bytes.IndexByte(b[j:], '>')
			if end < 0 {
				return -1
			}
			return j + end + 1
		}
	}
	return -1
}
