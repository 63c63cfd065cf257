package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/djauth/auth/internal/pystr"
)

// ContentType identifies a model, as Django's django_content_type table
// does: an app label and a lowercase model name.
type ContentType struct {
	ID       int64  `db:"id"`
	AppLabel string `db:"app_label"`
	Model    string `db:"model"`
}

// Validate checks the column limits of django_content_type.
func (ct *ContentType) Validate() error {
	if err := checkText("AppLabel", ct.AppLabel, MaxAppLabelLength, true); err != nil {
		return err
	}
	return checkText("Model", ct.Model, MaxContentTypeModelLength, true)
}

// Permission is a row of auth_permission together with the app label and
// model of its content type. Everywhere in the API a permission is named by
// its Key, "app_label.codename", as in Django's has_perm.
type Permission struct {
	ID            int64  `db:"id"`
	Name          string `db:"name"`
	ContentTypeID int64  `db:"content_type_id"`
	Codename      string `db:"codename"`
	AppLabel      string `db:"app_label"`
	Model         string `db:"model"`
}

// Key returns the permission's name in the API, "app_label.codename".
func (p Permission) Key() string { return p.AppLabel + "." + p.Codename }

// String returns Django's display form "app_label | model | name".
func (p Permission) String() string {
	return p.AppLabel + " | " + p.Model + " | " + p.Name
}

// Validate checks the column limits of auth_permission and the content type
// fields carried with it.
func (p *Permission) Validate() error {
	if err := checkText("Name", p.Name, MaxPermissionNameLength, true); err != nil {
		return err
	}
	if err := checkText("Codename", p.Codename, MaxCodenameLength, true); err != nil {
		return err
	}
	if err := checkText("AppLabel", p.AppLabel, MaxAppLabelLength, true); err != nil {
		return err
	}
	return checkText("Model", p.Model, MaxContentTypeModelLength, true)
}

// ParsePermission splits "app_label.codename" at its first dot. Django's
// app labels are Python identifiers and so never contain a dot, while a
// codename may. Both parts must be non-empty, valid UTF-8 without NUL bytes
// and within Django's column limits; otherwise the error is a
// *ValidationError.
func ParsePermission(perm string) (appLabel, codename string, err error) {
	appLabel, codename, ok := strings.Cut(perm, ".")
	if !ok || appLabel == "" || codename == "" {
		return "", "", &ValidationError{Field: "Permission", Code: "invalid",
			Message: fmt.Sprintf("%q is not of the form \"app_label.codename\"", perm)}
	}
	if err := checkText("AppLabel", appLabel, MaxAppLabelLength, true); err != nil {
		return "", "", err
	}
	if err := checkText("Codename", codename, MaxCodenameLength, true); err != nil {
		return "", "", err
	}
	return appLabel, codename, nil
}

// PermSet is a set of permission keys ("app_label.codename"). A nil PermSet
// is an empty set that can be read but not written.
type PermSet map[string]struct{}

// NewPermSet returns a set holding perms.
func NewPermSet(perms ...string) PermSet {
	s := make(PermSet, len(perms))
	for _, p := range perms {
		s[p] = struct{}{}
	}
	return s
}

// Has reports whether perm is in the set.
func (s PermSet) Has(perm string) bool {
	_, ok := s[perm]
	return ok
}

// HasModule reports whether any permission in the set belongs to appLabel
// (Django's has_module_perms).
func (s PermSet) HasModule(appLabel string) bool {
	prefix := appLabel + "."
	for p := range s {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// Add puts perms into the set.
func (s PermSet) Add(perms ...string) {
	for _, p := range perms {
		s[p] = struct{}{}
	}
}

// Union returns a new set with the members of s and of others.
func (s PermSet) Union(others ...PermSet) PermSet {
	n := len(s)
	for _, o := range others {
		n += len(o)
	}
	u := make(PermSet, n)
	for p := range s {
		u[p] = struct{}{}
	}
	for _, o := range others {
		for p := range o {
			u[p] = struct{}{}
		}
	}
	return u
}

// Sorted returns the members in ascending order.
func (s PermSet) Sorted() []string {
	out := make([]string, 0, len(s))
	for p := range s {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// defaultPermissions are the actions for which Register creates a permission
// on every model unless the spec says otherwise (Django's
// Meta.default_permissions).
var defaultPermissions = []string{"add", "change", "delete", "view"}

// ModelSpec describes a model whose permissions Register creates, in the way
// Django's post-migrate step reads a model's Meta.
type ModelSpec struct {
	// AppLabel is the Django app label, such as "reports".
	AppLabel string
	// Model is the model name; it is stored lowercased, as Django does.
	Model string
	// VerboseName appears in default permission names ("Can add <verbose
	// name>"). Empty means Django's default, the model name with its
	// CamelCase words split by spaces and lowercased: "AuditEntry" gives
	// "audit entry".
	VerboseName string
	// DefaultPermissions lists the actions that get a default permission.
	// Nil means Django's ["add", "change", "delete", "view"]; an empty,
	// non-nil slice means none.
	DefaultPermissions []string
	// Custom are extra permissions (Django's Meta.permissions).
	Custom []PermissionSpec
}

// PermissionSpec is one custom permission of a model.
type PermissionSpec struct {
	// Codename is the part after the dot in "app_label.codename".
	Codename string
	// Name is the human-readable name, such as "Can publish report".
	Name string
}

// Permissions returns the permissions that Django creates for the model: one
// per default action, named "Can <action> <verbose name>", then the custom
// ones, without IDs. It validates every field against Django's limits.
func (m ModelSpec) Permissions() ([]Permission, error) {
	model := strings.ToLower(m.Model)
	ct := ContentType{AppLabel: m.AppLabel, Model: model}
	if err := ct.Validate(); err != nil {
		return nil, err
	}
	verbose := m.VerboseName
	if verbose == "" {
		verbose = camelCaseToSpaces(m.Model)
	}
	actions := m.DefaultPermissions
	if actions == nil {
		actions = defaultPermissions
	}
	perms := make([]Permission, 0, len(actions)+len(m.Custom))
	seen := make(map[string]bool, cap(perms))
	add := func(codename, name string) error {
		p := Permission{Name: name, Codename: codename, AppLabel: m.AppLabel, Model: model}
		if err := p.Validate(); err != nil {
			return fmt.Errorf("model %s.%s: %w", m.AppLabel, model, err)
		}
		if seen[codename] {
			return &ValidationError{Field: "Codename", Code: "duplicate",
				Message: fmt.Sprintf("model %s.%s declares permission %q twice", m.AppLabel, model, codename)}
		}
		seen[codename] = true
		perms = append(perms, p)
		return nil
	}
	for _, action := range actions {
		if err := add(action+"_"+model, "Can "+action+" "+verbose); err != nil {
			return nil, err
		}
	}
	for _, cp := range m.Custom {
		if err := add(cp.Codename, cp.Name); err != nil {
			return nil, err
		}
	}
	return perms, nil
}

// camelCaseToSpaces derives a model's default verbose name from its class
// name as Django's camel_case_to_spaces does: a space goes before each
// ASCII capital that follows a lowercase ASCII letter or that starts a new
// word (is followed by something other than a capital), then the result is
// trimmed and lowercased. "AuditEntry" and "HTTPResponse" give "audit
// entry" and "http response".
func camelCaseToSpaces(name string) string {
	isUpper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isUpper(c) && (i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z' ||
			i+1 < len(name) && !isUpper(name[i+1])) {
			b.WriteByte(' ')
		}
		b.WriteByte(c)
	}
	return pystr.Lower(pystr.Strip(b.String()))
}

// AuthModels are the models whose permissions Django creates for the auth
// and contenttypes apps: auth.permission, auth.group, auth.user and
// contenttypes.contenttype, each with the four default permissions
// ("auth.add_user", "auth.change_group", ...).
func AuthModels() []ModelSpec {
	return []ModelSpec{
		{AppLabel: "auth", Model: "permission"},
		{AppLabel: "auth", Model: "group"},
		{AppLabel: "auth", Model: "user"},
		{AppLabel: "contenttypes", Model: "contenttype", VerboseName: "content type"},
	}
}

// PermissionEnsurer is the part of a Store that Register needs.
type PermissionEnsurer interface {
	// EnsurePermissions creates the content type (appLabel, model) if it is
	// missing, then each permission whose codename that content type lacks,
	// all in one transaction. Existing permissions are left as they are (a
	// changed name is not rewritten, as in Django). It returns the stored
	// form of every requested permission, in the order given.
	EnsurePermissions(ctx context.Context, appLabel, model string, perms []Permission) ([]Permission, error)
}

// Register creates the content types and permissions of the models,
// idempotently, as Django's post-migrate create_permissions does. It returns
// every permission of the models, including those that already existed.
func Register(ctx context.Context, s PermissionEnsurer, models ...ModelSpec) ([]Permission, error) {
	var all []Permission
	for _, m := range models {
		perms, err := m.Permissions()
		if err != nil {
			return all, err
		}
		stored, err := s.EnsurePermissions(ctx, m.AppLabel, strings.ToLower(m.Model), perms)
		if err != nil {
			return all, fmt.Errorf("auth: register %s.%s: %w", m.AppLabel, strings.ToLower(m.Model), err)
		}
		all = append(all, stored...)
	}
	return all, nil
}
