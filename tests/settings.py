"""Settings for the test suite: the example intranet, made fast and switchable.

Environment:
  DATABASE_URL           PostgreSQL instead of SQLite (CI's services pass)
  WM_TEST_USER_MODEL     "email": a user model with email as USERNAME_FIELD, no
                         username field and a UUID primary key
  CELERY_BROKER_URL      a real broker for the Celery worker tests
"""

import os
from pathlib import Path

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
# The Celery worker tests point a worker process at files they can count.
EMAIL_BACKEND = os.environ.get(
    "WM_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("WM_TEST_EMAIL_FILE_PATH")
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Tasks run in-process in tests; the Celery worker tests switch this off for
# their own duration (tests/services/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True

# A second host's base template (after Wagtail's bakery demo), which shows
# messages itself: tests/test_host_fit.py and the second-host browser test.
TEMPLATES = [
    {
        **TEMPLATES[0],  # noqa: F405
        "DIRS": [
            *TEMPLATES[0]["DIRS"],  # noqa: F405
            Path(__file__).resolve().parent / "second_host" / "templates",
        ],
    }
]
