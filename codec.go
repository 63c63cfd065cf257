package auth

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// SessionCodec is a compact scs.Codec for session data, the default codec
// of the session manager that New creates. It encodes the deadline and the
// values in a small binary format, with keys in sorted order so that equal
// data always encodes to the same bytes.
//
// It supports the value types that session data usually holds: string,
// []byte, bool, int, int64, float64 and time.Time. Encode refuses any other
// type with an error (the request then fails with 500); an app that stores
// other types in the session sets scs.GobCodec{} on its own session
// manager instead.
//
// Decode is strict: it refuses a payload with an unknown version or type,
// a truncated or overlong field, keys out of order or repeated, or trailing
// bytes, with an error wrapping ErrSessionCorrupt. Auth.Middleware then
// starts a new, empty session rather than failing the request.
//
// The zero value is ready to use.
type SessionCodec struct{}

const codecVersion = 1

// Value tags of SessionCodec.
const (
	tagString = 's'
	tagBytes  = 'y'
	tagBool   = 'b'
	tagInt    = 'i'
	tagInt64  = 'l'
	tagFloat  = 'f'
	tagTime   = 't'
)

// Encode implements scs.Codec.
func (SessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	var keyBuf [8]string
	keys := keyBuf[:0]
	size := 24
	for k, v := range values {
		keys = append(keys, k)
		size += len(k) + 12
		switch v := v.(type) {
		case string:
			size += len(v)
		case []byte:
			size += len(v)
		}
	}
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	b = binary.AppendVarint(b, deadline.Unix())
	b = binary.AppendUvarint(b, uint64(deadline.Nanosecond()))
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch v := values[k].(type) {
		case string:
			b = append(b, tagString)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case []byte:
			b = append(b, tagBytes)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case bool:
			b = append(b, tagBool)
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case int:
			b = append(b, tagInt)
			b = binary.AppendVarint(b, int64(v))
		case int64:
			b = append(b, tagInt64)
			b = binary.AppendVarint(b, v)
		case float64:
			b = append(b, tagFloat)
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
		case time.Time:
			tb, err := v.MarshalBinary()
			if err != nil {
				return nil, fmt.Errorf("auth: session codec: value of %q: %w", k, err)
			}
			b = append(b, tagTime)
			b = binary.AppendUvarint(b, uint64(len(tb)))
			b = append(b, tb...)
		default:
			return nil, fmt.Errorf("auth: session codec: value of %q has unsupported type %T (use string, []byte, bool, int, int64, float64 or time.Time, or configure scs.GobCodec)", k, v)
		}
	}
	return b, nil
}

// codecReader reads fields of a payload. str is the payload converted to a
// string once, so that every decoded string shares one allocation.
type codecReader struct {
	b   []byte
	str string
	off int
	err bool
}

func (r *codecReader) uvarint() uint64 {
	if r.err {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = true
		return 0
	}
	r.off += n
	return v
}

func (r *codecReader) varint() int64 {
	if r.err {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.err = true
		return 0
	}
	r.off += n
	return v
}

func (r *codecReader) byte() byte {
	if r.err || r.off >= len(r.b) {
		r.err = true
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// span returns the bounds of a length-prefixed field.
func (r *codecReader) span() (int, int) {
	n := r.uvarint()
	if r.err || n > uint64(len(r.b)-r.off) {
		r.err = true
		return 0, 0
	}
	start := r.off
	r.off += int(n)
	return start, r.off
}

func (r *codecReader) string() string {
	start, end := r.span()
	if r.err {
		return ""
	}
	return r.str[start:end]
}

// Decode implements scs.Codec.
func (SessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	corrupt := func(what string) (time.Time, map[string]any, error) {
		return time.Time{}, nil, fmt.Errorf("%w: %s", ErrSessionCorrupt, what)
	}
	if len(b) == 0 || b[0] != codecVersion {
		return corrupt("unknown format version")
	}
	r := &codecReader{b: b, off: 1}
	sec := r.varint()
	nsec := r.uvarint()
	count := r.uvarint()
	if r.err || nsec >= 1e9 {
		return corrupt("bad header")
	}
	// Every entry takes at least three bytes.
	if count > uint64(len(b)-r.off)/3 {
		return corrupt("bad value count")
	}
	r.str = string(b)
	values := make(map[string]any, count)
	prev := ""
	for i := range count {
		k := r.string()
		if r.err {
			return corrupt("truncated key")
		}
		if i > 0 && strings.Compare(k, prev) <= 0 {
			return corrupt("keys out of order or repeated")
		}
		prev = k
		switch tag := r.byte(); tag {
		case tagString:
			values[k] = r.string()
		case tagBytes:
			start, end := r.span()
			if !r.err {
				values[k] = slices.Clone(b[start:end])
			}
		case tagBool:
			switch r.byte() {
			case 0:
				values[k] = false
			case 1:
				values[k] = true
			default:
				r.err = true
			}
		case tagInt:
			v := r.varint()
			if int64(int(v)) != v {
				r.err = true
			}
			values[k] = int(v)
		case tagInt64:
			values[k] = r.varint()
		case tagFloat:
			if len(b)-r.off < 8 {
				r.err = true
				break
			}
			values[k] = math.Float64frombits(binary.BigEndian.Uint64(b[r.off:]))
			r.off += 8
		case tagTime:
			start, end := r.span()
			if r.err {
				break
			}
			var t time.Time
			if err := t.UnmarshalBinary(b[start:end]); err != nil {
				r.err = true
				break
			}
			values[k] = t
		default:
			r.err = true
		}
		if r.err {
			return corrupt(fmt.Sprintf("bad value of key %d", i))
		}
	}
	if r.off != len(b) {
		return corrupt("trailing bytes")
	}
	return time.Unix(sec, int64(nsec)).UTC(), values, nil
}
