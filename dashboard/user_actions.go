package dashboard

import (
	"errors"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// UserPage is the data of the user's smaller pages: the password form,
// the delete confirmation and the reset link.
type UserPage struct {
	*Common
	ID       int64
	Username string
	Errors   FieldErrors
	// HelpTexts are the password validators' help texts.
	HelpTexts []string
	// ResetLink is the link just made, shown once; CanMail offers to
	// mail it instead; Email is where it would go.
	ResetLink string
	CanMail   bool
	Email     string
	// Self marks the staff member's own page.
	Self bool
}

// userPage loads the {id} user and builds its page data, refusing a POST
// on a superuser by a staff member who is not one (canChangeUser).
func (d *Dashboard[U]) userPage(w http.ResponseWriter, r *http.Request, v *view[U], title string, post bool) (*U, *auth.User, *UserPage, bool) {
	u, au, ok := d.loadUser(w, r, v)
	if !ok {
		return nil, nil, nil, false
	}
	if post && au.IsSuperuser && !v.actor.IsSuperuser {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return nil, nil, nil, false
	}
	page := &UserPage{Common: d.common(r, v, title, "users"), ID: au.ID, Username: au.Username,
		Errors: FieldErrors{}, Email: au.Email, Self: au.ID == v.actor.ID}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Users"), URL: d.prefix + "auth/user/"},
		NavItem{Label: au.Username, URL: d.userURL(au.ID, "change")}, NavItem{Label: title})
	return u, au, page, true
}

// serveUserPassword is Django admin's user_change_password with
// AdminPasswordChangeForm.
func (d *Dashboard[U]) serveUserPassword(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	u, au, page, ok := d.userPage(w, r, v, v.tr.Pgettext("dashboard", "Change password"), post)
	if !ok {
		return
	}
	if au.IsSuperuser && !v.actor.IsSuperuser {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return
	}
	page.Title = v.tr.Pgettext("dashboard", "Change password") + ": " + au.Username
	page.HelpTexts = helpTexts(d)
	if !post {
		d.render(w, r, http.StatusOK, "user_password", page)
		return
	}
	p1, p2 := r.PostForm.Get("password1"), r.PostForm.Get("password2")
	passwordErrors(v.tr, p1, p2, au, d.validators, page.Errors)
	if page.Errors.Any() {
		d.render(w, r, http.StatusOK, "user_password", page)
		return
	}
	if err := d.auth.SetPassword(r.Context(), u, p1); err != nil {
		if errors.Is(err, auth.ErrUserNotFound) {
			d.notFound(w, r, v)
			return
		}
		d.serverError(w, r, "set password", err)
		return
	}
	if page.Self {
		// Django's update_session_auth_hash: the staff member stays in.
		if err := d.auth.UpdateSessionAuthHash(r, u); err != nil {
			d.serverError(w, r, "update session auth hash", err)
			return
		}
	}
	d.send(r, v, au, ActionPasswordSet, nil, "")
	d.redirect(w, r, d.userURL(au.ID, "change"), v.tr.Pgettext("dashboard", "Password changed successfully."))
}

// serveUserDelete is Django admin's delete_view: GET asks, POST deletes.
// No one deletes their own account here.
func (d *Dashboard[U]) serveUserDelete(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	_, au, page, ok := d.userPage(w, r, v, v.tr.Pgettext("dashboard", "Delete user"), post)
	if !ok {
		return
	}
	if page.Self {
		page.Errors.Add("", v.tr.Pgettext("dashboard", "You cannot delete your own account."))
		d.render(w, r, http.StatusOK, "user_delete", page)
		return
	}
	if au.IsSuperuser && !v.actor.IsSuperuser {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return
	}
	if !post {
		d.render(w, r, http.StatusOK, "user_delete", page)
		return
	}
	ctx := r.Context()
	if d.auth.SessionsIndexed() {
		if _, err := d.auth.RevokeUserSessions(ctx, au.ID); err != nil {
			d.serverError(w, r, "revoke sessions", err)
			return
		}
	}
	if err := d.store.DeleteUser(ctx, au.ID); err != nil {
		if errors.Is(err, auth.ErrUserNotFound) {
			d.notFound(w, r, v)
			return
		}
		d.serverError(w, r, "delete user", err)
		return
	}
	d.send(r, v, au, ActionDeleted, nil, "")
	d.redirect(w, r, d.prefix+"auth/user/", v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The user “%(name)s” was deleted successfully.", Args: map[string]any{"name": au.Username}}))
}

// serveUserReset makes a one-time password reset link (action "link"),
// shown once on the answer to the POST and never stored or logged, or
// queues the reset mail (action "mail").
func (d *Dashboard[U]) serveUserReset(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	_, au, page, ok := d.userPage(w, r, v, v.tr.Pgettext("dashboard", "Password reset link"), post)
	if !ok {
		return
	}
	if au.IsSuperuser && !v.actor.IsSuperuser {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return
	}
	mailer, canMail := d.reset.(resetMailer)
	page.CanMail = canMail && au.Email != ""
	if !post {
		d.render(w, r, http.StatusOK, "user_reset", page)
		return
	}
	switch r.PostForm.Get("action") {
	case "link":
		link, err := d.reset.PasswordResetLink(r, au)
		if err != nil {
			d.log.WarnContext(r.Context(), "dashboard: password reset link", "user_id", au.ID, "error", err)
			page.Errors.Add("", "No reset link can be made for this user (the server log says why).")
			d.render(w, r, http.StatusOK, "user_reset", page)
			return
		}
		page.ResetLink = link
		d.send(r, v, au, ActionResetLinkMade, nil, "")
		d.render(w, r, http.StatusOK, "user_reset", page)
	case "mail":
		if !page.CanMail {
			page.Errors.Add("", v.tr.Pgettext("dashboard", "The reset mail cannot be sent to this user."))
			d.render(w, r, http.StatusOK, "user_reset", page)
			return
		}
		if err := mailer.SendPasswordReset(r, au); err != nil {
			d.log.WarnContext(r.Context(), "dashboard: password reset mail", "user_id", au.ID, "error", err)
			page.Errors.Add("", "The reset mail could not be sent (the server log says why).")
			d.render(w, r, http.StatusOK, "user_reset", page)
			return
		}
		d.send(r, v, au, ActionResetMailSent, nil, "")
		d.redirect(w, r, d.userURL(au.ID, "change"), v.tr.Translate(i18n.Message{Context: "dashboard", ID: "A password reset mail is on its way to %(email)s.", Args: map[string]any{"email": au.Email}}))
	default:
		page.Errors.Add("", v.tr.Pgettext("dashboard", "Choose whether to make a link or send the mail."))
		d.render(w, r, http.StatusOK, "user_reset", page)
	}
}
