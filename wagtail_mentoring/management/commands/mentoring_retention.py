"""``manage.py mentoring_retention``: apply the retention settings once (cron)."""

from django.core.management.base import BaseCommand

from wagtail_mentoring.privacy.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Delete the messages and reflections, and blank the meeting notes, of "
        "relationships that ended longer ago than WAGTAIL_MENTORING's "
        "RETAIN_*_DAYS settings allow. Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        counts = apply_retention()
        self.stdout.write(
            "messages deleted: {messages}, meeting notes blanked: "
            "{meeting_notes}, reflections deleted: {reflections}".format(**counts)
        )
