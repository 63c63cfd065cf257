"""Drive Django's django.core.signing and session encoding for djauth's
interoperability tests.

Reads {"secret": b64, "ops": [...]} on stdin and prints one JSON list with
one result per op: {"value": ...} or {"error": "<exception class name>"}.
Every key is the base64 of its bytes, so that keys need not be text.
"""
import base64
import json
import sys

from django.conf import settings

req = json.load(sys.stdin)
settings.configure(SECRET_KEY=base64.b64decode(req["secret"]))

import django  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core import signing  # noqa: E402


def key(op):
    return base64.b64decode(op["key"])


def run(op):
    kind = op["op"]
    salt = op.get("salt")
    if kind == "loads":
        return signing.loads(op["s"], key=key(op), salt=salt or "django.core.signing", max_age=op.get("max_age"))
    if kind == "dumps":
        return signing.dumps(op["obj"], key=key(op), salt=salt or "django.core.signing", compress=op.get("compress", False))
    if kind == "sign":
        return signing.Signer(key(op), sep=op.get("sep", ":"), salt=salt, algorithm=op.get("algorithm")).sign(op["value"])
    if kind == "unsign":
        return signing.Signer(key(op), sep=op.get("sep", ":"), salt=salt, algorithm=op.get("algorithm")).unsign(op["s"])
    if kind == "sign_ts":
        return signing.TimestampSigner(key(op), salt=salt).sign(op["value"])
    if kind == "unsign_ts":
        return signing.TimestampSigner(key(op), salt=salt).unsign(op["s"], max_age=op.get("max_age"))
    if kind == "session_encode":
        return SessionStore().encode(op["data"])
    if kind == "session_legacy_encode":
        return SessionStore()._legacy_encode(op["data"])
    if kind == "session_decode":
        return SessionStore().decode(op["s"])
    if kind == "version":
        return django.get_version()
    raise ValueError("unknown op %r" % kind)


out = []
for op in req["ops"]:
    try:
        out.append({"value": run(op)})
    except Exception as e:  # the test compares the class's name
        out.append({"error": type(e).__name__})
print(json.dumps(out))
