"""App settings: ``settings.WAGTAIL_MENTORING`` with documented defaults.

Read them as ``from wagtail_mentoring.conf import mentoring_settings`` and
``mentoring_settings.BASE_TEMPLATE``. The object reloads when a test changes the
setting with ``override_settings`` (same pattern as DRF's ``api_settings``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    # Template every front-end page extends; it must define ``{% block content %}``
    # and may define ``{% block title %}``.
    "BASE_TEMPLATE": "base.html",
    # Class(es) added to the element that wraps every front-end page's content,
    # so it sits in the host's layout container ("container", "page-width"...).
    # The default is the package's own centred column.
    "CONTENT_CLASS": "wm-container",
    # Whether front-end pages show Django messages themselves: "auto" shows them
    # only when ``BASE_TEMPLATE`` (with what it extends and includes) does not
    # render ``messages`` itself; True or False decide for every page.
    "SHOW_MESSAGES": "auto",
    # Range of the host's career-level scale (1 = entry level).
    "LEVEL_MIN": 1,
    "LEVEL_MAX": 10,
    # Page size of front-end and admin listings.
    "PAGE_SIZE": 25,
    # Self-identified demographic questions people may answer, with consent.
    # Only ever reported in aggregate; groups smaller than ``MIN_GROUP_SIZE`` are
    # suppressed in every report and export.
    "DEMOGRAPHIC_DIMENSIONS": {
        "gender": ["woman", "man", "non_binary", "self_described"],
        "ethnicity": [
            "asian",
            "black",
            "hispanic_latino",
            "white",
            "multiracial",
            "self_described",
        ],
    },
    "MIN_GROUP_SIZE": 5,
    # Sender of notification emails; ``None`` means ``DEFAULT_FROM_EMAIL``.
    "FROM_EMAIL": None,
    # Sponsorship: departments compared together when matching sponsees with
    # comparable non-sponsored employees ({"Go to market": ["Sales", ...]});
    # a department in no band is its own band.
    "DEPARTMENT_BANDS": {},
    # Sponsor accountability flags sponsors with no advocacy in this many days.
    "SPONSOR_IDLE_DAYS": 30,
    # Limits of journey imports (SCORM / Common Cartridge): anything larger is
    # refused before it is unpacked.
    "JOURNEY_IMPORT_MAX_UPLOAD_BYTES": 50 * 1024 * 1024,
    "JOURNEY_IMPORT_MAX_ENTRIES": 1000,
    "JOURNEY_IMPORT_MAX_FILE_BYTES": 20 * 1024 * 1024,
    "JOURNEY_IMPORT_MAX_TOTAL_BYTES": 100 * 1024 * 1024,
    "JOURNEY_IMPORT_MAX_XML_BYTES": 2 * 1024 * 1024,
    "JOURNEY_IMPORT_MAX_STEPS": 300,
    # Calendar feeds list meetings from this many days ago onwards.
    "CALENDAR_FEED_PAST_DAYS": 90,
    # An open goal without a check-in for this many days needs attention.
    "GOAL_CHECK_IN_DAYS": 30,
    # Self-select: how many mentees see the same mentor among their suggestions
    # per remaining place, before the mentor is rotated out for a while.
    "SUGGESTION_EXPOSURE_PER_PLACE": 3,
    # Matching solver: "auto" uses OR-tools when installed
    # (``pip install "wagtail-mentoring[fast]"``), else scipy; "ortools", "scipy"
    # or "highs" force one. Every solver's answer is certified the same way.
    "MATCHING_SOLVER": "auto",
    # How background tasks run (``wagtail_mentoring.dispatch``): "auto" sends them
    # to Celery when the project has its own Celery app that is not eager, else
    # runs them in this process after commit; "celery" always sends them;
    # "immediate" always runs them in this process.
    "TASKS": "auto",
    # A matching run that no worker has started after this many seconds is marked
    # failed, so that a new run can start.
    "MATCHING_RUN_PICKUP_SECONDS": 180,
    # Retention (docs/privacy.md): days after a relationship ended (completed
    # or ended early) that its messages, meeting notes and reflections are kept;
    # ``None`` keeps them. A daily task deletes what is older.
    "RETAIN_MESSAGES_DAYS": None,
    "RETAIN_MEETING_NOTES_DAYS": None,
    "RETAIN_REFLECTIONS_DAYS": None,
    # Slack and Microsoft Teams (docs/notifications.md): the only hosts a chat
    # connection may post to. An entry is a host name, "*.domain" for its
    # subdomains, or "http://host:port" to allow plain HTTP to that one peer
    # (local tests only); every other URL must be https.
    "CHAT_ALLOWED_HOSTS": [
        "hooks.slack.com",
        "slack.com",
        "*.webhook.office.com",
        "*.logic.azure.com",
        "*.environment.api.powerplatform.com",
    ],
    # Where a Slack bot token posts (its Web API).
    "CHAT_SLACK_API_URL": "https://slack.com/api/",
    # A chat post that takes longer fails (and is retried with backoff).
    "CHAT_TIMEOUT_SECONDS": 5,
    # HRIS import: larger files are refused before anything is read.
    "HRIS_MAX_UPLOAD_BYTES": 64 * 1024 * 1024,
    "HRIS_MAX_ROWS": 200_000,
    # Saved imports the nightly job runs ("hris-imports"): a list of
    # {"mapping": "<saved mapping name>", "path": "/srv/hris/people.csv",
    #  "skip_bad_rows": False}. Paths are set here by IT, never in the admin.
    "HRIS_SCHEDULED_IMPORTS": [],
    # Webhooks: attempts per event, the first retry delay (doubled each time),
    # consecutive failures that disable an endpoint, and the request timeout.
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_RETRY_SECONDS": 60,
    "WEBHOOK_DISABLE_AFTER_FAILURES": 15,
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    # Only for development and tests: allow http:// and private, loopback and
    # link-local addresses as webhook targets.
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
}

# Floors that a host cannot lower: reporting groups smaller than this would let
# a reader re-identify people.
HARD_MIN_GROUP_SIZE = 3


class MentoringSettings:
    def __init__(self, defaults: dict[str, Any] | None = None):
        self.defaults = defaults or DEFAULTS
        self._cached: set[str] = set()

    @property
    def user_settings(self) -> dict[str, Any]:
        if not hasattr(self, "_user_settings"):
            self._user_settings = getattr(settings, "WAGTAIL_MENTORING", {}) or {}
        return self._user_settings

    def __getattr__(self, attr: str) -> Any:
        if attr not in self.defaults:
            raise AttributeError(f"Invalid WAGTAIL_MENTORING setting: {attr!r}")
        value = self.user_settings.get(attr, self.defaults[attr])
        if attr == "MIN_GROUP_SIZE":
            value = max(int(value), HARD_MIN_GROUP_SIZE)
        self._cached.add(attr)
        setattr(self, attr, value)
        return value

    def reload(self) -> None:
        for attr in self._cached:
            delattr(self, attr)
        self._cached.clear()
        if hasattr(self, "_user_settings"):
            delattr(self, "_user_settings")


mentoring_settings = MentoringSettings(DEFAULTS)


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "WAGTAIL_MENTORING":
        mentoring_settings.reload()


setting_changed.connect(_reload)
