package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/postgres"
)

func init() {
	register("orgs", "manage organizations: members, owners, roles and invitations", runOrgs)
}

const orgsUsage = `Usage: authctl orgs list [--search TEXT]
       authctl orgs create NAME [--slug SLUG] --owner USERNAME
       authctl orgs show SLUG
       authctl orgs delete SLUG [--yes]
       authctl orgs members SLUG list
       authctl orgs members SLUG add USERNAME [--admin]
       authctl orgs members SLUG remove USERNAME
       authctl orgs members SLUG admin USERNAME on|off
       authctl orgs members SLUG transfer USERNAME
       authctl orgs invite SLUG EMAIL [--role NAME]... [--admin] --by USERNAME
                           [--expires 168h] [--accept-path /orgs/invitations/accept/]
       authctl orgs invitations SLUG list
       authctl orgs invitations SLUG revoke ID
       authctl orgs roles SLUG list
       authctl orgs roles SLUG create NAME
       authctl orgs roles SLUG delete NAME
       authctl orgs roles SLUG perms NAME [PERM...] [--clear]
       authctl orgs roles SLUG assign NAME USERNAME
       authctl orgs roles SLUG unassign NAME USERNAME
Every form also takes [--database-url URL] [--timeout 1m] and the user table
flags.

Works on the organizations of package orgs, in django-organizations' tables
(created by "authctl migrate --app organizations", or by Django's migrate
with 'organizations' installed) and djauth's beside them. An organization
is named by its slug, a user by their username, a role by its name in the
organization, a permission as app_label.codename.

create makes the organization with USERNAME as its first member, admin and
owner; without --slug the slug is derived from NAME by orgs.Slugify
(Django's slugify for ASCII). delete removes
the organization with its members, roles (their groups too) and
invitations, after confirmation unless --yes.

members list prints one member a line: username, "owner", "admin" or
"member", and their roles. The owner cannot be removed or lose admin:
transfer the ownership first.

invite makes a random token (32 bytes from crypto/rand, base64url), stores
only the SHA-256 of its bytes and prints the path of the accept link,
which holds the token, as orgs.Orgs.Invite makes it: send it to the
invitee, it is not shown again. Accepting makes them
a member with the --role roles, an admin with --admin.

roles perms with permissions makes them the role's only ones; with --clear
it removes them all; with neither it prints them. A role is a Django group
(named "org ID: NAME") that grants its permissions only inside the
organization: assign never touches auth_user_groups.
` + exitStatusDoc + `
Flags:
`

// orgTables are the tables the orgs commands need beside the auth schema.
var orgTables = []string{
	"organizations_organization", "organizations_organizationuser", "organizations_organizationowner",
	"organizations_organizationinvitation", "djauth_org_role", "djauth_org_member_role",
	"djauth_org_invitation", "djauth_org_invitation_role",
}

// orgsDB is an open database with the user store and the OrgStore.
type orgsDB struct {
	*db
	orgs *postgres.OrgStore
}

// orgsCmd is one form of authctl orgs: name, the positional arguments it
// takes (after the slug for the member, invitation and role forms), its
// own flags and what it does.
type orgsCmd struct {
	name     string
	min, max int // positional arguments, max -1: no limit
	flags    func(fs *flag.FlagSet) func(ctx context.Context, e *env, d orgsDB, pos []string) error
}

func runOrgs(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fs := newFlagSet(e, "orgs", orgsUsage)
		addDBFlags(fs, true)
		fs.Usage()
		return exitUsage
	}
	group, cmds := "", orgsTop
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fs := newFlagSet(e, "orgs", orgsUsage)
		addDBFlags(fs, true)
		fs.Usage()
		return exitOK
	case "members", "invitations", "roles":
		// authctl orgs members SLUG list ...: the slug comes before the
		// action.
		group, cmds = args[0], orgsGroups[args[0]]
		if len(args) < 3 || strings.HasPrefix(args[1], "-") {
			fmt.Fprintf(e.stderr, "authctl orgs %s: want SLUG and an action\n", group)
			newFlagSet(e, "orgs", orgsUsage).Usage()
			return exitUsage
		}
		args = append([]string{args[2], args[1]}, args[3:]...)
	}
	name := "orgs " + strings.TrimSpace(group+" "+args[0])
	for _, c := range cmds {
		if c.name == args[0] {
			return finish(e, name, runOrgsCmd(ctx, e, name, c, args[1:], group != ""))
		}
	}
	fmt.Fprintf(e.stderr, "authctl %s: unknown subcommand %q\n", strings.TrimSpace("orgs "+group), args[0])
	newFlagSet(e, "orgs", orgsUsage).Usage()
	return exitUsage
}

func runOrgsCmd(ctx context.Context, e *env, name string, c orgsCmd, args []string, slugFirst bool) error {
	fs := newFlagSet(e, name, orgsUsage)
	dbf := addDBFlags(fs, true)
	run := c.flags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	min, max := c.min, c.max
	if slugFirst {
		min++
		if max >= 0 {
			max++
		}
	}
	switch {
	case len(pos) < min:
		return usagef("missing arguments (see authctl help orgs)")
	case max >= 0 && len(pos) > max:
		return usagef("unexpected argument %q", pos[max])
	}
	d, err := dbf.open(ctx, e, authTables)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	missing, err := missingTables(ctx, d.conn, orgTables)
	if err != nil {
		return failf("check schema: %v", err)
	}
	if missing != "" {
		return failf("the database has no %s table: run \"authctl migrate --app organizations\" first", missing)
	}
	s, err := postgres.NewOrgStore(d.conn, postgres.OrgOptions{})
	if err != nil {
		return failf("%v", err)
	}
	return run(ctx, e, orgsDB{db: d, orgs: s}, pos)
}

// noFlags is the flags func of a form without flags of its own.
func noFlags(run func(ctx context.Context, e *env, d orgsDB, pos []string) error) func(*flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
	return func(*flag.FlagSet) func(context.Context, *env, orgsDB, []string) error { return run }
}

var orgsTop = []orgsCmd{
	{"list", 0, 0, func(fs *flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
		search := fs.String("search", "", "only organizations whose name or slug contains TEXT (case-insensitive)")
		return func(ctx context.Context, e *env, d orgsDB, _ []string) error { return orgsList(ctx, e, d, *search) }
	}},
	{"create", 1, 1, func(fs *flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
		slug := fs.String("slug", "", "the organization's slug (default: derived from NAME)")
		owner := fs.String("owner", "", "username of the first member, admin and owner (required)")
		return func(ctx context.Context, e *env, d orgsDB, pos []string) error {
			return orgsCreate(ctx, e, d, pos[0], *slug, *owner)
		}
	}},
	{"show", 1, 1, noFlags(orgsShow)},
	{"delete", 1, 1, func(fs *flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
		var yes bool
		fs.BoolVar(&yes, "yes", false, "do not ask for confirmation")
		fs.BoolVar(&yes, "noinput", false, "the same as --yes")
		fs.BoolVar(&yes, "no-input", false, "the same as --yes")
		return func(ctx context.Context, e *env, d orgsDB, pos []string) error {
			return orgsDelete(ctx, e, d, pos[0], yes)
		}
	}},
	{"invite", 2, 2, func(fs *flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
		var o inviteOptions
		fs.Var(&o.roles, "role", "a role the invitee gets on acceptance (repeatable)")
		fs.BoolVar(&o.admin, "admin", false, "the invitee becomes an admin")
		fs.StringVar(&o.by, "by", "", "username of the member who invites (required)")
		fs.DurationVar(&o.expires, "expires", orgs.DefaultInvitationTTL, "how long the invitation stays valid")
		fs.StringVar(&o.path, "accept-path", orgs.DefaultAcceptPath, "the accept page's path (orgs.Config.AcceptPath), which the token and \"/\" are appended to")
		return func(ctx context.Context, e *env, d orgsDB, pos []string) error {
			return orgsInvite(ctx, e, d, pos[0], pos[1], o)
		}
	}},
}

var orgsGroups = map[string][]orgsCmd{
	"members": {
		{"list", 0, 0, noFlags(membersList)},
		{"add", 1, 1, func(fs *flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
			admin := fs.Bool("admin", false, "make the new member an admin")
			return func(ctx context.Context, e *env, d orgsDB, pos []string) error {
				return membersAdd(ctx, e, d, pos[0], pos[1], *admin)
			}
		}},
		{"remove", 1, 1, noFlags(membersRemove)},
		{"admin", 2, 2, noFlags(membersAdmin)},
		{"transfer", 1, 1, noFlags(membersTransfer)},
	},
	"invitations": {
		{"list", 0, 0, noFlags(invitationsList)},
		{"revoke", 1, 1, noFlags(invitationsRevoke)},
	},
	"roles": {
		{"list", 0, 0, noFlags(rolesList)},
		{"create", 1, 1, noFlags(rolesCreate)},
		{"delete", 1, 1, noFlags(rolesDelete)},
		{"perms", 1, -1, func(fs *flag.FlagSet) func(context.Context, *env, orgsDB, []string) error {
			clear := fs.Bool("clear", false, "remove every permission of the role")
			return func(ctx context.Context, e *env, d orgsDB, pos []string) error {
				return rolesPerms(ctx, e, d, pos[0], pos[1], pos[2:], *clear)
			}
		}},
		{"assign", 2, 2, noFlags(rolesAssign)},
		{"unassign", 2, 2, noFlags(rolesUnassign)},
	},
}

// lookupOrg returns the organization with the slug.
func lookupOrg(ctx context.Context, d orgsDB, slug string) (orgs.Organization, error) {
	o, err := d.orgs.OrganizationBySlug(ctx, slug)
	if errors.Is(err, orgs.ErrNotFound) {
		return orgs.Organization{}, failf("organization '%s' does not exist", slug)
	}
	if err != nil {
		return orgs.Organization{}, failf("look up organization '%s': %v", slug, err)
	}
	return o, nil
}

// lookupRole returns the organization's role with the name.
func lookupRole(ctx context.Context, d orgsDB, o orgs.Organization, name string) (orgs.Role, error) {
	roles, err := d.orgs.Roles(ctx, o.ID)
	if err != nil {
		return orgs.Role{}, failf("list roles: %v", err)
	}
	i := slices.IndexFunc(roles, func(r orgs.Role) bool { return r.Name == name })
	if i < 0 {
		return orgs.Role{}, failf("organization '%s' has no role '%s'", o.Slug, name)
	}
	return roles[i], nil
}

// usernames returns the usernames of the IDs ("#ID" for a user that is
// gone).
func usernames(ctx context.Context, d orgsDB, ids ...int64) ([]string, error) {
	out := make([]string, len(ids))
	for i, id := range ids {
		u, err := d.store.GetUser(ctx, id)
		switch {
		case errors.Is(err, auth.ErrUserNotFound):
			out[i] = "#" + strconv.FormatInt(id, 10)
		case err != nil:
			return nil, failf("look up user %d: %v", id, err)
		default:
			out[i] = u.Username
		}
	}
	return out, nil
}

// orgFailure turns a store error into the command's message.
func orgFailure(what string, err error) error {
	var ve *auth.ValidationError
	switch {
	case errors.As(err, &ve):
		return failf("invalid %s: %s", strings.ToLower(ve.Field), ve.Message)
	case errors.Is(err, orgs.ErrSlugTaken):
		return failf("%s: the slug is in use by another organization", what)
	case errors.Is(err, orgs.ErrAlreadyMember):
		return failf("%s: already a member", what)
	case errors.Is(err, orgs.ErrNotMember):
		return failf("%s: not a member of the organization", what)
	case errors.Is(err, orgs.ErrOwnerRequired):
		return failf("%s: that is the owner; transfer the ownership first", what)
	case errors.Is(err, orgs.ErrRoleNameTaken):
		return failf("%s: the organization has a role of that name", what)
	case errors.Is(err, orgs.ErrInvitationUsed):
		return failf("%s: the invitation was already accepted", what)
	case errors.Is(err, auth.ErrPermissionNotFound):
		return failf("%s: %v", what, err)
	}
	return failf("%s: %v", what, err)
}

func orgsList(ctx context.Context, e *env, d orgsDB, search string) error {
	list, _, err := d.orgs.ListOrganizations(ctx, orgs.ListOptions{Search: search})
	if err != nil {
		return failf("list organizations: %v", err)
	}
	for _, o := range list {
		ms, err := d.orgs.Members(ctx, o.ID)
		if err != nil {
			return failf("list members of '%s': %v", o.Slug, err)
		}
		active := ""
		if !o.IsActive {
			active = "\tinactive"
		}
		fmt.Fprintf(e.stdout, "%s\t%q\t%d members%s\n", o.Slug, o.Name, len(ms), active)
	}
	return nil
}

func orgsCreate(ctx context.Context, e *env, d orgsDB, name, slug, owner string) error {
	if owner == "" {
		return usagef("--owner is required")
	}
	if slug == "" {
		if slug = orgs.Slugify(name); slug == "" {
			return usagef("cannot derive a slug from %q: pass --slug", name)
		}
	}
	u, err := lookupUser(ctx, d.db, owner)
	if err != nil {
		return err
	}
	o, err := d.orgs.CreateOrganization(ctx, orgs.Organization{Name: name, Slug: slug, IsActive: true}, u.ID)
	if err != nil {
		return orgFailure(fmt.Sprintf("create organization '%s'", slug), err)
	}
	fmt.Fprintf(e.stdout, "Organization '%s' (%s) created, owned by '%s'.\n", o.Slug, o.Name, u.Username)
	return nil
}

func orgsShow(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	ms, err := d.orgs.Members(ctx, o.ID)
	if err != nil {
		return failf("list members: %v", err)
	}
	roles, err := d.orgs.Roles(ctx, o.ID)
	if err != nil {
		return failf("list roles: %v", err)
	}
	invs, err := d.orgs.Invitations(ctx, o.ID)
	if err != nil {
		return failf("list invitations: %v", err)
	}
	owner, admins := "none", 0
	for _, m := range ms {
		if m.IsOwner {
			names, err := usernames(ctx, d, m.UserID)
			if err != nil {
				return err
			}
			owner = names[0]
		}
		if m.IsAdmin {
			admins++
		}
	}
	roleNames := make([]string, len(roles))
	for i, r := range roles {
		roleNames[i] = r.Name
	}
	fmt.Fprintf(e.stdout, "ID:          %d\nName:        %s\nSlug:        %s\nActive:      %t\nCreated:     %s\nModified:    %s\n"+
		"Owner:       %s\nMembers:     %d (%d admins)\nRoles:       %s\nInvitations: %d open\n",
		o.ID, o.Name, o.Slug, o.IsActive, o.Created.Format(time.RFC3339), o.Modified.Format(time.RFC3339),
		owner, len(ms), admins, strings.Join(roleNames, ", "), len(invs))
	return nil
}

func orgsDelete(ctx context.Context, e *env, d orgsDB, slug string, yes bool) error {
	o, err := lookupOrg(ctx, d, slug)
	if err != nil {
		return err
	}
	if !yes {
		answer, err := newConsole(ctx, e).ask(fmt.Sprintf(
			"This deletes organization '%s' with its members, roles and invitations.\n"+
				"Type 'yes' to continue, or 'no' to cancel: ", o.Slug))
		if err != nil {
			return err
		}
		if answer != "yes" {
			return failf("delete cancelled; nothing was changed")
		}
	}
	if err := d.orgs.DeleteOrganization(ctx, o.ID); err != nil {
		return orgFailure("delete organization", err)
	}
	fmt.Fprintf(e.stdout, "Organization '%s' deleted.\n", o.Slug)
	return nil
}

func membersList(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	ms, err := d.orgs.Members(ctx, o.ID)
	if err != nil {
		return failf("list members: %v", err)
	}
	for _, m := range ms {
		names, err := usernames(ctx, d, m.UserID)
		if err != nil {
			return err
		}
		kind := "member"
		switch {
		case m.IsOwner:
			kind = "owner"
		case m.IsAdmin:
			kind = "admin"
		}
		roles, err := d.orgs.MemberRoles(ctx, o.ID, m.UserID)
		if err != nil {
			return failf("list roles of '%s': %v", names[0], err)
		}
		rn := make([]string, len(roles))
		for i, r := range roles {
			rn[i] = r.Name
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", names[0], kind, strings.Join(rn, ","))
	}
	return nil
}

// orgAndUser looks up the organization and the user.
func orgAndUser(ctx context.Context, d orgsDB, slug, username string) (orgs.Organization, *auth.User, error) {
	o, err := lookupOrg(ctx, d, slug)
	if err != nil {
		return o, nil, err
	}
	u, err := lookupUser(ctx, d.db, username)
	return o, u, err
}

func membersAdd(ctx context.Context, e *env, d orgsDB, slug, username string, admin bool) error {
	o, u, err := orgAndUser(ctx, d, slug, username)
	if err != nil {
		return err
	}
	if _, err := d.orgs.AddMember(ctx, o.ID, u.ID, admin); err != nil {
		return orgFailure(fmt.Sprintf("add '%s' to '%s'", u.Username, o.Slug), err)
	}
	as := ""
	if admin {
		as = " as an admin"
	}
	fmt.Fprintf(e.stdout, "Added '%s' to '%s'%s.\n", u.Username, o.Slug, as)
	return nil
}

func membersRemove(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, u, err := orgAndUser(ctx, d, pos[0], pos[1])
	if err != nil {
		return err
	}
	if err := d.orgs.RemoveMember(ctx, o.ID, u.ID); err != nil {
		return orgFailure(fmt.Sprintf("remove '%s' from '%s'", u.Username, o.Slug), err)
	}
	fmt.Fprintf(e.stdout, "Removed '%s' from '%s'.\n", u.Username, o.Slug)
	return nil
}

func membersAdmin(ctx context.Context, e *env, d orgsDB, pos []string) error {
	var on bool
	switch pos[2] {
	case "on":
		on = true
	case "off":
	default:
		return usagef("want on or off, not %q", pos[2])
	}
	o, u, err := orgAndUser(ctx, d, pos[0], pos[1])
	if err != nil {
		return err
	}
	if err := d.orgs.SetAdmin(ctx, o.ID, u.ID, on); err != nil {
		return orgFailure(fmt.Sprintf("set admin of '%s' in '%s'", u.Username, o.Slug), err)
	}
	state := "no longer an admin"
	if on {
		state = "an admin"
	}
	fmt.Fprintf(e.stdout, "'%s' is %s of '%s'.\n", u.Username, state, o.Slug)
	return nil
}

func membersTransfer(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, u, err := orgAndUser(ctx, d, pos[0], pos[1])
	if err != nil {
		return err
	}
	if err := d.orgs.TransferOwnership(ctx, o.ID, u.ID); err != nil {
		return orgFailure(fmt.Sprintf("transfer '%s' to '%s'", o.Slug, u.Username), err)
	}
	fmt.Fprintf(e.stdout, "'%s' is now the owner of '%s'.\n", u.Username, o.Slug)
	return nil
}

// inviteOptions are the flags of orgs invite.
type inviteOptions struct {
	roles   groupFlags
	admin   bool
	by      string
	expires time.Duration
	path    string
}

// plausibleEmail reports whether s is a bare address, as orgs.Orgs.Invite
// accepts it.
func plausibleEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && len(s) <= 254
}

// newInvitationToken returns a random token for an invitation link
// (base64url of 32 bytes from crypto/rand) and the SHA-256 of those bytes
// that the store keeps, as orgs.Orgs.Invite makes them and orgs.Orgs.Accept
// checks them.
func newInvitationToken() (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), sum[:], nil
}

func orgsInvite(ctx context.Context, e *env, d orgsDB, slug, email string, opts inviteOptions) error {
	if opts.by == "" {
		return usagef("--by is required")
	}
	if opts.expires <= 0 {
		return usagef("--expires must be positive")
	}
	if !strings.HasPrefix(opts.path, "/") {
		return usagef("--accept-path must start with /")
	}
	if !plausibleEmail(email) {
		return usagef("invalid email address %q", email)
	}
	o, by, err := orgAndUser(ctx, d, slug, opts.by)
	if err != nil {
		return err
	}
	if _, err := d.orgs.Membership(ctx, o.ID, by.ID); err != nil {
		return orgFailure(fmt.Sprintf("invite as '%s'", by.Username), err)
	}
	var roleIDs []int64
	for _, name := range opts.roles {
		r, err := lookupRole(ctx, d, o, name)
		if err != nil {
			return err
		}
		roleIDs = append(roleIDs, r.ID)
	}
	token, hash, err := newInvitationToken()
	if err != nil {
		return failf("make token: %v", err)
	}
	inv, err := d.orgs.CreateInvitation(ctx, orgs.Invitation{OrgID: o.ID, Email: email, InvitedBy: by.ID,
		RoleIDs: roleIDs, IsAdmin: opts.admin, TokenHash: hash, ExpiresAt: time.Now().Add(opts.expires)})
	if err != nil {
		return orgFailure("create invitation", err)
	}
	fmt.Fprintf(e.stdout, "Invitation %d to '%s' for %s created; it expires at %s.\n%s%s/\n",
		inv.ID, o.Slug, email, inv.ExpiresAt.Format(time.RFC3339), opts.path, token)
	return nil
}

func invitationsList(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	invs, err := d.orgs.Invitations(ctx, o.ID)
	if err != nil {
		return failf("list invitations: %v", err)
	}
	roles, err := d.orgs.Roles(ctx, o.ID)
	if err != nil {
		return failf("list roles: %v", err)
	}
	now := time.Now()
	for _, inv := range invs {
		by, err := usernames(ctx, d, inv.InvitedBy)
		if err != nil {
			return err
		}
		var rn []string
		for _, id := range inv.RoleIDs {
			if i := slices.IndexFunc(roles, func(r orgs.Role) bool { return r.ID == id }); i >= 0 {
				rn = append(rn, roles[i].Name)
			}
		}
		state := "expires " + inv.ExpiresAt.Format(time.RFC3339)
		if now.After(inv.ExpiresAt) {
			state = "expired " + inv.ExpiresAt.Format(time.RFC3339)
		}
		admin := ""
		if inv.IsAdmin {
			admin = "\tadmin"
		}
		fmt.Fprintf(e.stdout, "%d\t%s\tinvited by %s\t%s\troles %s%s\n", inv.ID, inv.Email, by[0], state, strings.Join(rn, ","), admin)
	}
	return nil
}

func invitationsRevoke(ctx context.Context, e *env, d orgsDB, pos []string) error {
	id, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil || id <= 0 {
		return usagef("invalid invitation ID %q", pos[1])
	}
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	err = d.orgs.RevokeInvitation(ctx, o.ID, id)
	if errors.Is(err, orgs.ErrNotFound) {
		return failf("organization '%s' has no invitation %d", o.Slug, id)
	}
	if err != nil {
		return orgFailure("revoke invitation", err)
	}
	fmt.Fprintf(e.stdout, "Revoked invitation %d of '%s'.\n", id, o.Slug)
	return nil
}

func rolesList(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	roles, err := d.orgs.Roles(ctx, o.ID)
	if err != nil {
		return failf("list roles: %v", err)
	}
	for _, r := range roles {
		perms, err := d.orgs.RolePermissions(ctx, o.ID, r.ID)
		if err != nil {
			return failf("list permissions of role '%s': %v", r.Name, err)
		}
		fmt.Fprintf(e.stdout, "%s\t%q\t%s\n", r.Name, r.GroupName, strings.Join(perms, " "))
	}
	return nil
}

func rolesCreate(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	r, err := d.orgs.CreateRole(ctx, o.ID, pos[1])
	if err != nil {
		return orgFailure(fmt.Sprintf("create role '%s'", pos[1]), err)
	}
	fmt.Fprintf(e.stdout, "Role '%s' of '%s' created (group '%s').\n", r.Name, o.Slug, r.GroupName)
	return nil
}

func rolesDelete(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, err := lookupOrg(ctx, d, pos[0])
	if err != nil {
		return err
	}
	r, err := lookupRole(ctx, d, o, pos[1])
	if err != nil {
		return err
	}
	if err := d.orgs.DeleteRole(ctx, o.ID, r.ID); err != nil {
		return orgFailure("delete role", err)
	}
	fmt.Fprintf(e.stdout, "Role '%s' of '%s' deleted.\n", r.Name, o.Slug)
	return nil
}

func rolesPerms(ctx context.Context, e *env, d orgsDB, slug, name string, perms []string, clear bool) error {
	if clear && len(perms) > 0 {
		return usagef("--clear takes no permissions")
	}
	o, err := lookupOrg(ctx, d, slug)
	if err != nil {
		return err
	}
	r, err := lookupRole(ctx, d, o, name)
	if err != nil {
		return err
	}
	if len(perms) > 0 || clear {
		checked, err := checkPermissions(ctx, d.db, perms)
		if err != nil {
			return err
		}
		if err := d.orgs.SetRolePermissions(ctx, o.ID, r.ID, checked); err != nil {
			return orgFailure("set permissions", err)
		}
	}
	got, err := d.orgs.RolePermissions(ctx, o.ID, r.ID)
	if err != nil {
		return failf("list permissions: %v", err)
	}
	for _, p := range got {
		fmt.Fprintln(e.stdout, p)
	}
	if len(got) == 0 {
		fmt.Fprintf(e.stdout, "Role '%s' of '%s' has no permissions.\n", r.Name, o.Slug)
	}
	return nil
}

// roleAndUser looks up the organization, its role and the user.
func roleAndUser(ctx context.Context, d orgsDB, pos []string) (orgs.Organization, orgs.Role, *auth.User, error) {
	o, u, err := orgAndUser(ctx, d, pos[0], pos[2])
	if err != nil {
		return o, orgs.Role{}, nil, err
	}
	r, err := lookupRole(ctx, d, o, pos[1])
	return o, r, u, err
}

func rolesAssign(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, r, u, err := roleAndUser(ctx, d, pos)
	if err != nil {
		return err
	}
	if err := d.orgs.AssignRole(ctx, o.ID, u.ID, r.ID); err != nil {
		return orgFailure(fmt.Sprintf("assign role '%s' to '%s'", r.Name, u.Username), err)
	}
	fmt.Fprintf(e.stdout, "'%s' has role '%s' in '%s'.\n", u.Username, r.Name, o.Slug)
	return nil
}

func rolesUnassign(ctx context.Context, e *env, d orgsDB, pos []string) error {
	o, r, u, err := roleAndUser(ctx, d, pos)
	if err != nil {
		return err
	}
	if err := d.orgs.UnassignRole(ctx, o.ID, u.ID, r.ID); err != nil {
		return orgFailure(fmt.Sprintf("unassign role '%s' from '%s'", r.Name, u.Username), err)
	}
	fmt.Fprintf(e.stdout, "'%s' no longer has role '%s' in '%s'.\n", u.Username, r.Name, o.Slug)
	return nil
}
