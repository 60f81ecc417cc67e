"""Settings for the test suite: the example intranet, made fast and switchable.

Environment:
  DATABASE_URL           PostgreSQL instead of SQLite (CI's services pass)
  WM_TEST_USER_MODEL     "email": a user model with email as USERNAME_FIELD, no
                         username field and a UUID primary key
  CELERY_BROKER_URL      a real broker for the Celery worker tests
"""

import os

from intranet.settings import *  # noqa: F403
from intranet.settings import INSTALLED_APPS

if os.environ.get("WM_TEST_USER_MODEL") == "email":
    INSTALLED_APPS = ["tests.emailuser", *INSTALLED_APPS]
    AUTH_USER_MODEL = "emailuser.EmailUser"

if not os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("WM_TEST_SQLITE", "wm-test.sqlite3"),
            "TEST": {"NAME": os.environ.get("WM_TEST_SQLITE_TEST")},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
