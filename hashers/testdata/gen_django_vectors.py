#!/usr/bin/env python3
"""Generate hashers/testdata/django_vectors.json with real Django.

Run with Debian's Django 3.2 (python3-django, python3-argon2,
python3-bcrypt):

    /usr/bin/python3 hashers/testdata/gen_django_vectors.py > hashers/testdata/django_vectors.json

Every vector is made by Django's own hasher classes (or, for formats Django
3.2 cannot write itself, by the same libraries Django calls: argon2-cffi for
older argon2 varieties/versions, hashlib.scrypt following Django 4.0+'s
ScryptPasswordHasher), and every expected answer is Django's own verify()
result (scrypt: recomputed with hashlib as Django 4.0+ does).
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
        "django.contrib.auth.hashers.SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
        "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
    ]
)
django.setup()

import argon2  # noqa: E402
from django.contrib.auth import hashers as H  # noqa: E402

PASSWORDS = [
    "lètmein",
    "",
    " ",
    "correct horse battery staple",
    "пароль-密码-🔑",
    "x" * 100,
]
WRONG = ["lètmeinz", "wrong", " "]


def scrypt_encode(password, salt, n, r, p):
    # Django 4.0+ ScryptPasswordHasher.encode, maxmem as Django (0 = OpenSSL default).
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
    return "scrypt$%d$%s$%d$%d$%s" % (n, salt, r, p, base64.b64encode(key).decode().strip())


def scrypt_verify(password, encoded):
    _, n, salt, r, p, _h = encoded.split("$", 6)
    return hmac.compare_digest(encoded, scrypt_encode(password, salt, int(n), int(r), int(p)))


def django_verify(algorithm, password, encoded):
    if algorithm == "scrypt":
        return scrypt_verify(password, encoded)
    return H.get_hasher(algorithm).verify(password, encoded)


vectors = []


def add(algorithm, password, encoded, note):
    assert algorithm == "scrypt" or H.identify_hasher(encoded).algorithm == algorithm, encoded
    checks = [{"password": password, "ok": django_verify(algorithm, password, encoded)}]
    assert checks[0]["ok"], (algorithm, password, encoded)
    for w in WRONG + [password + "x", password[:-1]]:
        if w != password:
            checks.append({"password": w, "ok": django_verify(algorithm, w, encoded)})
    vectors.append({"algorithm": algorithm, "encoded": encoded, "password": password, "checks": checks, "note": note})


def subclass(cls, **attrs):
    return type("Custom" + cls.__name__, (cls,), attrs)()


# PBKDF2 at several iteration counts; Django's own salts and a short one.
for cls in (H.PBKDF2PasswordHasher, H.PBKDF2SHA1PasswordHasher):
    for it in (1, 2, 1000, 20000):
        h = subclass(cls, iterations=it)
        for i, pw in enumerate(PASSWORDS):
            salt = h.salt() if i % 2 == 0 else "seasalt"
            add(h.algorithm, pw, h.encode(pw, salt), "django %s iterations=%d" % (cls.__name__, it))

# Argon2 as Django 3.2+ writes it (argon2id, v=19, 32-byte hash) at several costs.
for t, m, p in ((1, 8, 1), (2, 64, 2), (3, 256, 4), (1, 1024, 8)):
    h = subclass(H.Argon2PasswordHasher, time_cost=t, memory_cost=m, parallelism=p)
    for i, pw in enumerate(PASSWORDS[:4]):
        salt = h.salt() if i % 2 == 0 else "abcdefghijk"
        add("argon2", pw, h.encode(pw, salt), "django Argon2PasswordHasher t=%d m=%d p=%d" % (t, m, p))

# Older argon2 formats Django accepted: argon2i (Django 1.10-3.1 default),
# argon2d, version 16 with and without the v= field, 16- and 64-byte hashes.
T = argon2.low_level.Type
for typ, name in ((T.I, "argon2i"), (T.ID, "argon2id"), (T.D, "argon2d")):
    for version in (16, 19):
        for hash_len in (16, 32, 64):
            for pw in ("secret", "lètmein"):
                raw = argon2.low_level.hash_secret(
                    pw.encode(), b"somesaltsomesalt", time_cost=2, memory_cost=32,
                    parallelism=2, hash_len=hash_len, type=typ, version=version,
                ).decode()
                add("argon2", pw, "argon2" + raw, "argon2-cffi %s v=%d hash_len=%d" % (name, version, hash_len))
                if version == 16:
                    add("argon2", pw, "argon2" + raw.replace("$v=16", ""), "argon2-cffi %s v=16 without v= field" % name)

# bcrypt and bcrypt_sha256 at low costs, $2b$ and $2a$ prefixes.
for cls in (H.BCryptSHA256PasswordHasher, H.BCryptPasswordHasher):
    for rounds in (4, 5):
        h = subclass(cls, rounds=rounds)
        for pw in PASSWORDS + ["y" * 72, "z" * 73 + "tail"]:
            add(h.algorithm, pw, h.encode(pw, h.salt()), "django %s rounds=%d" % (cls.__name__, rounds))
        import bcrypt

        add(h.algorithm, "lètmein", h.encode("lètmein", bcrypt.gensalt(rounds, prefix=b"2a")), "django %s $2a$" % cls.__name__)

# scrypt as Django 4.0+ writes it (computed with hashlib; Django 3.2 has no scrypt hasher).
for n, r, p in ((2, 1, 1), (1024, 8, 1), (2048, 4, 2), (16384, 8, 5)):
    for i, pw in enumerate(PASSWORDS[:3]):
        salt = H.BasePasswordHasher().salt() if i % 2 == 0 else "seasalt"
        add("scrypt", pw, scrypt_encode(pw, salt, n, r, p), "hashlib.scrypt N=%d r=%d p=%d" % (n, r, p))

# Fast and legacy hashers.
for alg in ("md5", "sha1"):
    h = H.get_hasher(alg)
    for i, pw in enumerate(PASSWORDS):
        add(alg, pw, h.encode(pw, h.salt() if i % 2 == 0 else "seasalt"), "django %s" % alg)
for pw in PASSWORDS:
    add("unsalted_sha1", pw, H.get_hasher("unsalted_sha1").encode(pw, ""), "django unsalted_sha1")
    md5hex = H.get_hasher("unsalted_md5").encode(pw, "")
    add("unsalted_md5", pw, md5hex, "django unsalted_md5")
    add("unsalted_md5", pw, "md5$$" + md5hex, "django unsalted_md5 md5$$ form")

json.dump({"generator": "gen_django_vectors.py", "django": django.get_version(),
           "argon2_cffi": argon2.__version__, "vectors": vectors}, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
