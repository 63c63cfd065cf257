#!/usr/bin/env python3
"""Verify hashes made by the Go package with real Django (used by
django_interop_test.go). Reads a JSON list of {"algorithm", "encoded",
"password", "wrong"} on stdin, writes a JSON list of
{"ok": bool, "wrong_ok": bool, "must_update": bool, "error": str} on stdout.
scrypt, which Django 3.2 lacks, is checked with hashlib.scrypt exactly as
Django 4.0+'s ScryptPasswordHasher does.
"""
import base64
import hashlib
import hmac
import json
import sys

import django
from django.conf import settings

settings.configure(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
django.setup()
from django.contrib.auth.hashers import check_password, identify_hasher  # noqa: E402


def scrypt_verify(password, encoded):
    algorithm, n, salt, r, p, h = encoded.split("$", 6)
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p), maxmem=0, dklen=64)
    again = "scrypt$%s$%s$%s$%s$%s" % (n, salt, r, p, base64.b64encode(key).decode().strip())
    return hmac.compare_digest(encoded, again)


out = []
for item in json.load(sys.stdin):
    res = {"ok": False, "wrong_ok": False, "error": ""}
    try:
        if item["algorithm"] == "scrypt":
            res["ok"] = scrypt_verify(item["password"], item["encoded"])
            res["wrong_ok"] = scrypt_verify(item["wrong"], item["encoded"])
        else:
            if identify_hasher(item["encoded"]).algorithm != item["algorithm"]:
                raise ValueError("identified as another algorithm")
            res["ok"] = check_password(item["password"], item["encoded"])
            res["wrong_ok"] = check_password(item["wrong"], item["encoded"])
    except Exception as e:  # report, do not crash the whole batch
        res["error"] = repr(e)
    out.append(res)
json.dump(out, sys.stdout)
