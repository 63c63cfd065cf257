package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
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
	fs.StringVar(&cfg.SecretKey, "secret-key", getenv("SECRET_KEY"), "secret key signing sessions (default $SECRET_KEY; required with PostgreSQL)")
	fs.BoolVar(&cfg.InsecureCookies, "insecure-cookies", true, "leave Secure off the session cookie, for plain http://; set false behind an HTTPS proxy")
	fs.BoolVar(&cfg.Demo, "demo", true, "create the demo users admin and alice when the store has no users (default true in memory, false with PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return "", config{}, err
	}
	if fs.NArg() > 0 {
		return "", config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	demoSet := false
	fs.Visit(func(f *flag.Flag) { demoSet = demoSet || f.Name == "demo" })
	if cfg.DatabaseURL != "" && !demoSet {
		cfg.Demo = false
	}
	return addr, cfg, nil
}

func run(args []string) error {
	addr, cfg, err := parseFlags(args, os.Getenv)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg.Logger = logger
	cfg.Out = os.Stdout
	h, cleanup, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()

	srv := &http.Server{Addr: addr, Handler: h, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	store := "in-memory store"
	if cfg.DatabaseURL != "" {
		store = "PostgreSQL"
	}
	fmt.Printf("Listening on http://%s/ (%s). Log in at http://%s/accounts/login/\n", addr, store, addr)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Println("Shutting down...")
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
