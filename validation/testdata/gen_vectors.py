"""Regenerate django_vectors.json with real Django (run from validation/):

    /usr/bin/python3 testdata/gen_vectors.py > testdata/django_vectors.json

It records what Python and Django's password validators answer for a set of
tricky inputs, so that the Go tests can check the port without Python.
"""
import json
import random
import re
import sys
from difflib import SequenceMatcher

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    USE_I18N=False,
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.password_validation import (  # noqa: E402
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError  # noqa: E402

STRINGS = [
    "", " ", "a", "A", "testclient", "TestClient", "test.client@Example.COM",
    "ΣΑΣ", "ΟΔΥΣΣΕΥΣ", "Σ", "aΣ", "aΣb", "aΣ.", "a'Σ", "ΑΣ\u0301", "İstanbul",
    "\u00b2\u00b3", "12345", "\u0661\u0662\u0663", "\u2460\u2461", "\u00bd",
    "\u2167", "12 34", "\x1c12\x1f", "\u00a0x\u00a0", "_under_score_",
    "--lead--trail--", "a\u0301b", "日本語パスワード", "e\u0301clair", "émile.zola",
    "\U0001F600smile", "x_y-z+w", "ǅungla", "ß", "ﬁne",
]

rng = random.Random(1234)
ALPHABET = "aAbBσΣςİi\u0307 ._-@1²①ß'\u0301日"
for _ in range(60):
    STRINGS.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 9))))


def validate(v, pw, user=None):
    try:
        v.validate(pw, user)
    except ValidationError as e:
        return {"code": e.error_list[0].code, "message": e.messages[0]}
    return None


out = {"python": sys.version.split()[0], "django": django.get_version()}
out["lower"] = [[s, s.lower()] for s in STRINGS]
out["strip"] = [[s, s.strip()] for s in STRINGS]
out["split"] = [[s, re.split(r"\W+", s)] for s in STRINGS]
out["isdigit"] = [[s, s.isdigit()] for s in STRINGS]
pairs = [(a, b) for a in STRINGS[:40] for b in STRINGS[:40:3]]
out["quick_ratio"] = [[a, b, SequenceMatcher(a=a, b=b).quick_ratio()] for a, b in pairs]

users = [
    dict(username="testclient", first_name="Test", last_name="Client", email="testclient@example.com"),
    dict(username="jane.doe", first_name="Jane", last_name="Doe", email="JANE.DOE@Example.org"),
    dict(username="ΟΔΥΣΣΕΥΣ", first_name="Élodie", last_name="", email=""),
    dict(username="x", first_name="", last_name="", email="@"),
]
passwords = ["testclient", "example.com", "client", "tneilctset", "Jane.Doe!", "doejane",
             "odysseus", "οδυσσευς", "ΟΔΥΣΣΕΥΣ", "élodie", "ELODIE", "", "x", "xxxxxxxxxxx",
             "a" * 30, "correct horse battery staple", "@", "jane"]
configs = [(None, 0.7), (["first_name"], 0.3), (["first_name"], 1.0), (["email"], 0.5),
           (["username", "nonexistent"], 0.7)]
sim = []
for u in users:
    user = User(**u)
    for attrs, ms in configs:
        v = UserAttributeSimilarityValidator(
            user_attributes=attrs if attrs is not None else UserAttributeSimilarityValidator.DEFAULT_USER_ATTRIBUTES,
            max_similarity=ms,
        )
        for pw in passwords + STRINGS[:20]:
            sim.append({"user": u, "attributes": attrs, "max_similarity": ms,
                        "password": pw, "error": validate(v, pw, user)})
out["similarity"] = sim

# Django's own list (the first 19,640 entries of the embedded list), so that
# the vectors record Django's validator exactly.
common = CommonPasswordValidator(password_list_path="testdata/django-common-passwords.txt.gz")
out["common_count"] = len(common.passwords)
cands = ["password", " PassWord\t", "godzilla", "asdfjkl:", "&#2336:", "a-safe-password",
         "123456", "\x1cqwerty\u00a0", "İ", "correct horse battery staple"]
out["common"] = [[pw, validate(common, pw)] for pw in cands + STRINGS]
out["numeric"] = [[pw, validate(NumericPasswordValidator(), pw)] for pw in STRINGS]
out["min_length"] = [[pw, n, validate(MinimumLengthValidator(min_length=n), pw)]
                     for n in (1, 3, 8) for pw in STRINGS[:30]]
# One entry per line keeps the file small and its diffs readable.
lines = []
for key in sorted(out):
    val = out[key]
    if isinstance(val, list):
        items = ",\n".join(json.dumps(x, ensure_ascii=False, sort_keys=True) for x in val)
        lines.append("%s: [\n%s\n]" % (json.dumps(key), items))
    else:
        lines.append("%s: %s" % (json.dumps(key), json.dumps(val)))
print("{\n" + ",\n".join(lines) + "\n}")
