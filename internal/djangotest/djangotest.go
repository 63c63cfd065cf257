package djangotest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/internal/testenv"
)

// Python returns an interpreter that can import Django and every module
// named in modules, or skips t (fails it when CI=true). Under go test
// -short it skips t: the Django tests start python3 processes and are the
// slow part of the suite.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	testenv.SkipIfShort(t, "Django interop test (starts python3 processes)")
	imports := "import " + strings.Join(append([]string{"django"}, modules...), ", ")
	var last string
	for _, py := range []string{os.Getenv("DJAUTH_PYTHON"), "/usr/bin/python3", "python3"} {
		if py == "" {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, py, "-c", imports).CombinedOutput()
		cancel()
		if err == nil {
			return py
		}
		last = fmt.Sprintf("%s -c %q: %v: %s", py, imports, err, strings.TrimSpace(string(out)))
	}
	testenv.Skip(t, testenv.Django, "this test needs a python3 with Django (apt-get install python3-django python3-argon2 python3-bcrypt python3-psycopg2, or set DJAUTH_PYTHON); "+last)
	return ""
}

// ProjectDir returns the absolute path of the module's testdata/django.
func ProjectDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "django")
}

// Project is the test Django project pointed at one database.
type Project struct {
	// DB is the database that settings.py connects to.
	DB pgtest.Database
	// Env adds variables that settings.py reads, such as
	// DJAUTH_DJANGO_CUSTOM_USER=1 or DJAUTH_DJANGO_AUTO_FIELD=....
	Env []string
}

// Manage runs manage.py with args, fails t if it exits non-zero, and
// returns its combined output.
func (p Project) Manage(t testing.TB, args ...string) string {
	t.Helper()
	py := Python(t, "psycopg2")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"manage.py"}, args...)...)
	cmd.Dir = ProjectDir()
	cmd.Env = append(os.Environ(),
		"DJAUTH_DJANGO_DB_NAME="+p.DB.Name,
		"DJAUTH_DJANGO_DB_HOST="+p.DB.Host,
		"DJAUTH_DJANGO_DB_PORT="+strconv.Itoa(int(p.DB.Port)),
		"DJAUTH_DJANGO_DB_USER="+p.DB.User,
		"DJAUTH_DJANGO_DB_PASSWORD="+p.DB.Password,
		"PYTHONDONTWRITEBYTECODE=1",
	)
	cmd.Env = append(cmd.Env, p.Env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("manage.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Shell runs Python code in Django's shell and decodes the JSON that the
// code prints on its last line into v; a nil v ignores the output.
func (p Project) Shell(t testing.TB, code string, v any) {
	t.Helper()
	out := strings.TrimSpace(p.Manage(t, "shell", "-c", code))
	if v == nil {
		return
	}
	lines := strings.Split(out, "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), v); err != nil {
		t.Fatalf("decode shell output: %v\n%s", err, out)
	}
}
