package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/store/postgres"
)

func init() {
	register("mfa", "list, remove and reset users' second factors; show and set the MFA policy", runMFA)
}

const mfaUsage = `Usage: authctl mfa list USERNAME [--database-url URL] [--timeout 1m]
       authctl mfa remove USERNAME KIND ID [--database-url URL] [--timeout 1m]
       authctl mfa reset USERNAME [--yes] [--database-url URL] [--timeout 1m]
       authctl mfa policy show [--database-url URL] [--timeout 1m]
       authctl mfa policy set (--none | [--everyone] [--superusers] [--staff]
                              [--group NAME ...]) [--grace 0s] [--database-url URL]

Works on the second factors of package mfa where they are stored. A device
is named by its KIND and its ID in that kind's table:

  totp      TOTP authenticators (django-otp's otp_totp_totpdevice)
  recovery  recovery codes, hashed (djauth_recovery_device, djauth_recovery_code)
  static    recovery codes in django-otp's layout (otp_static_staticdevice,
            otp_static_statictoken)
  passkey   passkeys (djauth_passkey)

Only the tables that exist are read: a database where django-otp's apps
were never migrated has no totp or static devices.

list prints the user's devices, one a line: kind, ID, name (quoted),
"confirmed" or "unconfirmed", when created and when last used ("unknown"
where the table does not record it; a TOTP device's last use is the time
step of its last accepted code), and for recovery codes how many are left.

remove deletes one device, which must be the user's, with its codes, and
prints "Removed KIND device ID of user 'USERNAME'.".

reset deletes every device of the user, of every kind, and restarts the
user's enrolment grace period (mfa.PolicyStore.ResetRequiredSince), in one
transaction: the way back in for a user, an administrator too, who lost
every factor and code. The user logs in with the password and enrols
again. It asks for confirmation unless --yes (or --noinput). Sessions are
not touched: "authctl sessions revoke USERNAME --all" logs them out.

policy show prints who must use a second factor and the grace period.
policy set replaces the whole policy with the flags given (a flag not
given is off; --group may be repeated and names an existing group;
--grace is a Go duration such as 168h), or with --none requires nobody,
and prints the new policy.

Exit status: 0 success, 1 failure (the message is on stderr; a failed
command changes nothing), 2 usage error.

Flags:
`

func runMFA(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "policy" {
		return dispatch(ctx, e, "mfa policy", mfaUsage, false, args[1:],
			map[string]func(context.Context, *env, []string) error{"show": mfaPolicyShow, "set": mfaPolicySet})
	}
	return dispatch(ctx, e, "mfa", mfaUsage, true, args,
		map[string]func(context.Context, *env, []string) error{"list": mfaList, "remove": mfaRemove, "reset": mfaReset})
}

// deviceKind is one table of second factor devices.
type deviceKind struct {
	kind  string
	table string // the device table
	codes string // the code table of recovery codes, "" for other kinds
	list  string // SELECT of id, name, confirmed, created, last used, codes left for $1 = user id
}

// removeDevices deletes the devices of the user userID, all of them when
// id is 0, else the one with that ID, codes first (otp_static's foreign
// key does not cascade: Django cascades in Python), and returns how many
// went. Run it in a transaction.
func (k deviceKind) removeDevices(ctx context.Context, tx pgx.Tx, userID, id int64) (int64, error) {
	table := pgx.Identifier{k.table}.Sanitize()
	where, args := `"user_id" = $1::bigint`, []any{userID}
	if id != 0 {
		where, args = where+` AND "id" = $2`, append(args, id)
	}
	if k.codes != "" {
		if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{k.codes}.Sanitize()+
			` WHERE "device_id" IN (SELECT "id" FROM `+table+` WHERE `+where+`)`, args...); err != nil {
			return 0, fmt.Errorf("remove %s codes: %w", k.kind, err)
		}
	}
	tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+where, args...)
	if err != nil {
		return 0, fmt.Errorf("remove %s devices: %w", k.kind, err)
	}
	return tag.RowsAffected(), nil
}

var deviceKinds = []deviceKind{
	{
		kind: "totp", table: "otp_totp_totpdevice",
		// last_t is the time step of the last accepted code, -1 before
		// the first.
		list: `SELECT "id", "name", "confirmed", NULL::timestamptz,
			CASE WHEN "last_t" >= 0 THEN to_timestamp("t0" + "last_t" * "step") END, NULL::bigint
			FROM "otp_totp_totpdevice" WHERE "user_id" = $1::bigint ORDER BY "id"`,
	},
	{
		kind: "recovery", table: "djauth_recovery_device", codes: "djauth_recovery_code",
		list: `SELECT d."id", d."name", d."confirmed", NULL::timestamptz, NULL::timestamptz,
			(SELECT count(*) FROM "djauth_recovery_code" c WHERE c."device_id" = d."id")
			FROM "djauth_recovery_device" d WHERE d."user_id" = $1::bigint ORDER BY d."id"`,
	},
	{
		kind: "static", table: "otp_static_staticdevice", codes: "otp_static_statictoken",
		list: `SELECT d."id", d."name", d."confirmed", NULL::timestamptz, NULL::timestamptz,
			(SELECT count(*) FROM "otp_static_statictoken" c WHERE c."device_id" = d."id")
			FROM "otp_static_staticdevice" d WHERE d."user_id" = $1::bigint ORDER BY d."id"`,
	},
	{
		kind: "passkey", table: "djauth_passkey",
		list: `SELECT "id", "name", true, "created_at", "last_used_at", NULL::bigint
			FROM "djauth_passkey" WHERE "user_id" = $1::bigint ORDER BY "id"`,
	},
}

func kindNames() string {
	names := make([]string, len(deviceKinds))
	for i, k := range deviceKinds {
		names[i] = k.kind
	}
	return strings.Join(names, ", ")
}

// presentKinds returns the kinds whose tables exist.
func presentKinds(ctx context.Context, q postgres.Querier) ([]deviceKind, error) {
	var out []deviceKind
	for _, k := range deviceKinds {
		tables := []string{k.table}
		if k.codes != "" {
			tables = append(tables, k.codes)
		}
		var n int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM unnest($1::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NOT NULL`,
			tables).Scan(&n); err != nil {
			return nil, failf("check schema: %v", err)
		}
		if n == len(tables) {
			out = append(out, k)
		}
	}
	return out, nil
}

// mfaDevice is one line of mfa list.
type mfaDevice struct {
	kind           string
	id             int64
	name           string
	confirmed      bool
	created, used  *time.Time
	codesRemaining *int64
}

func listDevices(ctx context.Context, q postgres.Querier, kinds []deviceKind, userID int64) ([]mfaDevice, error) {
	var out []mfaDevice
	for _, k := range kinds {
		rows, err := q.Query(ctx, k.list, userID)
		if err != nil {
			return nil, failf("list %s devices: %v", k.kind, err)
		}
		devs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (mfaDevice, error) {
			d := mfaDevice{kind: k.kind}
			err := row.Scan(&d.id, &d.name, &d.confirmed, &d.created, &d.used, &d.codesRemaining)
			return d, err
		})
		if err != nil {
			return nil, failf("list %s devices: %v", k.kind, err)
		}
		out = append(out, devs...)
	}
	return out, nil
}

// openMFAUser connects, checks the auth schema and looks up the user.
func openMFAUser(ctx context.Context, e *env, dbf *dbFlags, username string) (*db, *auth.User, []deviceKind, error) {
	d, err := dbf.open(ctx, e, authTables)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := lookupUser(ctx, d, username)
	if err == nil {
		var kinds []deviceKind
		if kinds, err = presentKinds(ctx, d.conn); err == nil {
			return d, u, kinds, nil
		}
	}
	d.close(ctx)
	return nil, nil, nil, err
}

func mfaList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "mfa list", mfaUsage)
	dbf := addDBFlags(fs, true)
	username, err := parseUserArg(fs, args)
	if err != nil {
		return err
	}
	d, u, kinds, err := openMFAUser(ctx, e, dbf, username)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	devs, err := listDevices(ctx, d.conn, kinds, u.ID)
	if err != nil {
		return err
	}
	when := func(what string, t *time.Time) string {
		if t == nil {
			return what + " unknown"
		}
		return what + " " + t.UTC().Format(time.RFC3339)
	}
	var b strings.Builder
	for _, dev := range devs {
		state := "confirmed"
		if !dev.confirmed {
			state = "unconfirmed"
		}
		fmt.Fprintf(&b, "%s\t%d\t%q\t%s\t%s\t%s", dev.kind, dev.id, dev.name, state, when("created", dev.created), when("last used", dev.used))
		if dev.codesRemaining != nil {
			fmt.Fprintf(&b, "\t%d codes left", *dev.codesRemaining)
		}
		b.WriteString("\n")
	}
	if len(devs) == 0 {
		fmt.Fprintf(&b, "User '%s' has no second factor devices.\n", username)
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

func mfaRemove(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "mfa remove", mfaUsage)
	dbf := addDBFlags(fs, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) < 3:
		return usagef("missing arguments: USERNAME KIND ID")
	case len(pos) > 3:
		return usagef("unexpected argument %q", pos[3])
	}
	username, kindName, idArg := pos[0], pos[1], pos[2]
	var kind *deviceKind
	for i := range deviceKinds {
		if deviceKinds[i].kind == kindName {
			kind = &deviceKinds[i]
		}
	}
	if kind == nil {
		return usagef("unknown device kind %q: want one of %s", kindName, kindNames())
	}
	id, err := strconv.ParseInt(idArg, 10, 64)
	if err != nil || id <= 0 {
		return usagef("device ID %q is not a positive integer", idArg)
	}
	d, u, kinds, err := openMFAUser(ctx, e, dbf, username)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	present := false
	for _, k := range kinds {
		present = present || k.kind == kind.kind
	}
	if !present {
		return failf("the database has no %s table: there are no %s devices", kind.table, kind.kind)
	}
	err = pgx.BeginFunc(ctx, d.conn, func(tx pgx.Tx) error {
		var owner int64
		err := tx.QueryRow(ctx, `SELECT "user_id" FROM `+pgx.Identifier{kind.table}.Sanitize()+` WHERE "id" = $1 FOR UPDATE`, id).Scan(&owner)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return failf("there is no %s device with ID %d; nothing was removed", kind.kind, id)
		case err != nil:
			return failf("remove %s device %d: %v", kind.kind, id, err)
		case owner != u.ID:
			return failf("%s device %d is not a device of user '%s'; nothing was removed", kind.kind, id, username)
		}
		_, err = kind.removeDevices(ctx, tx, u.ID, id)
		return err
	})
	if err != nil {
		var ce *cmdError
		if errors.As(err, &ce) {
			return err
		}
		return failf("remove %s device %d: %v", kind.kind, id, err)
	}
	fmt.Fprintf(e.stdout, "Removed %s device %d of user '%s'.\n", kind.kind, id, username)
	return nil
}

func mfaReset(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "mfa reset", mfaUsage)
	dbf := addDBFlags(fs, true)
	var yes bool
	fs.BoolVar(&yes, "yes", false, "do not ask for confirmation")
	fs.BoolVar(&yes, "noinput", false, "the same as --yes")
	fs.BoolVar(&yes, "no-input", false, "the same as --yes")
	username, err := parseUserArg(fs, args)
	if err != nil {
		return err
	}
	d, u, kinds, err := openMFAUser(ctx, e, dbf, username)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	if missing, err := missingTables(ctx, d.conn, []string{"djauth_mfa_required_since"}); err != nil {
		return failf("check schema: %v", err)
	} else if missing != "" {
		return failf("the database has no %s table: run \"authctl migrate\" first", missing)
	}
	devs, err := listDevices(ctx, d.conn, kinds, u.ID)
	if err != nil {
		return err
	}
	if !yes {
		answer, err := newConsole(ctx, e).ask(fmt.Sprintf(
			"This removes every second factor of user '%s' (%d devices) and restarts their enrolment grace period.\n"+
				"Type 'yes' to continue, or 'no' to cancel: ", username, len(devs)))
		if err != nil {
			return err
		}
		if answer != "yes" {
			return failf("reset cancelled; nothing was changed")
		}
	}
	var n int64
	err = pgx.BeginFunc(ctx, d.conn, func(tx pgx.Tx) error {
		for _, k := range kinds {
			m, err := k.removeDevices(ctx, tx, u.ID, 0)
			if err != nil {
				return err
			}
			n += m
		}
		ps, err := postgres.NewMFAPolicyStore(tx)
		if err != nil {
			return err
		}
		return ps.ResetRequiredSince(ctx, u.ID)
	})
	if err != nil {
		return failf("reset: %v; nothing was changed", err)
	}
	fmt.Fprintf(e.stdout, "Removed %d devices of user '%s' and restarted their enrolment grace period.\n", n, username)
	return nil
}

// openPolicy connects and returns the policy store over djauth_mfa_policy.
func openPolicy(ctx context.Context, e *env, dbf *dbFlags) (*postgres.MFAPolicyStore, *db, error) {
	d, err := dbf.open(ctx, e, append([]string{"djauth_mfa_policy"}, authTables...))
	if err != nil {
		return nil, nil, err
	}
	s, err := postgres.NewMFAPolicyStore(d.conn)
	if err != nil {
		d.close(ctx)
		return nil, nil, failf("%v", err)
	}
	return s, d, nil
}

func printPolicy(e *env, p mfa.Policy) error {
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	groups := "none"
	if len(p.Groups) > 0 {
		q := make([]string, len(p.Groups))
		for i, g := range p.Groups {
			q[i] = strconv.Quote(g)
		}
		groups = strings.Join(q, ", ")
	}
	_, err := fmt.Fprintf(e.stdout, "everyone\t%s\nsuperusers\t%s\nstaff\t%s\ngroups\t%s\ngrace\t%s\n",
		yesNo(p.Everyone), yesNo(p.Superusers), yesNo(p.Staff), groups, p.Grace)
	return err
}

func mfaPolicyShow(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "mfa policy show", mfaUsage)
	dbf := addDBFlags(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	s, d, err := openPolicy(ctx, e, dbf)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	p, err := s.Policy(ctx)
	if err != nil {
		return failf("%v", err)
	}
	return printPolicy(e, p)
}

// groupFlags collects repeated --group values.
type groupFlags []string

func (g *groupFlags) String() string { return strings.Join(*g, ",") }

func (g *groupFlags) Set(v string) error {
	*g = append(*g, v)
	return nil
}

func mfaPolicySet(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "mfa policy set", mfaUsage)
	dbf := addDBFlags(fs, false)
	var p mfa.Policy
	var none bool
	var groups groupFlags
	fs.BoolVar(&p.Everyone, "everyone", false, "require a second factor of every user")
	fs.BoolVar(&p.Superusers, "superusers", false, "require it of superusers")
	fs.BoolVar(&p.Staff, "staff", false, "require it of staff")
	fs.Var(&groups, "group", "require it of the members of this group (repeatable)")
	fs.DurationVar(&p.Grace, "grace", 0, "how long a newly covered user may postpone enrolment (168h: a week)")
	fs.BoolVar(&none, "none", false, "require a second factor of nobody")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	p.Groups = groups
	covering := flagSet(fs, "everyone") || flagSet(fs, "superusers") || flagSet(fs, "staff") || len(groups) > 0
	switch {
	case none && (covering || p.Grace != 0):
		return usagef("--none requires nobody: it takes no other policy flag")
	case !none && !covering:
		return usagef("say who must use a second factor (--everyone, --superusers, --staff, --group), or --none")
	}
	if err := p.Validate(); err != nil {
		return usagef("%v", err)
	}
	s, d, err := openPolicy(ctx, e, dbf)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	if _, err := lookupGroups(ctx, d, p.Groups); err != nil {
		return err
	}
	if none {
		p = mfa.Policy{}
	}
	if err := s.SetPolicy(ctx, p); err != nil {
		return failf("%v", err)
	}
	return printPolicy(e, p)
}
