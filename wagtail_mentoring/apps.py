from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailMentoringConfig(AppConfig):
    name = "wagtail_mentoring"
    label = "wagtail_mentoring"
    verbose_name = _("Mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Policies must be registered before wagtail_hooks registers viewsets,
        # otherwise Wagtail 8 creates a fallback policy first.
        from wagtail_mentoring.people.admin import ProfilePolicy
        from wagtail_mentoring.people.models import EmployeeProfile
        from wagtail_mentoring.permissions import ProgramScopedPolicy, register_policy
        from wagtail_mentoring.programs.models import Enrollment

        register_policy(Enrollment, ProgramScopedPolicy(Enrollment))
        # Issue 5: relationships and requests are read-only in the admin; every
        # change is a service (accepting a request has its own view).
        from wagtail_mentoring.engagement.models import MentorRequest
        from wagtail_mentoring.programs.models import Relationship

        for model in (Relationship, MentorRequest):
            policy = ProgramScopedPolicy(model)
            policy.actions = ("view",)
            register_policy(model, policy)
        register_policy(EmployeeProfile, ProfilePolicy(EmployeeProfile))

        from wagtail_mentoring.sponsorship.admin import (
            NominationPolicy,
            OpportunityPolicy,
        )
        from wagtail_mentoring.sponsorship.models import Nomination, Opportunity

        register_policy(Nomination, NominationPolicy(Nomination))
        register_policy(Opportunity, OpportunityPolicy(Opportunity))
        from django.db.models.signals import post_save
        from wagtail.signals import page_published

        from wagtail_mentoring.engagement.models import Meeting
        from wagtail_mentoring.journeys import signals as journey_signals
        from wagtail_mentoring.journeys.models import (
            JourneyModulePage,
            LearningJourneyPage,
        )

        post_save.connect(
            journey_signals.meeting_saved, sender=Meeting, dispatch_uid="wm_journeys"
        )
        for page_model in (LearningJourneyPage, JourneyModulePage):
            page_published.connect(
                journey_signals.journey_published,
                sender=page_model,
                dispatch_uid=f"wm_journeys_{page_model.__name__}",
            )
