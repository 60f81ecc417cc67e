"""*Find a peer partner*: suggestions for a member of a self-select peer program.

Peer programs are small next to a mentoring program's pool (a cohort, a
community), so the member is scored against every other member with a place
through the same chooser the admins' pair-by-hand screen uses: the score is the
mean of what each gains from the other and a rule broken either way rules the
pair out, exactly as a peer matching run sees it.
"""

from __future__ import annotations

from django.db.models import Count, prefetch_related_objects

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import LIVE_REQUEST_STATUSES, MentorRequest
from wagtail_mentoring.matching.reasons import reasons_text
from wagtail_mentoring.matching.runs import mentor_options
from wagtail_mentoring.matching.suggestions import MentorSearch, Suggestion
from wagtail_mentoring.programs.models import Enrollment


def search_peers(enrollment: Enrollment, limit: int = 10) -> MentorSearch:
    """The best-scoring members ``enrollment`` may ask, best first, or why
    there are none (nobody has a place, or the rules rule everyone out)."""
    options = mentor_options(enrollment.program, enrollment)
    if not options:
        return MentorSearch([])
    load = dict(
        MentorRequest.objects.filter(
            mentor_enrollment__in=[o.enrollment for o in options],
            status__in=LIVE_REQUEST_STATUSES,
        )
        .values_list("mentor_enrollment")
        .annotate(n=Count("pk"))
    )
    per_place = max(1, int(mentoring_settings.SUGGESTION_EXPOSURE_PER_PLACE))
    blocked: dict[str, int] = {}
    suggestions = []
    for option in options:
        if option.rule_breaks:
            for rule in option.rule_breaks:
                blocked[rule] = blocked.get(rule, 0) + 1
            continue
        waiting = load.get(option.enrollment.pk, 0)
        if waiting >= option.remaining * per_place:
            continue  # enough members are waiting on this one already
        suggestions.append(
            Suggestion(
                option.enrollment,
                remaining=option.remaining,
                score=option.score,
                reasons=reasons_text(option.reasons),
                load=waiting,
            )
        )
    suggestions.sort(key=lambda s: (-(s.score or 0.0), s.enrollment.pk))
    shown = suggestions[:limit]
    # The cards show each member's title and department: one query for all,
    # not one per card.
    prefetch_related_objects(
        [s.enrollment.user for s in shown if s.enrollment.user], "mentoring_profile"
    )
    return MentorSearch(
        shown,
        with_room=len(options),
        blocked_by={} if suggestions else blocked,
    )
