package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msgRef is a msgid found in the repository, and where.
type msgRef struct {
	context, id, plural string
	where               string
}

// TestCatalogCoversMessages is the extraction check: every message that
// the repository's templates and Go code mark for translation has an
// entry in the embedded French catalog. It reads the whole module, so a
// template or a Go message added later is checked without changing this
// test. Marked for translation are:
//
//   - in every *.html file, and every *.txt file of a templates
//     directory (the mails): the string arguments of the template funcs t,
//     tn and tp called by name ({{t "Password"}}, {{tn "a" "b" .N}},
//     {{tp "ctx" "a"}}, also inside parentheses);
//   - in every non-test .go file: the ID, Plural and Context fields of
//     i18n.Message composite literals (also with the type elided inside a
//     []i18n.Message or map literal), and the arguments of calls to
//     methods named Gettext, Pgettext, Ngettext and Npgettext, each when
//     it is a string literal or a constant of the same package (a
//     variable is not followed: mark the message where it is written).
func TestCatalogCoversMessages(t *testing.T) {
	t.Parallel()
	data, err := fs.ReadFile(embedded, "locale/fr/LC_MESSAGES/django.po")
	require.NoError(t, err)
	fr, err := ParseCatalog(data, nil)
	require.NoError(t, err)
	refs, err := extractMessages(moduleRoot(t))
	require.NoError(t, err)
	require.NotEmpty(t, refs, "the extraction found no message: is it broken?")
	for _, problem := range uncovered(fr, refs) {
		t.Error(problem)
	}
}

// TestExtractMessages runs the extraction on a small module of its own
// (testdata/extract, skipped by the real run because it has its own
// go.mod), so that the check is known to find what it must.
func TestExtractMessages(t *testing.T) {
	t.Parallel()
	refs, err := extractMessages("testdata/extract")
	require.NoError(t, err)
	var got []string
	for _, r := range refs {
		got = append(got, r.context+"|"+r.id+"|"+r.plural)
	}
	assert.ElementsMatch(t, []string{
		"|Password|", "|Welcome, %(name)s.|", "|%(count)d session|%(count)d sessions", "button|Remove|",
		"|Untranslated in a template|", "|Nested (t) call|", "|Password|",
		"|This password is too common.|", "|Constant message.|", "|Joined constant.|",
		"|%(n)d item|%(n)d items", "ctx|In a context|", "|Elided type in a slice|", "|Elided in a map|",
		"|Gettext literal|", "pctx|Pgettext literal|", "|one|many", "npctx|np one|np many",
	}, got)
	fr, err := ParseCatalog([]byte("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"+
		"msgid \"Password\"\nmsgstr \"Mot de passe\"\n"+
		"msgid \"one\"\nmsgstr \"un\"\n"), nil)
	require.NoError(t, err)
	problems := uncovered(fr, refs)
	assert.Len(t, problems, len(refs)-2, "every message but the two Password is missing or, for one/many, has no plural")
	assert.Contains(t, strings.Join(problems, "\n"), "msgid \"one\" is plural")
	assert.Contains(t, strings.Join(problems, "\n"), "page.html:")
}

// uncovered returns a line for every ref that cat does not translate.
func uncovered(cat *Catalog, refs []msgRef) []string {
	var out []string
	for _, ref := range refs {
		strs, ok := cat.msgs[catalogKey(ref.context, ref.id)]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: msgid %q (msgctxt %q) has no French translation in i18n/locale/fr/LC_MESSAGES/django.po", ref.where, ref.id, ref.context))
		case ref.plural != "" && len(strs) < 2:
			out = append(out, fmt.Sprintf("%s: msgid %q is plural (%q) but its French entry has no msgstr[1]", ref.where, ref.id, ref.plural))
		}
	}
	return out
}

// extractMessages returns the messages marked in the module at root:
// its templates and its non-test Go files, leaving out directories whose
// name starts with "." or that are node_modules, vendor or another
// module.
func extractMessages(root string) ([]msgRef, error) {
	var refs []msgRef
	var goFiles []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case strings.HasSuffix(name, ".html"),
			strings.HasSuffix(name, ".txt") && filepath.Base(filepath.Dir(path)) == "templates":
			found, err := templateMessages(path, rel)
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			refs = append(refs, found...)
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			goFiles = append(goFiles, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	goRefs, err := goMessages(goFiles)
	if err != nil {
		return nil, err
	}
	return append(refs, goRefs...), nil
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test")
		dir = parent
	}
}

// templateMessages returns the msgids of the t, tn and tp calls of one
// template file.
func templateMessages(path, rel string) ([]msgRef, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tree := parse.New(rel)
	tree.Mode = parse.SkipFuncCheck | parse.ParseComments
	trees := map[string]*parse.Tree{}
	if _, err := tree.Parse(string(src), "{{", "}}", trees); err != nil {
		return nil, err
	}
	var refs []msgRef
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, cmd := range n.Cmds {
				walk(cmd)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
			if len(n.Args) == 0 {
				return
			}
			id, ok := n.Args[0].(*parse.IdentifierNode)
			if !ok {
				return
			}
			str := func(i int) (string, bool) {
				if i >= len(n.Args) {
					return "", false
				}
				s, ok := n.Args[i].(*parse.StringNode)
				if !ok {
					return "", false
				}
				return s.Text, true
			}
			where := rel + ":" + strconv.Itoa(lineOf(src, int(n.Position())))
			switch id.Ident {
			case "t":
				if s, ok := str(1); ok {
					refs = append(refs, msgRef{id: s, where: where})
				}
			case "tn":
				s, ok1 := str(1)
				p, ok2 := str(2)
				if ok1 && ok2 {
					refs = append(refs, msgRef{id: s, plural: p, where: where})
				}
			case "tp":
				c, ok1 := str(1)
				s, ok2 := str(2)
				if ok1 && ok2 {
					refs = append(refs, msgRef{context: c, id: s, where: where})
				}
			}
		}
	}
	for _, tr := range trees {
		walk(tr.Root)
	}
	return refs, nil
}

func lineOf(src []byte, offset int) int {
	return 1 + strings.Count(string(src[:min(offset, len(src))]), "\n")
}

// goMessages returns the msgids marked in Go files.
func goMessages(paths []string) ([]msgRef, error) {
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{}
	for _, path := range paths {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		dir := filepath.Dir(path)
		pkgs[dir] = append(pkgs[dir], f)
	}
	var refs []msgRef
	for _, files := range pkgs {
		consts := packageConsts(files)
		value := func(e ast.Expr) (string, bool) { return stringValue(e, consts) }
		for _, f := range files {
			inI18n := f.Name.Name == "i18n"
			isMessage := func(e ast.Expr) bool {
				switch e := e.(type) {
				case *ast.SelectorExpr:
					x, ok := e.X.(*ast.Ident)
					return ok && x.Name == "i18n" && e.Sel.Name == "Message"
				case *ast.Ident:
					return inI18n && e.Name == "Message"
				case *ast.StarExpr:
					return false
				}
				return false
			}
			addLit := func(lit *ast.CompositeLit) {
				var ref msgRef
				for _, elt := range lit.Elts {
					kv, ok := elt.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					key, ok := kv.Key.(*ast.Ident)
					if !ok {
						continue
					}
					s, ok := value(kv.Value)
					if !ok {
						continue
					}
					switch key.Name {
					case "ID":
						ref.id = s
					case "Plural":
						ref.plural = s
					case "Context":
						ref.context = s
					}
				}
				if ref.id != "" {
					ref.where = fset.Position(lit.Pos()).String()
					refs = append(refs, ref)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if isMessage(n.Type) {
						addLit(n)
						return true
					}
					var elem ast.Expr
					switch t := n.Type.(type) {
					case *ast.ArrayType:
						elem = t.Elt
					case *ast.MapType:
						elem = t.Value
					}
					if elem != nil && isMessage(elem) {
						for _, e := range n.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok {
								e = kv.Value
							}
							if lit, ok := e.(*ast.CompositeLit); ok && lit.Type == nil {
								addLit(lit)
							}
						}
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					arg := func(i int) (string, bool) {
						if i >= len(n.Args) {
							return "", false
						}
						return value(n.Args[i])
					}
					where := fset.Position(n.Pos()).String()
					var ref msgRef
					var ok1, ok2 bool
					switch sel.Sel.Name {
					case "Gettext":
						ref.id, ok1 = arg(0)
						ok2 = true
					case "Pgettext":
						ref.context, ok1 = arg(0)
						ref.id, ok2 = arg(1)
					case "Ngettext":
						ref.id, ok1 = arg(0)
						ref.plural, ok2 = arg(1)
					case "Npgettext":
						ref.context, _ = arg(0)
						ref.id, ok1 = arg(1)
						ref.plural, ok2 = arg(2)
					default:
						return true
					}
					if ok1 && ok2 && ref.id != "" {
						ref.where = where
						refs = append(refs, ref)
					}
				}
				return true
			})
		}
	}
	return refs, nil
}

// packageConsts maps the names of a package's string constants to their
// expressions.
func packageConsts(files []*ast.File) map[string]ast.Expr {
	consts := map[string]ast.Expr{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						consts[name.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	return consts
}

// stringValue evaluates a string literal, a constant of the package or a
// concatenation of those.
func stringValue(e ast.Expr, consts map[string]ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		v, ok := consts[e.Name]
		if !ok {
			return "", false
		}
		delete(consts, e.Name) // no cycles
		defer func() { consts[e.Name] = v }()
		return stringValue(v, consts)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringValue(e.X, consts)
		b, ok2 := stringValue(e.Y, consts)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return stringValue(e.X, consts)
	}
	return "", false
}
