package postgres

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// field is one mapped column of the user struct.
type field struct {
	column string
	index  []int // reflect field path through value-embedded structs
	isTime bool  // time.Time: returned in UTC
	isPtrT bool  // *time.Time: returned in UTC
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	timePtrType = reflect.TypeFor[*time.Time]()
)

// userColumns are the auth_user columns every user struct must map.
var userColumns = []string{
	"id", "password", "last_login", "is_superuser", "username", "first_name",
	"last_name", "email", "is_staff", "is_active", "date_joined",
}

// mapFields lists the columns of struct type t the way pgx's
// RowToAddrOfStructByName does: an exported field maps to the column named
// by its db tag, or to its lowercased name when it has none; `db:"-"`
// skips it; an anonymous struct field without a tag is flattened. It
// rejects pointer embeds (pgx does not flatten them), two fields with the
// same column and a struct that lacks an auth_user column.
func mapFields(t reflect.Type) ([]field, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("user type %s is not a struct", t)
	}
	var out []field
	seen := map[string]string{}
	var walk func(t reflect.Type, prefix []int, path string) error
	walk = func(t reflect.Type, prefix []int, path string) error {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag, hasTag := sf.Tag.Lookup("db")
			if tag == "-" {
				continue
			}
			idx := append(append([]int(nil), prefix...), i)
			name := path + sf.Name
			if sf.Anonymous && !hasTag {
				switch {
				case sf.Type.Kind() == reflect.Struct:
					if err := walk(sf.Type, idx, name+"."); err != nil {
						return err
					}
					continue
				case sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct:
					return fmt.Errorf("field %s embeds a pointer; embed %s by value", name, sf.Type.Elem())
				}
			}
			if !sf.IsExported() {
				continue
			}
			col, _, _ := strings.Cut(tag, ",")
			if col == "" {
				col = strings.ToLower(sf.Name)
			}
			if prev, dup := seen[col]; dup {
				return fmt.Errorf("fields %s and %s both map to column %q", prev, name, col)
			}
			seen[col] = name
			out = append(out, field{
				column: col, index: idx,
				isTime: sf.Type == timeType, isPtrT: sf.Type == timePtrType,
			})
		}
		return nil
	}
	if err := walk(t, nil, ""); err != nil {
		return nil, fmt.Errorf("user type %s: %w", t, err)
	}
	for _, c := range userColumns {
		if _, ok := seen[c]; !ok {
			return nil, fmt.Errorf("user type %s: no field maps to column %q; embed auth.User by value", t, c)
		}
	}
	return out, nil
}

// addrs returns pointers to the mapped fields of the struct v points to,
// in field order, for Scan.
func addrs(v reflect.Value, fields []field, extra ...any) []any {
	out := make([]any, 0, len(fields)+len(extra))
	for _, f := range fields {
		out = append(out, v.FieldByIndex(f.index).Addr().Interface())
	}
	return append(out, extra...)
}

// toUTC converts the time fields of the struct v points to to UTC; pgx
// returns timestamptz in the local zone.
func toUTC(v reflect.Value, fields []field) {
	for _, f := range fields {
		switch {
		case f.isTime:
			fv := v.FieldByIndex(f.index)
			fv.Set(reflect.ValueOf(fv.Interface().(time.Time).UTC()))
		case f.isPtrT:
			fv := v.FieldByIndex(f.index)
			if p := fv.Interface().(*time.Time); p != nil {
				u := p.UTC()
				fv.Set(reflect.ValueOf(&u))
			}
		}
	}
}
