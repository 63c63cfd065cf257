// Package i18n translates the library's pages and messages through gettext
// catalogs, as Django does: the same .po format (a Django team's
// makemessages, Transifex or Weblate files work as they are), Django's
// English msgids verbatim, its %(name)s placeholders, its plural forms
// and its choice of language per request.
//
// # Catalogs
//
// A catalog is a .po file, parsed by ParsePO (msgctxt, msgid,
// msgid_plural, msgstr[n], C escapes, multi-line strings; fuzzy entries
// are left out as msgfmt leaves them out). The package embeds French
// (locale/fr/LC_MESSAGES/django.po) for every message of the login form
// and of package validation. An app adds its own catalogs, laid out as
// Django's LOCALE_PATHS, through Config.Locales; they take precedence
// over the embedded ones.
//
// # Choosing the language
//
// Bundle.Language follows Django's LocaleMiddleware: the
// "django_language" cookie, then Accept-Language by quality ("fr-CA"
// falls back to "fr"), then Config.Default ("en-us"). Only
// Config.Languages are ever chosen; the zero Config is English only.
//
//	b, err := i18n.New(i18n.Config{Languages: []string{"en", "fr"}})
//	tr := b.FromRequest(r) // *i18n.Translator
//	tr.Gettext("This field is required.") // "Ce champ est obligatoire."
//
// # Messages
//
// Go code keeps a text as a Message, Django's msgid with its arguments,
// and translates it when the page is rendered (Django's gettext_lazy):
//
//	m := i18n.Message{ID: "The password is too similar to the %(verbose_name)s.",
//		Args: map[string]any{"verbose_name": i18n.Message{ID: "email address"}}}
//	tr.Translate(m) // "Le mot de passe ressemble trop au champ « adresse e-mail »."
//	m.String()      // the English text
//
// A nil *Translator is English, so code without a Bundle works unchanged.
//
// # Templates
//
// Parse a page with Funcs, so that t, tn, tp and language exist, then
// Localize it once at start-up: one clone per language, its funcs bound
// to that language. A request executes its language's clone, without
// cloning (which would make html/template escape the page again on every
// request: 3 times slower on the test page, see bench_test.go):
//
//	page := template.Must(template.New("page").Funcs(i18n.Funcs()).Parse(
//		`<html lang="{{language}}"><label>{{t "Password"}}</label>{{range .Errors}}<p>{{t .}}</p>{{end}}`))
//	l, err := b.Localize(page)
//	err = l.Execute(w, b.FromRequest(r), data)
//
// What t returns is a string, which html/template escapes: neither an
// argument nor a translation can add markup.
//
// Every msgid that the repository's templates pass to t, tn or tp, and
// every Go msgid (the fields of an i18n.Message literal, the arguments of
// Gettext, Pgettext, Ngettext and Npgettext), must have a French entry:
// TestCatalogCoversMessages reads the whole module and fails otherwise.
package i18n
