"""``manage.py mentoring_run_jobs [--job NAME]``: the periodic jobs, once (cron).

The same jobs Celery beat runs (``wagtail_mentoring.tasks.beat_schedule()``),
for hosts without beat: run it every 5 minutes from cron. Every job may run
any number of times; a second run sends nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from wagtail_mentoring.tasks import PERIODIC_JOBS


class Command(BaseCommand):
    help = "Run wagtail_mentoring's periodic jobs once (all, or --job NAME)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--job",
            action="append",
            choices=sorted(PERIODIC_JOBS),
            help="Run only this job (may be repeated).",
        )

    def handle(self, *args, job=None, **options):
        failed = []
        for name in job or PERIODIC_JOBS:
            task, _schedule = PERIODIC_JOBS[name]
            try:
                result = task()
            except Exception as error:  # one broken job must not stop the others
                failed.append(name)
                self.stderr.write(f"{name}: failed: {error!r}")
                continue
            self.stdout.write(f"{name}: {result}")
        if failed:
            raise CommandError(f"failed jobs: {', '.join(failed)}")
