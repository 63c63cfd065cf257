// Command argon2rss measures the peak resident memory of a login page
// under a burst of concurrent Argon2 logins, to check that a hasher
// registry's MaxConcurrent really bounds hashing memory.
//
// It builds an in-memory store with one user whose password is an Argon2
// hash at Django's defaults (m=102400 KiB, t=2, p=8: 100 MiB per hash), an
// Auth whose registry prefers Argon2 with MaxConcurrent -n, serves the real
// login handler on 127.0.0.1 (loopback only), fires exactly -logins
// concurrent POST logins with the right password and reports, from
// /proc/self/status, the resident memory before the burst (baseline) and
// its high-water mark during it (VmHWM, reset before the burst through
// /proc/self/clear_refs), with the count of each response status:
//
//	go run ./scripts/argon2rss -n 2
//
// The configured bound is n × 100 MiB; the program exits with status 1 if
// the peak exceeds baseline + bound + -margin, or if a login neither
// succeeded (302) nor was refused as busy (503). Linux only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

// mib is one mebibyte.
const mib = 1 << 20

// argon2Memory is the working memory of one Argon2 hash at Django's
// defaults: memory_cost 102400 KiB.
const argon2Memory = 102400 * 1024

// Result is what one run measured; -json prints it.
type Result struct {
	MaxConcurrent int    `json:"max_concurrent"`
	Logins        int    `json:"logins"`
	MaxWaitMS     int64  `json:"max_wait_ms"`
	GOGC          string `json:"gogc"`
	GOMEMLIMIT    string `json:"gomemlimit"`
	// BaselineKiB is VmRSS after setup and a forced GC, just before the
	// burst; PeakKiB is VmHWM at the end of the burst.
	BaselineKiB int64 `json:"baseline_kib"`
	PeakKiB     int64 `json:"peak_kib"`
	// BoundKiB is MaxConcurrent × 100 MiB; MarginKiB the allowed slack.
	BoundKiB  int64 `json:"bound_kib"`
	MarginKiB int64 `json:"margin_kib"`
	// Status counts responses by HTTP status; Errors counts requests
	// that got no response.
	Status    map[int]int `json:"status"`
	Errors    int         `json:"errors"`
	ElapsedMS int64       `json:"elapsed_ms"`
}

// Within reports whether the peak stays within baseline + bound + margin.
func (r Result) Within() bool { return r.PeakKiB <= r.BaselineKiB+r.BoundKiB+r.MarginKiB }

func main() {
	n := flag.Int("n", runtime.NumCPU(), "registry MaxConcurrent: hashes at once")
	logins := flag.Int("logins", 50, "concurrent logins in the burst")
	maxWait := flag.Duration("maxwait", 0, "registry MaxWait (0: hashers.DefaultMaxWait)")
	margin := flag.Int64("margin", 100, "allowed MiB above baseline + bound (one Argon2 hash)")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up on the whole burst after this long")
	memLimit := flag.Bool("memlimit", true, "set the Go memory limit to baseline + bound before the burst (as GOMEMLIMIT would); false leaves GOGC alone to pace the GC")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.Parse()
	if *n < 1 || *logins < 1 || *margin < 0 {
		fmt.Fprintln(os.Stderr, "argon2rss: -n and -logins must be at least 1, -margin not negative")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	res, err := run(ctx, *n, *logins, *maxWait, *margin*mib/1024, *memLimit)
	if err != nil {
		fmt.Fprintln(os.Stderr, "argon2rss:", err)
		os.Exit(1)
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
	} else {
		report(os.Stdout, res)
	}
	if !res.Within() || res.Errors > 0 || res.Status[http.StatusFound]+res.Status[http.StatusServiceUnavailable] != res.Logins {
		os.Exit(1)
	}
}

func report(w io.Writer, r Result) {
	fmt.Fprintf(w, "MaxConcurrent %d, %d concurrent logins, MaxWait %v, GOGC=%s GOMEMLIMIT=%s, %v\n",
		r.MaxConcurrent, r.Logins, time.Duration(r.MaxWaitMS)*time.Millisecond, r.GOGC, r.GOMEMLIMIT,
		time.Duration(r.ElapsedMS)*time.Millisecond)
	fmt.Fprintf(w, "baseline RSS %d MiB, peak RSS (VmHWM) %d MiB, above baseline %d MiB\n",
		r.BaselineKiB/1024, r.PeakKiB/1024, (r.PeakKiB-r.BaselineKiB)/1024)
	fmt.Fprintf(w, "bound %d MiB (%d x 100 MiB) + margin %d MiB: within=%v\n",
		r.BoundKiB/1024, r.MaxConcurrent, r.MarginKiB/1024, r.Within())
	fmt.Fprintf(w, "302 (logged in) %d, 503 (busy) %d, other %d, no response %d\n",
		r.Status[http.StatusFound], r.Status[http.StatusServiceUnavailable],
		r.Logins-r.Status[http.StatusFound]-r.Status[http.StatusServiceUnavailable]-r.Errors, r.Errors)
}

func run(ctx context.Context, n, logins int, maxWait time.Duration, marginKiB int64, memLimit bool) (Result, error) {
	reg, err := hashers.NewWithOptions(hashers.Options{MaxConcurrent: n, MaxWait: maxWait}, hashers.Argon2{})
	if err != nil {
		return Result{}, err
	}
	store := memory.New[auth.User]()
	const password = "correct horse battery staple"
	u := auth.NewUser("alice")
	if u.Password, err = reg.Make(ctx, password); err != nil {
		return Result{}, err
	}
	if err := store.CreateUser(ctx, &u); err != nil {
		return Result{}, err
	}
	a, err := auth.New(auth.Config[auth.User]{
		Store:     store,
		Hashers:   reg,
		SecretKey: "argon2rss-secret-key-0123456789-abcdefghijklmnopqrstu",
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	mux := http.NewServeMux()
	a.Routes(mux, "")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	srv := &http.Server{Handler: a.Middleware(mux), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		_ = srv.Close()
		<-served
	}()
	loginURL := "http://" + ln.Addr().String() + "/accounts/login/"
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: logins, DisableCompression: true},
		// A successful login redirects; count the 302 itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	form := url.Values{"username": {"alice"}, "password": {password}}.Encode()

	// Baseline: everything is set up and the setup hash is garbage. Reset
	// the high-water mark so that VmHWM afterwards is the burst's peak.
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return Result{}, fmt.Errorf("reset VmHWM: %w", err)
	}
	baseline, err := procStatus("VmRSS")
	if err != nil {
		return Result{}, err
	}

	res := Result{
		MaxConcurrent: reg.MaxConcurrent(), Logins: logins, MaxWaitMS: reg.MaxWait().Milliseconds(),
		GOGC: envOr("GOGC", "100"), GOMEMLIMIT: envOr("GOMEMLIMIT", "off"),
		BaselineKiB: baseline, BoundKiB: int64(reg.MaxConcurrent()) * argon2Memory / 1024, MarginKiB: marginKiB,
		Status: map[int]int{},
	}
	if memLimit {
		// Without a limit the GC lets the heap grow to twice what was live
		// at the last cycle, so the buffers of finished hashes linger
		// until the next one and the peak approaches twice the bound.
		limit := (baseline + res.BoundKiB) * 1024
		debug.SetMemoryLimit(limit)
		res.GOMEMLIMIT = strconv.FormatInt(limit/mib, 10) + "MiB"
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range logins {
		wg.Go(func() {
			<-start
			code, err := post(ctx, client, loginURL, form)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Errors++
				return
			}
			res.Status[code]++
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	res.ElapsedMS = time.Since(t0).Milliseconds()
	if res.PeakKiB, err = procStatus("VmHWM"); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("burst did not finish: %w", err)
	}
	return res, nil
}

// post sends one login and returns its status.
func post(ctx context.Context, c *http.Client, target, form string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// procStatus returns a "<field>: <n> kB" value of /proc/self/status in KiB.
func procStatus(field string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || name != field {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/status %s: %w", field, err)
		}
		return v, nil
	}
	return 0, errors.New("/proc/self/status has no " + field)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
