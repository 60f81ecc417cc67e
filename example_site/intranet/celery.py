"""The host's Celery app: wagtail_mentoring only ships shared_tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

app = Celery("intranet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def add_mentoring_schedule(sender, **kwargs):
    # Periodic jobs of wagtail_mentoring (request expiry, completing
    # relationships at their end date) for `celery -A intranet beat`.
    from wagtail_mentoring.tasks import beat_schedule

    sender.conf.beat_schedule = {**beat_schedule(), **(sender.conf.beat_schedule or {})}
