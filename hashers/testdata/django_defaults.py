#!/usr/bin/env python3
"""Make and check hashes with the installed Django at its own default
PASSWORD_HASHERS (used by django_version_interop_test.go). Reads
{"make": [{"password", "algorithm"}], "check": [{"password", "encoded"}]}
as JSON on stdin and writes
{"version", "argon2_hash_len", "made": [encoded], "checked":
[{"ok", "rehashed", "must_update"}]} on stdout: rehashed says whether
check_password called its setter (a login would store a new hash),
must_update is the identified hasher's own must_update(encoded).
"""
import json
import sys

import argon2
import django
from django.conf import settings

settings.configure()  # Django's own defaults, PASSWORD_HASHERS included
django.setup()
from django.contrib.auth.hashers import check_password, identify_hasher, make_password  # noqa: E402

req = json.load(sys.stdin)
out = {"version": django.get_version(), "argon2_hash_len": argon2.DEFAULT_HASH_LENGTH, "made": [], "checked": []}
for m in req["make"] or []:
    out["made"].append(make_password(m["password"], hasher=m["algorithm"] or "default"))
for c in req["check"] or []:
    rehashed = []
    ok = check_password(c["password"], c["encoded"], setter=lambda raw: rehashed.append(raw))
    out["checked"].append({"ok": ok, "rehashed": bool(rehashed), "must_update": identify_hasher(c["encoded"]).must_update(c["encoded"])})
json.dump(out, sys.stdout)
