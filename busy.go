package auth

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/djauth/auth/hashers"
)

// isBusy reports whether err means that no hashing slot became free in
// time: the password was not checked.
func isBusy(err error) bool { return errors.Is(err, hashers.ErrBusy) }

// busyPage is the short page of ServeBusy.
var busyPage = template.Must(template.New("busy").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Busy, please retry</title>
<h1>The server is busy</h1>
<p>Too many passwords are being checked right now, so yours was not checked.
Please try again in {{.}} {{if eq . 1}}second{{else}}seconds{{end}}.</p>
</html>
`))

// ServeBusy answers a request whose password hashing found no free slot
// (an error wrapping hashers.ErrBusy) with 503 Service Unavailable, a
// Retry-After header and a short page, instead of a 500. The login page
// uses it, and so do the password change and reset pages of package
// accounts.
//
// Retry-After is the registry's MaxWait in whole seconds, rounded up (5 by
// default): every slot stayed taken for that long, so the backlog is at
// least that deep and a client retrying sooner would most likely queue
// behind it again.
func (a *Auth[U]) ServeBusy(w http.ResponseWriter, r *http.Request) {
	secs := int64((a.hashers.MaxWait() + time.Second - 1) / time.Second)
	h := w.Header()
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	h.Set("Cache-Control", "no-store")
	a.render(w, r, http.StatusServiceUnavailable, busyPage, secs)
}
