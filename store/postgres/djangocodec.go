package postgres

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/signing"
)

// DjangoSessionCodec is the scs.Codec of DjangoSessionStore: the values of
// a session as Django's session_data (JSON signed by signing.EncodeSession
// with SecretKey, verified with it or one of Fallbacks), framed with the
// session's deadline, which Django keeps in its own column. The store
// hands the codec expire_date with session_data and keeps only
// session_data of what it is given. DjangoSessionStore.SessionCodec makes
// one; auth.New asks for it.
//
// Values are JSON as Django's JSONSerializer writes them: strings, bools,
// numbers, nil, and maps and slices of those as they came from Django.
// Two Go types Django has no JSON for are kept in objects of one key that
// Django loads and saves untouched: time.Time as {"__djauth_time__":
// RFC 3339 with nanoseconds, UTC} and []byte as {"__djauth_bytes__":
// standard base64}. Integers decode to int, other numbers to float64 (at
// the top level; nested values keep json.Number). Encode refuses other
// types with an error.
//
// Session data that does not verify (another SECRET_KEY, tampering)
// decodes to an empty session, as Django's SessionBase.decode does; a
// frame that is not the store's is an error wrapping auth.ErrSessionCorrupt.
type DjangoSessionCodec struct {
	SecretKey string
	Fallbacks []string
}

// deadlineKey keeps the session's absolute deadline in session_data:
// expire_date holds the expiry of the last save, which with
// auth.SessionConfig.IdleTimeout is earlier, and taken as the deadline it
// would end the session at its first idle expiry. Django keeps the key
// untouched; a session Django made has none, and its deadline is
// expire_date.
const deadlineKey = "_djauth_deadline"

// Tags of the Go values that JSON has no type for.
const (
	timeTag  = "__djauth_time__"
	bytesTag = "__djauth_bytes__"
)

// frameVersion opens every frame: a version byte, then the deadline as
// 8 bytes of big-endian Unix microseconds (PostgreSQL's precision), then
// session_data.
const frameVersion = 'D'

func frameSession(deadline time.Time, data string) []byte {
	b := make([]byte, 0, 9+len(data))
	b = append(b, frameVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(deadline.UnixMicro()))
	return append(b, data...)
}

func unframeSession(b []byte) (time.Time, string, error) {
	if len(b) < 9 || b[0] != frameVersion {
		return time.Time{}, "", fmt.Errorf("%w: not a Django session frame", auth.ErrSessionCorrupt)
	}
	us := int64(binary.BigEndian.Uint64(b[1:9]))
	return time.UnixMicro(us).UTC(), string(b[9:]), nil
}

// Encode implements scs.Codec.
func (c *DjangoSessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	out := make(map[string]any, len(values))
	for k, v := range values {
		jv, err := toDjangoValue(v)
		if err != nil {
			return nil, fmt.Errorf("postgres: Django session codec: value of %q: %w", k, err)
		}
		out[k] = jv
	}
	out[deadlineKey], _ = toDjangoValue(deadline)
	data, err := signing.EncodeSession(c.SecretKey, out)
	if err != nil {
		return nil, fmt.Errorf("postgres: Django session codec: %w", err)
	}
	return frameSession(deadline, data), nil
}

// Decode implements scs.Codec.
func (c *DjangoSessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	deadline, data, err := unframeSession(b)
	if err != nil {
		return time.Time{}, nil, err
	}
	values := c.values(data)
	if d, ok := values[deadlineKey].(time.Time); ok {
		deadline = d
	}
	delete(values, deadlineKey)
	return deadline, values, nil
}

// values decodes session_data, empty when it does not verify.
func (c *DjangoSessionCodec) values(data string) map[string]any {
	raw, err := signing.DecodeSession(c.SecretKey, c.Fallbacks, data)
	if err != nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		out[k] = fromDjangoValue(v)
	}
	return out
}

// userOf returns the user that session_data is indexed under, 0 for
// none (auth.SessionIndexUserID).
func (c *DjangoSessionCodec) userOf(data string) int64 {
	return auth.SessionIndexUserID(c.values(data))
}

func toDjangoValue(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool, int, int64, json.Number:
		return v, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%v has no JSON form", v)
		}
		return v, nil
	case time.Time:
		return map[string]any{timeTag: v.UTC().Format(time.RFC3339Nano)}, nil
	case []byte:
		return map[string]any{bytesTag: base64.StdEncoding.EncodeToString(v)}, nil
	case map[string]any, []any:
		// As decoded from Django; json.Marshal refuses what it cannot write.
		if _, err := json.Marshal(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, fmt.Errorf("unsupported type %T (use string, []byte, bool, int, int64, float64 or time.Time)", v)
}

func fromDjangoValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, strconv.IntSize); err == nil {
			return int(i)
		}
		if f, err := v.Float64(); err == nil {
			return f
		}
		return v
	case map[string]any:
		if len(v) != 1 {
			return v
		}
		if s, ok := v[timeTag].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t
			}
		}
		if s, ok := v[bytesTag].(string); ok {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				return b
			}
		}
	}
	return v
}
