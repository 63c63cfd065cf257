// Package pkg holds every form of Go message that the extraction check
// must find, and some that it must not.
package pkg

import "github.com/djauth/auth/i18n"

const (
	msgCommon = "This password is too common."
	msgConst  = "Constant message."
	joined    = "Joined " + "constant."
)

var (
	_ = i18n.Message{ID: msgCommon}
	_ = i18n.Message{ID: msgConst}
	_ = &i18n.Message{ID: joined}
	_ = i18n.Message{ID: "%(n)d item", Plural: "%(n)d items", N: 2}
	_ = i18n.Message{Context: "ctx", ID: "In a context"}
	_ = []i18n.Message{{ID: "Elided type in a slice"}}
	_ = map[string]i18n.Message{"k": {ID: "Elided in a map"}}
	_ = i18n.Message{ID: variable} // not followed
	_ = other.Message{ID: "Not an i18n.Message"}
)

var variable = "A variable"

func f(tr *i18n.Translator, v string) {
	tr.Gettext("Gettext literal")
	tr.Pgettext("pctx", "Pgettext literal")
	tr.Ngettext("one", "many", 2)
	tr.Npgettext("npctx", "np one", "np many", 2)
	tr.Gettext(v) // not followed
}
