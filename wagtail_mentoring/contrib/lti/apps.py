from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "wagtail_mentoring.contrib.lti"
    label = "wagtail_mentoring_lti"
    verbose_name = _("Mentoring in an LMS (LTI 1.3)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        from . import checks  # noqa: F401  (registers the system checks)

        if apps.is_installed("lti_tool"):
            from wagtail_mentoring.permissions import register_report_audience
            from wagtail_mentoring.tasks import register_periodic_job

            from . import course, signals, tasks

            signals.connect()
            register_report_audience(course.report_audience)
            register_periodic_job(
                "lti-grade-retries", tasks.retry_course_grades, tasks.RETRY_SCHEDULE
            )
