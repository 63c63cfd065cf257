#!/usr/bin/env python3
"""Time Django's own hashers at Django 6.0's default parameters, for the
comparison in BENCHMARKS.md. Run with Debian's Django 3.2:

    /usr/bin/python3 hashers/testdata/bench_django.py

Django 3.2's classes are used with 6.0's parameters (PBKDF2 iterations set
to 1,200,000; the others already match). scrypt, which Django 3.2 lacks, is
timed through hashlib.scrypt exactly as Django 4.0+ calls it.
"""
import hashlib
import timeit

import django
from django.conf import settings

settings.configure()
django.setup()
from django.contrib.auth import hashers as H  # noqa: E402


class PBKDF2(H.PBKDF2PasswordHasher):
    iterations = 1_200_000


class PBKDF2SHA1(H.PBKDF2SHA1PasswordHasher):
    iterations = 1_200_000


def scrypt(pw, salt):
    return hashlib.scrypt(pw.encode(), salt=salt.encode(), n=2**14, r=8, p=5, maxmem=0, dklen=64)


cases = [
    ("PBKDF2", PBKDF2(), 3),
    ("PBKDF2SHA1", PBKDF2SHA1(), 3),
    ("Argon2", H.Argon2PasswordHasher(), 3),
    ("BCryptSHA256", H.BCryptSHA256PasswordHasher(), 3),
    ("BCrypt", H.BCryptPasswordHasher(), 3),
    ("Scrypt", None, 3),
    ("MD5", H.MD5PasswordHasher(), 10000),
]
for name, h, n in cases:
    if h is None:
        salt = H.BasePasswordHasher().salt()
        t = timeit.timeit(lambda: scrypt("lètmein", salt), number=n)
    else:
        salt = h.salt()
        t = timeit.timeit(lambda: h.encode("lètmein", salt), number=n)
    print("%-14s %14.0f ns/op  (%d runs)" % (name, t / n * 1e9, n))
