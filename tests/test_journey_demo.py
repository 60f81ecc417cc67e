"""The demo company shows journeys with pairs at different stages."""

import pytest
from django.core.management import call_command

from wagtail_mentoring.journeys.models import JourneyProgress, LearningJourneyPage
from wagtail_mentoring.programs.models import ProgramPage


@pytest.mark.django_db
def test_demo_seeds_a_journey_and_pairs_at_different_stages():
    call_command("seed_demo", employees=60, verbosity=0)
    journey = LearningJourneyPage.objects.get(slug="mentoring-foundations")
    program = ProgramPage.objects.get(slug="engineering-mentoring")
    assert journey.live and program.journey_id == journey.pk
    assert len(journey.journey_steps) == 6
    done = sorted(JourneyProgress.objects.values_list("steps_done", flat=True))
    assert len(done) >= 3 and len(set(done)) >= 3
    counts = (LearningJourneyPage.objects.count(), JourneyProgress.objects.count())
    call_command("seed_demo", employees=60, verbosity=0)
    assert (
        LearningJourneyPage.objects.count(),
        JourneyProgress.objects.count(),
    ) == counts
