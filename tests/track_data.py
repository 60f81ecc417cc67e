"""A leadership track of three stages, built the way an editor would."""

from __future__ import annotations

from wagtail_mentoring.tracks.models import DevelopmentTrackPage


def make_track(hub, journey, program, sponsorship_program, *, slug="leadership"):
    """Stage 1: the journey (open to all); stage 2: the program, open once the
    journey is finished; stage 3: the sponsorship program, open with an
    approved nomination."""
    track = hub.add_child(
        instance=DevelopmentTrackPage(
            title="Leadership track",
            slug=slug,
            summary="From first-time lead to sponsored leader.",
            stages=[
                (
                    "stage",
                    {
                        "title": "Foundations",
                        "description": "Follow the journey with your mentor.",
                        "page": journey,
                        "entry_rule": "none",
                        "rule_page": None,
                    },
                ),
                (
                    "stage",
                    {
                        "title": "Mentoring",
                        "description": "Six months with a senior mentor.",
                        "page": program,
                        "entry_rule": "finished_journey",
                        "rule_page": journey,
                    },
                ),
                (
                    "stage",
                    {
                        "title": "Sponsorship",
                        "description": "A sponsor advocates for your next role.",
                        "page": sponsorship_program,
                        "entry_rule": "sponsorship_nomination",
                        "rule_page": None,
                    },
                ),
            ],
        )
    )
    track.save_revision().publish()
    return DevelopmentTrackPage.objects.get(pk=track.pk)
