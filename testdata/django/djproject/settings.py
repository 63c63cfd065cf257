"""Settings of the minimal Django project that djauth's interop tests drive.

Only the contenttypes and auth apps are installed. The database comes from
environment variables so that each test can point Django at its own
throwaway PostgreSQL database:

    DJAUTH_DJANGO_DB_NAME      database name (required)
    DJAUTH_DJANGO_DB_HOST      default 127.0.0.1
    DJAUTH_DJANGO_DB_PORT      default 5432
    DJAUTH_DJANGO_DB_USER      default postgres
    DJAUTH_DJANGO_DB_PASSWORD  default empty
    DJAUTH_DJANGO_AUTO_FIELD   DEFAULT_AUTO_FIELD, default BigAutoField
    DJAUTH_DJANGO_CUSTOM_USER  "1" installs the accounts app and makes
                               accounts.User the AUTH_USER_MODEL
    DJAUTH_DJANGO_OTP          "1" installs django-otp with its TOTP and
                               static (recovery code) plugins
    DJAUTH_DJANGO_SECRET_KEY   SECRET_KEY, for tests where Django and the Go
                               side must sign with one key (reset tokens);
                               unset or empty keeps the fixed test key
    DJAUTH_DJANGO_SESSIONS     "1" installs django.contrib.sessions with the
                               session and auth middleware and the views of
                               djproject/urls.py (login, whoami, logout), for
                               the tests of one login across Django and Go
    DJAUTH_DJANGO_OTP          "1" installs django-otp with its TOTP and
                               static (recovery code) plugins
    DJAUTH_DJANGO_ALLAUTH      "1" installs django-allauth (sites, allauth,
                               account, socialaccount with the GitHub,
                               Google, Microsoft and GitLab providers) with
                               SITE_ID = 1
    DJAUTH_DJANGO_ORGS         "1" installs django-organizations (with
                               django-extensions, whose AutoSlugField is its
                               default ORGS_SLUGFIELD)
"""
import os

SECRET_KEY = os.environ.get("DJAUTH_DJANGO_SECRET_KEY") or "djauth-interop-tests-only-not-a-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
]

if os.environ.get("DJAUTH_DJANGO_CUSTOM_USER") == "1":
    INSTALLED_APPS.append("accounts")
    AUTH_USER_MODEL = "accounts.User"

if os.environ.get("DJAUTH_DJANGO_SESSIONS") == "1":
    INSTALLED_APPS.append("django.contrib.sessions")
    MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    ROOT_URLCONF = "djproject.urls"
    ALLOWED_HOSTS = ["testserver"]
    SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"

if os.environ.get("DJAUTH_DJANGO_OTP") == "1":
    INSTALLED_APPS += [
        "django_otp",
        "django_otp.plugins.otp_totp",
        "django_otp.plugins.otp_static",
    ]

if os.environ.get("DJAUTH_DJANGO_ALLAUTH") == "1":
    INSTALLED_APPS += [
        "django.contrib.sites",
        "allauth",
        "allauth.account",
        "allauth.socialaccount",
        "allauth.socialaccount.providers.github",
        "allauth.socialaccount.providers.google",
        "allauth.socialaccount.providers.microsoft",
        "allauth.socialaccount.providers.gitlab",
    ]
    SITE_ID = 1

if os.environ.get("DJAUTH_DJANGO_ORGS") == "1":
    INSTALLED_APPS += ["django_extensions", "organizations"]

if os.environ.get("DJAUTH_DJANGO_SESSIONS") == "1" and os.environ.get("DJAUTH_DJANGO_OTP") == "1":
    # django-otp's OTPMiddleware reads otp_device_id from the session.
    MIDDLEWARE.append("django_otp.middleware.OTPMiddleware")

# What "django-admin startproject" writes since Django 3.2.
DEFAULT_AUTO_FIELD = os.environ.get("DJAUTH_DJANGO_AUTO_FIELD", "django.db.models.BigAutoField")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["DJAUTH_DJANGO_DB_NAME"],
        "HOST": os.environ.get("DJAUTH_DJANGO_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("DJAUTH_DJANGO_DB_PORT", "5432"),
        "USER": os.environ.get("DJAUTH_DJANGO_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("DJAUTH_DJANGO_DB_PASSWORD", ""),
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
