from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailMentoringConfig(AppConfig):
    name = "wagtail_mentoring"
    label = "wagtail_mentoring"
    verbose_name = _("Mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Django's documented place for imports that need the models loaded.
        from wagtail_mentoring import checks, permissions  # noqa: F401 (registers checks)
        from wagtail_mentoring.analytics import summary as analytics_summary
        from wagtail_mentoring.community import signals as community_signals
        from wagtail_mentoring.engagement import signals as engagement_signals
        from wagtail_mentoring.journeys import signals as journey_signals
        from wagtail_mentoring.people import signals as people_signals
        from wagtail_mentoring.privacy import signals as privacy_signals
        from wagtail_mentoring.programs import signals as program_signals
        from wagtail_mentoring.webhooks import signals as webhook_signals

        # Before wagtail_hooks registers viewsets: Wagtail 8 would otherwise
        # create a fallback policy for each model first.
        permissions.register_policies()
        engagement_signals.connect()
        journey_signals.connect()
        people_signals.connect()
        privacy_signals.connect()
        program_signals.connect()
        community_signals.connect()
        webhook_signals.connect()
        analytics_summary.connect()
