// Package djangotest runs real Django from tests: the interpreter that has
// it installed, and the small project in testdata/django driven against a
// throwaway PostgreSQL database.
//
// # Skipping
//
// Without Django a test that asks for it is skipped with a message saying
// what to install; when CI=true it fails instead, because CI installs
// Debian's python3-django, python3-argon2, python3-bcrypt and
// python3-psycopg2 and must never skip these checks.
//
// # Interpreter
//
// The interpreter is $DJAUTH_PYTHON when set, otherwise /usr/bin/python3
// (Debian's, which the packages above install into), otherwise python3 on
// PATH.
package djangotest
