package api_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/api"
)

// spec is the parsed openapi.json.
type spec struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	OperationID string                       `json:"operationId"`
	Responses   map[string]specResponse      `json:"responses"`
	RequestBody *struct{ Content specMedia } `json:"requestBody"`
}

type specResponse struct {
	Content specMedia `json:"content"`
}

type specMedia map[string]struct {
	Schema map[string]any `json:"schema"`
}

var (
	specOnce sync.Once
	theSpec  spec
	specErr  error
)

func loadSpec(t testing.TB) *spec {
	t.Helper()
	specOnce.Do(func() { specErr = json.Unmarshal(api.OpenAPI(), &theSpec) })
	require.NoError(t, specErr)
	return &theSpec
}

// matchPath finds the described path that path fits ("sessions/abc"
// fits "/sessions/{id}").
func (s *spec) matchPath(path string) (string, bool) {
	path = "/" + strings.SplitN(path, "?", 2)[0]
	if _, ok := s.Paths[path]; ok {
		return path, true
	}
	segs := strings.Split(path, "/")
	for p := range s.Paths {
		ps := strings.Split(p, "/")
		if len(ps) != len(segs) {
			continue
		}
		ok := true
		for i := range ps {
			if !(strings.HasPrefix(ps[i], "{") && strings.HasSuffix(ps[i], "}")) && ps[i] != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return p, true
		}
	}
	return "", false
}

// checkAgainstSpec fails the test when a reply of the API is not what the
// description says: an operation for its method and path, its status
// among the described ones, a JSON body valid against that status's
// schema. Answers of paths outside the description (the catch-all 404)
// must be errors of the one error shape.
func checkAgainstSpec(t testing.TB, r *reply) {
	t.Helper()
	s := loadSpec(t)
	require.Contains(t, r.header.Get("Content-Type"), "application/json", "%s %s answered %d with %q", r.method, r.path, r.status, r.raw)
	p, ok := s.matchPath(r.path)
	var schema map[string]any
	if ok {
		op, ok := s.Paths[p][strings.ToLower(r.method)]
		if !ok {
			schema = map[string]any{"$ref": "#/components/schemas/Error"}
			require.GreaterOrEqual(t, r.status, 400, "%s %s is not described", r.method, r.path)
		} else {
			resp, ok := op.Responses[strconv.Itoa(r.status)]
			if !ok && r.status == http.StatusInternalServerError {
				resp, ok = specResponse{Content: specMedia{"application/json": {Schema: map[string]any{"$ref": "#/components/schemas/Error"}}}}, true
			}
			require.True(t, ok, "%s %s: status %d is not described (body %.400s)", r.method, r.path, r.status, r.raw)
			schema = resp.Content["application/json"].Schema
		}
	} else {
		require.GreaterOrEqual(t, r.status, 400, "%s %s is not described", r.method, r.path)
		schema = map[string]any{"$ref": "#/components/schemas/Error"}
	}
	// The headers the description promises with these statuses.
	switch r.status {
	case http.StatusTooManyRequests:
		require.NotEmpty(t, r.header.Get("Retry-After"), "%s %s: 429 without Retry-After", r.method, r.path)
	case http.StatusMethodNotAllowed:
		require.NotEmpty(t, r.header.Get("Allow"), "%s %s: 405 without Allow", r.method, r.path)
	}
	var v any
	require.NoError(t, json.Unmarshal(r.raw, &v))
	errs := validate(s, v, schema, "$")
	require.Empty(t, errs, "%s %s %d: body %.400s", r.method, r.path, r.status, r.raw)
}

// validate checks v against the subset of JSON Schema that the
// description uses: $ref, type (one or a list), required, properties,
// additionalProperties (false or a schema), enum and items.
func validate(s *spec, v any, schema map[string]any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		sub, ok := s.Components.Schemas[name].(map[string]any)
		if !ok {
			return []string{at + ": unknown $ref " + ref}
		}
		return validate(s, v, sub, at)
	}
	var errs []string
	if t, ok := schema["type"]; ok {
		var types []string
		switch tt := t.(type) {
		case string:
			types = []string{tt}
		case []any:
			for _, x := range tt {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(want string) bool { return hasType(v, want) }) {
			return []string{fmt.Sprintf("%s: %v is not of type %v", at, v, types)}
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := schema["properties"].(map[string]any)
		for _, req := range asStrings(schema["required"]) {
			if _, ok := obj[req]; !ok {
				errs = append(errs, at+": missing required "+req)
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(s, obj[k], ps, at+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, at+": property "+k+" is not described")
				}
			case map[string]any:
				errs = append(errs, validate(s, obj[k], ap, at+"."+k)...)
			default:
				if props != nil {
					// Described objects list every property they answer.
					errs = append(errs, at+": property "+k+" is not described")
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, validate(s, x, items, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func hasType(v any, want string) bool {
	switch want {
	case "null":
		return v == nil
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	}
	return false
}

func asStrings(v any) []string {
	var out []string
	if a, ok := v.([]any); ok {
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestOpenAPIMatchesRoutes checks the description against the handlers
// both ways: every registered endpoint is described, and every described
// operation is registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := newApp(t, appOptions{})
	sp := loadSpec(t)
	registered := map[string]bool{}
	for _, e := range s.api.Endpoints() {
		key := strings.ToLower(e.Method) + " /" + e.Path
		registered[key] = true
		ops, ok := sp.Paths["/"+e.Path]
		if assert.True(t, ok, "path /%s is registered but not described", e.Path) {
			_, ok := ops[strings.ToLower(e.Method)]
			assert.True(t, ok, "%s /%s is registered but not described", e.Method, e.Path)
		}
	}
	for p, ops := range sp.Paths {
		for m := range ops {
			assert.True(t, registered[m+" "+p], "%s %s is described but not registered", m, p)
		}
	}
}

// TestValidatorRefuses proves that the schema checker can fail.
func TestValidatorRefuses(t *testing.T) {
	sp := loadSpec(t)
	errSchema := map[string]any{"$ref": "#/components/schemas/Error"}
	for name, body := range map[string]string{
		"missing code":  `{"error":{"message":"x"}}`,
		"bad enum":      `{"error":{"code":"nope","message":"x"}}`,
		"wrong type":    `{"error":{"code":"throttled","message":3}}`,
		"extra":         `{"error":{"code":"throttled","message":"x","zzz":1}}`,
		"fields items":  `{"error":{"code":"throttled","message":"x","fields":{"a":[1]}}}`,
		"not an object": `[]`,
	} {
		var v any
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		assert.NotEmpty(t, validate(sp, v, errSchema, "$"), name)
	}
	var ok any
	require.NoError(t, json.Unmarshal([]byte(`{"error":{"code":"throttled","message":"x","fields":{"a":["b"]}}}`), &ok))
	assert.Empty(t, validate(sp, ok, errSchema, "$"))
}

// TestOpenAPIServed checks that the mount serves the description.
func TestOpenAPIServed(t *testing.T) {
	s := newApp(t, appOptions{})
	r := s.client().do(http.MethodGet, "openapi.json", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "3.1.0", r.body["openapi"])
}

// danglingRefs returns the $ref values of doc (walked whole) that do not
// resolve as JSON pointers into doc.
func danglingRefs(doc any) []string {
	var bad []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, ok := resolvePointer(doc, ref); !ok {
					bad = append(bad, ref)
				}
			}
			for _, sub := range x {
				walk(sub)
			}
		case []any:
			for _, sub := range x {
				walk(sub)
			}
		}
	}
	walk(doc)
	sort.Strings(bad)
	return bad
}

// resolvePointer resolves a local reference "#/a/b" (RFC 6901).
func resolvePointer(doc any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// TestOpenAPIWellFormed checks the description on its own: valid JSON,
// every $ref resolving, every operation with a unique operationId and
// its error answers documented in the one error shape (401 everywhere,
// 400, 403, 413 and 415 on every unsafe one, Retry-After on 429), and
// the 405 answer described with its Allow header.
func TestOpenAPIWellFormed(t *testing.T) {
	raw := api.OpenAPI()
	require.True(t, json.Valid(raw))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.Empty(t, danglingRefs(doc))

	ids := map[string]string{}
	paths := doc["paths"].(map[string]any)
	require.NotEmpty(t, paths)
	for p, item := range paths {
		for method, o := range item.(map[string]any) {
			name := method + " " + p
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			if assert.NotEmpty(t, id, "%s has no operationId", name) {
				assert.Empty(t, ids[id], "%s and %s share operationId %s", ids[id], name, id)
				ids[id] = name
			}
			resps := op["responses"].(map[string]any)
			want := []string{"401"}
			if method != "get" {
				want = append(want, "400", "403", "413", "415")
			}
			for _, code := range want {
				assert.Contains(t, resps, code, "%s does not document %s", name, code)
			}
			errs := 0
			for code, rv := range resps {
				n, err := strconv.Atoi(code)
				require.NoError(t, err, "%s: status %q", name, code)
				if n < 400 {
					continue
				}
				errs++
				schema := rv.(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
				assert.Equal(t, "#/components/schemas/Error", schema["$ref"], "%s %s is not the error shape", name, code)
				if n == http.StatusTooManyRequests {
					h, _ := rv.(map[string]any)["headers"].(map[string]any)
					assert.Contains(t, h, "Retry-After", "%s 429 without Retry-After", name)
				}
			}
			assert.NotZero(t, errs, "%s documents no error", name)
		}
	}
	mna, ok := resolvePointer(doc, "#/components/responses/MethodNotAllowed/headers/Allow")
	assert.True(t, ok, "the 405 answer's Allow header is described")
	assert.NotNil(t, mna)
	// Every Code constant of errors.go is in the error shape's enum.
	codes, _ := resolvePointer(doc, "#/components/schemas/Error/properties/error/properties/code/enum")
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	require.NoError(t, err)
	n := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(name.Name, "Code") {
					v, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					assert.Contains(t, codes, v, "%s is not in the Error enum", name.Name)
					n++
				}
			}
		}
	}
	assert.Greater(t, n, 25)
	assert.Contains(t, codes, api.CodeImpersonating)
}

// TestDanglingRefsFound proves that the $ref check can fail.
func TestDanglingRefsFound(t *testing.T) {
	var doc any
	require.NoError(t, json.Unmarshal([]byte(`{"components":{"schemas":{"A":{"type":"object"}}},
		"x":[{"$ref":"#/components/schemas/A"},{"$ref":"#/components/schemas/B"},{"$ref":"other.json#/A"}]}`), &doc))
	assert.Equal(t, []string{"#/components/schemas/B", "other.json#/A"}, danglingRefs(doc))
}
