package memory

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	auth "github.com/djauth/auth"
)

// Store is an in-memory auth.Store for the user type U. New returns one;
// the zero Store is an empty store too, ready to use when U is auth.User
// or embeds it (otherwise its methods return an error). A Store must not
// be copied after first use. It is safe for concurrent use: reads share a
// read lock and every write holds the write lock for the whole call, so a
// write is atomic with respect to other calls.
type Store[U any] struct {
	once    sync.Once
	initErr error

	// clone returns a deep copy of a *U.
	clone func(*U) *U

	mu sync.RWMutex

	users      map[int64]*U
	byUsername map[string]int64
	// byFold maps a case-folded username to the IDs of the users whose
	// username folds to it.
	byFold idSetMap[string]
	// byEmail maps an upper-cased email to the IDs of the users whose
	// email upper-cases to it, for UserQuery.Email. Users without an
	// email are not in it.
	byEmail    idSetMap[string]
	lastUserID int64

	groups      map[int64]auth.Group
	groupByName map[string]int64
	lastGroupID int64

	contentTypes map[int64]auth.ContentType
	ctByKey      map[ctKey]int64
	lastCTID     int64

	perms map[int64]auth.Permission
	// permByKey maps "app_label.codename" to the permissions with that
	// key. Django makes codenames unique per content type, not per app,
	// so one key can name permissions of several models of an app.
	permByKey  idSetMap[string]
	permByCT   map[ctCodename]int64
	lastPermID int64

	userGroups idSetMap[int64] // user ID -> group IDs
	groupUsers idSetMap[int64] // group ID -> user IDs
	userPerms  idSetMap[int64] // user ID -> permission IDs
	permUsers  idSetMap[int64] // permission ID -> user IDs
	groupPerms idSetMap[int64] // group ID -> permission IDs
	permGroups idSetMap[int64] // permission ID -> group IDs
}

// Compile-time proof that Store implements the contract, for the default
// user type and for a custom one.
var (
	_ auth.Store[auth.User] = (*Store[auth.User])(nil)
	_ auth.Store[struct {
		auth.User
		X []int
	}] = (*Store[struct {
		auth.User
		X []int
	}])(nil)
)

type ctKey struct{ appLabel, model string }

type ctCodename struct {
	ct       int64
	codename string
}

// idSet is a set of row IDs.
type idSet map[int64]struct{}

// New returns an empty Store for the user type U, which is auth.User or a
// struct that embeds auth.User by value; P is inferred:
//
//	users := memory.New[auth.User]()
//	custom := memory.New[MyUser]()
//
// The first user, group, content type and permission each get ID 1, and
// IDs increase from there like PostgreSQL serials; an ID is never reused.
//
// New panics when U embeds *auth.User rather than auth.User (or its
// AuthUser reaches a User outside the value), which no store can work
// with; postgres.New refuses such a type with an error.
func New[U any]() *Store[U] {
	s := &Store[U]{}
	s.init()
	if s.initErr != nil {
		panic(s.initErr)
	}
	return s
}

// init makes the maps and, for a zero Store, finds AuthUser on *U. It runs
// once; the result is kept in s.initErr.
func (s *Store[U]) init() {
	s.once.Do(func() {
		if err := auth.CheckUserType[U](); err != nil {
			s.initErr = fmt.Errorf("memory: %w", err)
			return
		}
		s.clone = newCloner[U]()
		s.users = make(map[int64]*U)
		s.byUsername = make(map[string]int64)
		s.byFold = make(idSetMap[string])
		s.byEmail = make(idSetMap[string])
		s.groups = make(map[int64]auth.Group)
		s.groupByName = make(map[string]int64)
		s.contentTypes = make(map[int64]auth.ContentType)
		s.ctByKey = make(map[ctKey]int64)
		s.perms = make(map[int64]auth.Permission)
		s.permByKey = make(idSetMap[string])
		s.permByCT = make(map[ctCodename]int64)
		s.userGroups = make(idSetMap[int64])
		s.groupUsers = make(idSetMap[int64])
		s.userPerms = make(idSetMap[int64])
		s.permUsers = make(idSetMap[int64])
		s.groupPerms = make(idSetMap[int64])
		s.permGroups = make(idSetMap[int64])
	})
}

// start begins every method: it initialises a zero Store and fails when
// the store is unusable or ctx is done.
func (s *Store[U]) start(ctx context.Context) error {
	s.init()
	if s.initErr != nil {
		return s.initErr
	}
	return ctx.Err()
}

// newCloner returns the deep-copy function for *U. auth.User itself, the
// common case, is copied without reflection.
func newCloner[U any]() func(*U) *U {
	if _, ok := any((*U)(nil)).(*auth.User); ok {
		return func(u *U) *U {
			cp := *u
			lu := any(&cp).(*auth.User)
			if lu.LastLogin != nil {
				t := *lu.LastLogin
				lu.LastLogin = &t
			}
			return &cp
		}
	}
	c := newCopier(reflect.TypeFor[U]())
	if c.root == nil {
		return func(u *U) *U {
			cp := *u
			return &cp
		}
	}
	return func(u *U) *U {
		cp := new(U)
		*cp = *u
		c.fix(reflect.ValueOf(cp).Elem())
		return cp
	}
}

// normTime returns t in UTC truncated to microseconds, as PostgreSQL's
// timestamptz stores it.
func normTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// foldKey returns the key of the case-insensitive username and email
// indexes: s with every rune upper-cased. Two usernames (or emails) match
// when their keys are equal, which is Django's username__iexact (or
// email__iexact) on PostgreSQL, UPPER(a) = UPPER(b);
// Go's unicode.ToUpper agrees with PostgreSQL's upper() under the C.UTF-8
// collation for every code point.
func foldKey(s string) string { return strings.ToUpper(s) }

// add puts id into the set stored under key in m, creating the set.
func (m idSetMap[K]) add(key K, id int64) {
	s := m[key]
	if s == nil {
		s = make(idSet)
		m[key] = s
	}
	s[id] = struct{}{}
}

// remove takes id out of the set stored under key, dropping an empty set.
func (m idSetMap[K]) remove(key K, id int64) {
	s := m[key]
	delete(s, id)
	if len(s) == 0 {
		delete(m, key)
	}
}

// idSetMap maps a key to a set of IDs: one direction of a many-to-many
// relation (keyed by ID) or an index of users or permissions (keyed by a
// folded string or a permission key).
type idSetMap[K comparable] map[K]idSet
