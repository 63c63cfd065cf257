package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/throttle"
)

func init() {
	register("lockouts", "list and reset login throttling and lockouts", runLockouts)
}

const lockoutsUsage = `Usage: authctl lockouts list [--database-url URL] [--timeout 1m]
       authctl lockouts reset [--username U] [--address A] [--database-url URL] [--timeout 1m]

list prints the failure counters of package throttle that have not expired
(djauth_throttle), one a line: scope, kind (key or address), value,
failures, last failure and state ("locked until T", "delayed until T" or
"counting"). The state is worked out with throttle.DefaultRules; a site
configured with other rules sees the same counters, judged by the defaults.

reset deletes the counters of a username (normalised as the login form
does; also matches an email or user id as list shows them) and/or of a
client address (an IPv6 address is counted by its /64), in every scope, and
prints "Reset N counters.". At least one of --username and --address is
needed.

Exit status: 0 success, 1 failure (the message is on stderr), 2 usage error.

Flags:
`

func runLockouts(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "lockouts", lockoutsUsage, false, args,
		map[string]func(context.Context, *env, []string) error{"list": lockoutsList, "reset": lockoutsReset})
}

// throttleTables are the tables the lockouts commands need.
var throttleTables = []string{"djauth_throttle"}

// openLimiter connects and returns a Limiter with the default rules over
// the djauth_throttle table.
func openLimiter(ctx context.Context, e *env, dbf *dbFlags) (*throttle.Limiter, *db, error) {
	d, err := dbf.open(ctx, e, throttleTables)
	if err != nil {
		return nil, nil, err
	}
	s, err := postgres.NewThrottleStore(d.conn)
	if err == nil {
		var l *throttle.Limiter
		if l, err = throttle.New(throttle.Config{Store: s}); err == nil {
			return l, d, nil
		}
	}
	d.close(ctx)
	return nil, nil, failf("%v", err)
}

func lockoutsList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "lockouts list", lockoutsUsage)
	dbf := addDBFlags(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	l, d, err := openLimiter(ctx, e, dbf)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	all, err := l.Lockouts(ctx)
	if err != nil {
		return failf("%v", err)
	}
	now := time.Now()
	var b strings.Builder
	for _, o := range all {
		state := "counting"
		switch {
		case o.Blocked(now) && o.Locked:
			state = "locked until " + o.Until.UTC().Format(time.RFC3339)
		case o.Blocked(now):
			state = "delayed until " + o.Until.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "%s\t%s\t%q\t%d failures\tlast %s\t%s\n", o.Scope, o.Kind, o.Value, o.Failures, o.Last.UTC().Format(time.RFC3339), state)
	}
	if len(all) == 0 {
		b.WriteString("No counters.\n")
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

func lockoutsReset(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "lockouts reset", lockoutsUsage)
	dbf := addDBFlags(fs, false)
	var username, address string
	fs.StringVar(&username, "username", "", "reset the counters of this username (or email or user id)")
	fs.StringVar(&address, "address", "", "reset the counters of this client address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if !flagSet(fs, "username") && !flagSet(fs, "address") {
		return usagef("pass --username, --address or both")
	}
	var addrKey string
	if flagSet(fs, "address") {
		k, err := addressKey(address)
		if err != nil {
			return err
		}
		addrKey = k
	}
	l, d, err := openLimiter(ctx, e, dbf)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	total := 0
	if flagSet(fs, "username") {
		n, err := l.Reset(ctx, throttle.KindKey, auth.NormalizeUsername(strings.TrimSpace(username)))
		if err != nil {
			return failf("%v", err)
		}
		total += n
	}
	if addrKey != "" {
		n, err := l.Reset(ctx, throttle.KindAddress, addrKey)
		if err != nil {
			return failf("%v", err)
		}
		total += n
	}
	fmt.Fprintf(e.stdout, "Reset %d counters.\n", total)
	return nil
}

// addressKey turns an address ("192.0.2.1", "2001:db8::7") or a /64 as
// list shows it ("2001:db8::/64") into the counter value.
func addressKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return throttle.AddressKeyOf(a), nil
	}
	if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is6() && p.Bits() == 64 {
		return throttle.AddressKeyOf(p.Addr()), nil
	}
	return "", usagef("--address %q is not an IP address", s)
}
