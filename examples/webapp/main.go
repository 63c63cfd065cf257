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

func run(args []string) error {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8000", "address to listen on")
	dbURL := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL for users and sessions (default $DATABASE_URL; empty: in-memory store)")
	secret := fs.String("secret-key", os.Getenv("SECRET_KEY"), "secret key signing sessions (default $SECRET_KEY; required with PostgreSQL)")
	insecure := fs.Bool("insecure-cookies", true, "leave Secure off the session cookie, for plain http://; set false behind an HTTPS proxy")
	demo := fs.Bool("demo", true, "create the demo users admin and alice when the store has no users (default true in memory, false with PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	demoSet := false
	fs.Visit(func(f *flag.Flag) { demoSet = demoSet || f.Name == "demo" })
	if *dbURL != "" && !demoSet {
		*demo = false
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h, cleanup, err := newApp(ctx, config{
		DatabaseURL:     *dbURL,
		SecretKey:       *secret,
		InsecureCookies: *insecure,
		Demo:            *demo,
		Logger:          logger,
		Out:             os.Stdout,
	})
	if err != nil {
		return err
	}
	defer cleanup()

	srv := &http.Server{Addr: *addr, Handler: h, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	store := "in-memory store"
	if *dbURL != "" {
		store = "PostgreSQL"
	}
	fmt.Printf("Listening on http://%s/ (%s). Log in at http://%s/accounts/login/\n", *addr, store, *addr)

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
