package memory

import (
	"reflect"
	"time"
)

// copier makes deep copies of values of one user type. It is built once per
// Store by newCopier and is read-only afterwards, so it is safe for
// concurrent use.
//
// A copy shares nothing mutable with its source: pointers, slices, maps and
// interfaces reachable through exported fields are copied recursively, and
// pointers that alias each other in the source alias each other in the copy
// (which also makes cyclic values safe). Values of types without such
// fields are copied by plain assignment. Unexported fields of custom types
// cannot be set through reflection and are copied shallowly; time.Time is
// treated as an immutable value.
type copier struct {
	// deep records, for each reachable type, whether copying a value of
	// it needs more than assignment.
	deep map[reflect.Type]bool
}

var timeType = reflect.TypeFor[time.Time]()

func newCopier(t reflect.Type) *copier {
	c := &copier{deep: make(map[reflect.Type]bool)}
	c.analyse(t)
	return c
}

// analyse fills c.deep for t and every type reachable from it.
func (c *copier) analyse(t reflect.Type) bool {
	if d, ok := c.deep[t]; ok {
		return d
	}
	// Assume "deep" while in progress, so that recursive types terminate
	// with the safe answer.
	c.deep[t] = true
	var d bool
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		d = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice:
			c.analyse(t.Elem())
		case reflect.Map:
			c.analyse(t.Key())
			c.analyse(t.Elem())
		}
	case reflect.Array:
		d = c.analyse(t.Elem())
	case reflect.Struct:
		if t == timeType {
			break
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.IsExported() && c.analyse(f.Type) {
				d = true
			}
		}
	}
	c.deep[t] = d
	return d
}

// needsDeep reports whether values of t need more than assignment. Types
// met only through interfaces were not analysed in advance and count as
// deep.
func (c *copier) needsDeep(t reflect.Type) bool {
	d, ok := c.deep[t]
	return d || !ok
}

// fix turns v, which already holds a shallow copy of a value, into a deep
// copy. v must be settable. seen maps source pointers to their copies.
func (c *copier) fix(v reflect.Value, seen map[uintptr]reflect.Value) {
	t := v.Type()
	if !c.needsDeep(t) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
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
		c.fix(cp.Elem(), seen)
		v.Set(cp)
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		cp := reflect.MakeSlice(t, v.Len(), v.Len())
		reflect.Copy(cp, v)
		for i := range cp.Len() {
			c.fix(cp.Index(i), seen)
		}
		v.Set(cp)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		cp := reflect.MakeMapWithSize(t, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			k := reflect.New(t.Key()).Elem()
			k.Set(iter.Key())
			c.fix(k, seen)
			e := reflect.New(t.Elem()).Elem()
			e.Set(iter.Value())
			c.fix(e, seen)
			cp.SetMapIndex(k, e)
		}
		v.Set(cp)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		inner := v.Elem()
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		c.fix(cp, seen)
		v.Set(cp)
	case reflect.Array:
		for i := range v.Len() {
			c.fix(v.Index(i), seen)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				c.fix(v.Field(i), seen)
			}
		}
	}
}
