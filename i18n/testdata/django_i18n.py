"""Answers i18n's Django interop test: reads a JSON request on stdin and
prints what Django 3.2 computes for it.

{"cases": [{"cookie": ..., "accept": ...}], "headers": [...], "mo": [paths]}
gives {"languages": [...], "parsed": [[[lang, q], ...], ...],
"catalogs": [{key: [forms...]}]}.
"""
import gettext
import json
import sys

from django.conf import settings

settings.configure(
    USE_I18N=True,
    LANGUAGE_CODE="en-us",
    LANGUAGES=[("en", "English"), ("fr", "French"), ("pt-br", "Brazilian Portuguese")],
    MIDDLEWARE=[],
)
import django  # noqa: E402

django.setup()
from django.test import RequestFactory  # noqa: E402
from django.utils.translation import trans_real  # noqa: E402

req = json.load(sys.stdin)
rf = RequestFactory()
languages = []
for case in req["cases"]:
    extra = {}
    if case["accept"]:
        extra["HTTP_ACCEPT_LANGUAGE"] = case["accept"]
    r = rf.get("/", **extra)
    if case["cookie"]:
        r.COOKIES[settings.LANGUAGE_COOKIE_NAME] = case["cookie"]
    languages.append(trans_real.get_language_from_request(r))
parsed = [[list(p) for p in trans_real.parse_accept_lang_header(h)] for h in req["headers"]]
catalogs = []
for path in req["mo"]:
    with open(path, "rb") as f:
        t = gettext.GNUTranslations(f)
    out = {}
    for key, value in t._catalog.items():
        if isinstance(key, tuple):
            msgid, n = key
            out.setdefault(msgid, {})[str(n)] = value
        elif key != "":
            out.setdefault(key, {})["-"] = value
    catalogs.append(out)
json.dump({"languages": languages, "parsed": parsed, "catalogs": catalogs}, sys.stdout)
