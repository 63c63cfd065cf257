"""Ask Django for the reset link of one user.

Reads {"secret", "id", "password", "email", "last_login"} as JSON on stdin
and prints {"uidb64", "token"}: what Django's default_token_generator and
urlsafe_base64_encode make for an unsaved User with those fields, now.
Run with TZ=UTC so that Django's naive now() is UTC, like the Go side.
"""
import json
import sys
from datetime import datetime

import django
from django.conf import settings

req = json.load(sys.stdin)
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    SECRET_KEY=req["secret"],
    USE_TZ=True,
    TIME_ZONE="UTC",
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.tokens import default_token_generator  # noqa: E402
from django.utils.encoding import force_bytes  # noqa: E402
from django.utils.http import urlsafe_base64_encode  # noqa: E402

last_login = req.get("last_login")
user = User(
    id=req["id"],
    password=req["password"],
    email=req["email"],
    last_login=datetime.fromisoformat(last_login) if last_login else None,
)
json.dump({
    "django": django.get_version(),
    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
    "token": default_token_generator.make_token(user),
}, sys.stdout)
