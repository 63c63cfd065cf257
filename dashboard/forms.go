package dashboard

import (
	"errors"
	"slices"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/validation"
)

// FieldErrors are the errors of a form: by field name, and "" for the
// form as a whole.
type FieldErrors map[string][]string

// Add appends msg to the errors of field.
func (e FieldErrors) Add(field, msg string) { e[field] = append(e[field], msg) }

// Any reports whether there are errors.
func (e FieldErrors) Any() bool { return len(e) > 0 }

// Summary lists every error with the id of its field ("" for the form),
// for the error summary at the top of a form.
func (e FieldErrors) Summary() []SummaryItem {
	var out []SummaryItem
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, m := range e[k] {
			item := SummaryItem{Message: m}
			if k != "" {
				item.FieldID = "id_" + k
			}
			out = append(out, item)
		}
	}
	return out
}

// SummaryItem is one line of an error summary.
type SummaryItem struct{ FieldID, Message string }

// PermGroup is the permissions of one model, a fieldset of checkboxes.
type PermGroup struct {
	// Legend is "app_label | model".
	Legend string
	Perms  []PermChoice
}

// PermChoice is one permission checkbox.
type PermChoice struct {
	Key, Name string
	Checked   bool
}

// permGroups groups perms (ordered by app, model, codename) by model,
// checking those in checked.
func permGroups(perms []auth.Permission, checked map[string]bool) []PermGroup {
	var out []PermGroup
	for _, p := range perms {
		legend := p.AppLabel + " | " + p.Model
		if len(out) == 0 || out[len(out)-1].Legend != legend {
			out = append(out, PermGroup{Legend: legend})
		}
		g := &out[len(out)-1]
		g.Perms = append(g.Perms, PermChoice{Key: p.Key(), Name: p.Name, Checked: checked[p.Key()]})
	}
	return out
}

// chosenPerms returns the submitted permission keys that exist; an
// unknown one is an error of field.
func chosenPerms(tr *i18n.Translator, values []string, perms []auth.Permission, field string, errs FieldErrors) []string {
	known := make(map[string]bool, len(perms))
	for _, p := range perms {
		known[p.Key()] = true
	}
	out := []string{}
	seen := map[string]bool{}
	for _, v := range values {
		switch {
		case !known[v]:
			errs.Add(field, tr.Translate(i18n.Message{Context: "dashboard", ID: "Select a valid choice. %(value)s is not one of the available choices.", Args: map[string]any{"value": v}}))
		case !seen[v]:
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// passwordErrors checks the two password fields as Django's
// AdminPasswordChangeForm and UserCreationForm do, and runs the
// validators for user.
func passwordErrors(tr *i18n.Translator, p1, p2 string, user *auth.User, validators []validation.Validator, errs FieldErrors) {
	switch {
	case p1 == "":
		errs.Add("password1", tr.Pgettext("dashboard", "This field is required."))
	case p2 == "":
		errs.Add("password2", tr.Pgettext("dashboard", "This field is required."))
	case p1 != p2:
		errs.Add("password2", tr.Pgettext("dashboard", "The two password fields didn’t match."))
	default:
		err := validation.Validate(p2, user, validators...)
		var verrs validation.Errors
		switch {
		case err == nil:
		case errors.As(err, &verrs):
			for _, e := range verrs.Translate(tr) {
				errs.Add("password2", e)
			}
		default:
			errs.Add("password2", tr.Pgettext("dashboard", "The password could not be checked; try again."))
		}
	}
}
