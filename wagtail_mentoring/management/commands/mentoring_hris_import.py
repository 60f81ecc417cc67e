"""Run a saved HRIS import from a file (for a nightly cron job or beat)::

manage.py mentoring_hris_import "Workday nightly" /srv/hris/workers.csv
"""

from django.core.management.base import BaseCommand, CommandError

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.hris.models import HrisMapping
from wagtail_mentoring.people.hris.services import run_saved_import


class Command(BaseCommand):
    help = "Import people from an HRIS export with a saved mapping."

    def add_arguments(self, parser):
        parser.add_argument("mapping", help="Name of the saved HRIS mapping.")
        parser.add_argument("path", help="The CSV or XLSX file.")
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Apply the good rows even if some rows have errors.",
        )

    def handle(self, *args, mapping, path, skip_bad_rows, **options):
        try:
            saved = HrisMapping.objects.get(name=mapping)
        except HrisMapping.DoesNotExist:
            raise CommandError(f"No HRIS mapping named {mapping!r}.")
        try:
            record, counts = run_saved_import(saved, path, skip_bad_rows=skip_bad_rows)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}")
        except MentoringError as error:
            summary = getattr(error, "summary", None)
            raise CommandError(" ".join(error.messages) + (summary or ""))
        self.stdout.write(
            "HRIS import {pk}: {created} created, {changed} changed, "
            "{unchanged} unchanged, {deactivated} deactivated, {skipped} skipped, "
            "{errors} rows with errors.".format(pk=record.pk, **counts)
        )
