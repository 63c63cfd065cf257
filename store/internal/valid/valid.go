// Package valid holds the checks that the stores under store/ share: which
// text a store can hold, and which user types a store can work with.
package valid

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/djauth/auth"
)

// Text reports whether s is text that a store can hold: valid UTF-8 with
// no NUL byte. PostgreSQL refuses anything else (SQLSTATE 22021
// character_not_in_repertoire, or 22P05 untranslatable_character), so a
// lookup by such a string can match nothing and stores answer "not found"
// without a round trip, while writes reject it with a *auth.ValidationError
// (auth.User.Validate and the other Validate methods).
func Text(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// UserType checks that authUser, a user type's AuthUser method, reaches an
// auth.User that lies inside the value itself, which is what embedding
// auth.User by value gives: on a new(U) it must return a non-nil pointer
// into that U. A type that embeds *auth.User fails (its AuthUser returns
// the nil embedded pointer, and a store would panic writing to it), and so
// does an AuthUser that returns a User held elsewhere (a store's copies
// would share it). The error names the type and says what to do.
func UserType[U any](authUser func(*U) *auth.User) error {
	u := new(U)
	a := authUser(u)
	switch {
	case a == nil:
		return fmt.Errorf("user type %s: AuthUser of a new value returns nil (it embeds *auth.User?); embed auth.User by value",
			reflect.TypeFor[U]())
	case !inside(unsafe.Pointer(a), unsafe.Pointer(u), unsafe.Sizeof(*u), unsafe.Sizeof(*a)):
		return fmt.Errorf("user type %s: AuthUser returns a User outside the value; embed auth.User by value",
			reflect.TypeFor[U]())
	}
	return nil
}

// inside reports whether the n bytes at p lie within the size bytes at
// base. It compares addresses only.
func inside(p, base unsafe.Pointer, size, n uintptr) bool {
	off := uintptr(p) - uintptr(base)
	return uintptr(p) >= uintptr(base) && off+n <= size
}
