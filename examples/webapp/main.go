package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line and the environment (through getenv)
// into the listen address and the app's config. -demo defaults to true in
// memory mode and to false with a database URL, unless it is given.
func parseFlags(args []string, getenv func(string) string) (addr string, cfg config, err error) {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.StringVar(&addr, "addr", "127.0.0.1:8000", "address to listen on")
	fs.StringVar(&cfg.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL for users and sessions (default $DATABASE_URL; empty: in-memory store)")
	fs.StringVar(&cfg.RedisURL, "redis-url", getenv("REDIS_URL"), "Redis URL for sessions, e.g. redis://127.0.0.1:6379/0 (default $REDIS_URL; empty: sessions with the users)")
	fs.BoolVar(&cfg.DjangoSessions, "django-sessions", false, "keep sessions in Django's django_session table, shared with a Django site on the same database (needs -database-url; see MIGRATING.md)")
	fs.StringVar(&cfg.SecretKey, "secret-key", getenv("SECRET_KEY"), "secret key signing sessions (default $SECRET_KEY; required with PostgreSQL)")
	fs.BoolVar(&cfg.InsecureCookies, "insecure-cookies", true, "leave Secure off the session cookie, for plain http://; set false behind an HTTPS proxy")
	fs.BoolVar(&cfg.Demo, "demo", true, "create the demo users admin and alice when the store has no users (default true in memory, false with PostgreSQL)")
	fs.StringVar(&cfg.DjangoVersion, "django-version", "", "hash passwords as this Django release does (e.g. 3.2), when sharing its database; empty: Django 6.0's defaults")
	fs.StringVar(&cfg.MFARequired, "mfa-required", "", "who must use a second factor: none, superusers, staff (and superusers) or everyone (empty: keep the stored policy, as authctl mfa policy set it; nobody in memory)")
	fs.DurationVar(&cfg.MFAGrace, "mfa-grace", 0, "with -mfa-required, how long a newly covered user may postpone enrolment (e.g. 168h)")
	fs.StringVar(&cfg.Origin, "origin", "", "the site's origin as browsers see it, for passkeys (e.g. https://example.com; default http://localhost:PORT for a local -addr)")
	fs.StringVar(&cfg.OIDCIssuer, "oidc-issuer", getenv("OIDC_ISSUER"), "issuer URL of an OpenID Connect provider to log in with (default $OIDC_ISSUER; its callback is ORIGIN/accounts/social/<issuer host>/callback/)")
	fs.StringVar(&cfg.OIDCClientID, "oidc-client-id", getenv("OIDC_CLIENT_ID"), "client id at the -oidc-issuer provider (default $OIDC_CLIENT_ID)")
	fs.StringVar(&cfg.OIDCClientSecret, "oidc-client-secret", getenv("OIDC_CLIENT_SECRET"), "client secret at the -oidc-issuer provider (default $OIDC_CLIENT_SECRET)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (for load tests; empty: no profile)")
	if err := fs.Parse(args); err != nil {
		return "", config{}, err
	}
	if fs.NArg() > 0 {
		return "", config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if _, err := registryFor(cfg.DjangoVersion); err != nil {
		return "", config{}, fmt.Errorf("-django-version: %w", err)
	}
	if cfg.MFARequired != "" {
		if _, err := mfaPolicy(cfg.MFARequired, cfg.MFAGrace); err != nil {
			return "", config{}, err
		}
	}
	if _, err := passkeyOrigin(cfg.Origin, ""); err != nil {
		return "", config{}, err
	}
	if cfg.OIDCIssuer != "" {
		if _, err := oidcProvider(cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret); err != nil {
			return "", config{}, err
		}
	}
	demoSet := false
	fs.Visit(func(f *flag.Flag) { demoSet = demoSet || f.Name == "demo" })
	if cfg.DatabaseURL != "" && !demoSet {
		cfg.Demo = false
	}
	return addr, cfg, nil
}

// run serves the app until ctx is done, then shuts it down gracefully.
// It binds the address before it prints it, so the printed address is the
// real one (with -addr 127.0.0.1:0, the port the system chose) and a
// browser opened on it finds the server listening.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	addr, cfg, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}

	if cfg.CPUProfile != "" {
		stopProfile, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Logger = logger
	cfg.Out = stdout
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	// Passkeys need the origin, which holds the port the system chose
	// for -addr 127.0.0.1:0.
	if cfg.Origin, err = passkeyOrigin(cfg.Origin, ln.Addr().String()); err != nil {
		return err
	}
	h, cleanup, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	srv := newServer(h, logger, productionLimits())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	store := "in-memory store"
	if cfg.DatabaseURL != "" {
		store = "PostgreSQL"
	}
	if cfg.RedisURL != "" {
		store += ", sessions in Redis"
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Listening on %s/ (%s). Log in at %s/accounts/login/\n", base, store, base)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "Shutting down...")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startCPUProfile starts profiling the process's CPU into the file at
// path and returns the function that stops it and closes the file; run
// calls it after the server has shut down, so the profile covers the
// whole run.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// serverLimits are the http.Server settings that bound what one client can
// hold: how long it may take to send its headers and body, how long a
// response may take, how long an idle keep-alive connection stays open and
// how large the request headers may be.
type serverLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
}

// productionLimits are the limits the example serves with. A zero
// http.Server has none of them: a client that sends one header byte a
// minute (slowloris) keeps its connection and goroutine forever.
//
//   - ReadHeaderTimeout 5s: a browser sends its headers in one packet; 5s
//     covers a slow mobile link and cuts off a client that never finishes
//     them, whatever it trickles.
//   - ReadTimeout 15s: headers plus body. The site's bodies are login and
//     password forms of a few hundred bytes; 15s is generous for them and
//     still bounds a slow body upload.
//   - WriteTimeout 30s: from the end of the headers to the end of the
//     response. It must exceed the slowest handler: a login waits for a
//     hashing slot and runs one password hash (PBKDF2 or Argon2, well under
//     a second each, queued behind at most a few others).
//   - IdleTimeout 60s: a keep-alive connection between requests; a browser
//     reuses it for a page's next click, an idle one is closed after a minute.
//   - MaxHeaderBytes 64 KiB: a browser's request with every cookie of a
//     site fits in 8–16 KiB (4 KiB per cookie at most); 64 KiB leaves room
//     and is 16 times less than Go's 1 MiB default. Larger headers get 431.
func productionLimits() serverLimits {
	return serverLimits{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// newServer returns the server for h with the limits lim; its errors
// (bad requests, TLS handshakes, panics) go to logger.
func newServer(h http.Handler, logger *slog.Logger, lim serverLimits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
}
