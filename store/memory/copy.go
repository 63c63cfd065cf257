package memory

import (
	"reflect"
	"sync"
	"time"
)

// copier makes deep copies of values of one user type. It is built once per
// Store by newCopier, which compiles a copy plan for the type: a function
// per type that fixes up only the fields that need it, so that copying
// does no reflection on fields that plain assignment already copied.
//
// A copy shares nothing mutable with its source: pointers, slices, maps and
// interfaces reachable through exported fields are copied recursively, and
// pointers that alias each other in the source alias each other in the copy
// (which also makes cyclic values safe). Unexported fields of custom types
// cannot be set through reflection and are copied shallowly; time.Time is
// treated as an immutable value.
type copier struct {
	// root fixes up a shallow copy of the user type; nil when assignment
	// alone is a deep copy.
	root copyFn
	// dynamic caches the plans of types met inside interfaces at run
	// time: reflect.Type -> copyFn, where a nil copyFn means none needed.
	dynamic sync.Map
}

// copyFn turns v, a settable value holding a shallow copy, into a deep
// copy. seen maps source pointers to their copies.
type copyFn func(v reflect.Value, seen map[uintptr]reflect.Value)

var timeType = reflect.TypeFor[time.Time]()

func newCopier(t reflect.Type) *copier {
	c := &copier{}
	c.root = c.compile(t, make(map[reflect.Type]*copyFn))
	return c
}

// fix turns v, a settable value holding a shallow copy of a value of the
// copier's type, into a deep copy.
func (c *copier) fix(v reflect.Value) {
	if c.root != nil {
		c.root(v, make(map[uintptr]reflect.Value))
	}
}

// compile returns the plan for t, or nil when assignment copies t deeply.
// building holds the plans of the types being compiled, so that recursive
// types refer to their own plan through a pointer filled in at the end.
func (c *copier) compile(t reflect.Type, building map[reflect.Type]*copyFn) copyFn {
	if p, ok := building[t]; ok {
		// A recursive type: call the plan once it is finished.
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			if *p != nil {
				(*p)(v, seen)
			}
		}
	}
	p := new(copyFn)
	building[t] = p
	*p = c.build(t, building)
	return *p
}

func (c *copier) build(t reflect.Type, building map[reflect.Type]*copyFn) copyFn {
	switch t.Kind() {
	case reflect.Pointer:
		elem := c.compile(t.Elem(), building)
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			if v.IsNil() {
				return
			}
			key := v.Pointer()
			if cp, ok := seen[key]; ok {
				v.Set(cp)
				return
			}
			cp := reflect.New(t.Elem())
			seen[key] = cp
			cp.Elem().Set(v.Elem())
			if elem != nil {
				elem(cp.Elem(), seen)
			}
			v.Set(cp)
		}
	case reflect.Slice:
		elem := c.compile(t.Elem(), building)
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			if v.IsNil() {
				return
			}
			cp := reflect.MakeSlice(t, v.Len(), v.Len())
			reflect.Copy(cp, v)
			if elem != nil {
				for i := range cp.Len() {
					elem(cp.Index(i), seen)
				}
			}
			v.Set(cp)
		}
	case reflect.Map:
		key, elem := c.compile(t.Key(), building), c.compile(t.Elem(), building)
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			if v.IsNil() {
				return
			}
			cp := reflect.MakeMapWithSize(t, v.Len())
			iter := v.MapRange()
			for iter.Next() {
				k := reflect.New(t.Key()).Elem()
				k.Set(iter.Key())
				if key != nil {
					key(k, seen)
				}
				e := reflect.New(t.Elem()).Elem()
				e.Set(iter.Value())
				if elem != nil {
					elem(e, seen)
				}
				cp.SetMapIndex(k, e)
			}
			v.Set(cp)
		}
	case reflect.Interface:
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			if v.IsNil() {
				return
			}
			inner := v.Elem()
			fn := c.planFor(inner.Type())
			if fn == nil {
				return
			}
			cp := reflect.New(inner.Type()).Elem()
			cp.Set(inner)
			fn(cp, seen)
			v.Set(cp)
		}
	case reflect.Array:
		elem := c.compile(t.Elem(), building)
		if elem == nil {
			return nil
		}
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			for i := range v.Len() {
				elem(v.Index(i), seen)
			}
		}
	case reflect.Struct:
		if t == timeType {
			return nil
		}
		type field struct {
			index int
			fn    copyFn
		}
		var fields []field
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if fn := c.compile(t.Field(i).Type, building); fn != nil {
				fields = append(fields, field{i, fn})
			}
		}
		if len(fields) == 0 {
			return nil
		}
		return func(v reflect.Value, seen map[uintptr]reflect.Value) {
			for _, f := range fields {
				f.fn(v.Field(f.index), seen)
			}
		}
	}
	return nil
}

// planFor returns the plan of a type found inside an interface, compiling
// and caching it on first use; nil means no fix-up.
func (c *copier) planFor(t reflect.Type) copyFn {
	if fn, ok := c.dynamic.Load(t); ok {
		return fn.(copyFn)
	}
	fn := c.compile(t, make(map[reflect.Type]*copyFn))
	c.dynamic.Store(t, fn)
	return fn
}
