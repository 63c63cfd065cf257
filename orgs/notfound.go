package orgs

import (
	"mime"
	"net/http"
	"strings"
)

// notFound answers a request for an organization the user may not see:
// 404 as for one that does not exist, in JSON ({"error":"not found"}, as
// Auth.Deny's JSON answers) when the Accept header lists
// application/json.
func notFound(w http.ResponseWriter, r *http.Request) {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error":"not found"}` + "\n"))
				return
			}
		}
	}
	http.NotFound(w, r)
}
