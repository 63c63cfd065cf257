"""A custom user model, used when DJAUTH_DJANGO_CUSTOM_USER=1."""
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Django's user plus a phone number (AUTH_USER_MODEL = "accounts.User")."""

    phone = models.CharField(max_length=20, blank=True)
