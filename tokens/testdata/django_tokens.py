"""Ask real Django for password reset tokens.

Reads a JSON request on stdin and writes the answers on stdout:

    {"cases": [{"secret": "...", "id": 1, "password": "...",
                "last_login": "2024-01-02T03:04:05.678901+00:00" or null,
                "email": "...", "now": "2024-01-02T03:04:05.123456",
                "check": ["token", ...]}]}

For every case it answers {"django": "3.2.25", "results": [{"token": ...,
"checks": [true, ...]}]}: the token Django's PasswordResetTokenGenerator
makes for that user at that naive local time with that secret, and whether
Django's check_token accepts each of the given tokens at that time.

With --vectors it makes its own fixed request and writes request and
answers together; that is how testdata/django_tokens.json was made:

    /usr/bin/python3 testdata/django_tokens.py --vectors > testdata/django_tokens.json
"""
import json
import sys
from datetime import datetime

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    SECRET_KEY="placeholder-replaced-per-case",
    PASSWORD_RESET_TIMEOUT=259200,
    USE_TZ=True,
    TIME_ZONE="UTC",
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator  # noqa: E402
from django.utils.http import urlsafe_base64_encode  # noqa: E402


class FixedClock(PasswordResetTokenGenerator):
    def __init__(self, secret, now):
        self.secret = secret
        super().__init__()
        self.fixed_now = now

    def _now(self):
        return self.fixed_now


def answer(case):
    last_login = case.get("last_login")
    user = User(
        id=case["id"],
        password=case["password"],
        email=case["email"],
        last_login=datetime.fromisoformat(last_login) if last_login else None,
    )
    gen = FixedClock(case["secret"], datetime.fromisoformat(case["now"]))
    return {
        "token": gen.make_token(user),
        "checks": [gen.check_token(user, t) for t in case.get("check") or []],
        "uidb64": urlsafe_base64_encode(str(case["id"]).encode()),
    }


def fixed_request():
    secret = "django-insecure-7b$^x0p-kd!7q@3r%w0-_x9!p*8m0v+k2z#e6yq1a&c4u5n"
    pw = "pbkdf2_sha256$260000$seasalt$6ZFvFh9Zb6V7W8oN0u6S0kE7m0iQ3+l9ZzvL0y2cJvE="
    base = dict(secret=secret, id=1, password=pw, last_login=None,
                email="", now="2024-01-02T03:04:05.123456", check=[])
    cases = []

    def add(**kw):
        c = dict(base)
        c.update(kw)
        cases.append(c)

    add()
    add(email="testclient@example.com")
    add(email="jöhn.dœ@exämple.org")
    add(last_login="2024-01-01T23:59:59.999999+00:00")
    add(last_login="2023-06-15T12:00:00+00:00", email="a@b.c", id=42)
    add(id=9223372036854775807, password="!unusablexyz")
    add(password="", id=7)
    add(now="2001-01-01T00:00:00")
    add(now="2069-05-01T12:00:00", id=123456)
    add(secret="another secret", now="2030-12-31T23:59:59.999999")
    add(email="user+tag@example.com", last_login="2020-02-29T00:00:00+00:00",
        password="argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA")
    return {"cases": cases}


def main():
    if sys.argv[1:] == ["--vectors"]:
        req = fixed_request()
        out = {"django": django.get_version(), "cases": req["cases"],
               "results": [answer(c) for c in req["cases"]]}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    req = json.load(sys.stdin)
    out = {"django": django.get_version(), "results": [answer(c) for c in req["cases"]]}
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
