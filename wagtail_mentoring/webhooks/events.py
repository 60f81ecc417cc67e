"""The events a webhook endpoint can subscribe to."""

from django.utils.translation import gettext_lazy as _

MATCH_PUBLISHED = "match.published"
RELATIONSHIP_STARTED = "relationship.started"
RELATIONSHIP_ENDED = "relationship.ended"
MEETING_HELD = "meeting.held"
GOAL_ACHIEVED = "goal.achieved"
NOMINATION_DECIDED = "nomination.decided"
OUTCOME_RECORDED = "outcome.recorded"

EVENT_CHOICES = [
    (MATCH_PUBLISHED, _("Matches published")),
    (RELATIONSHIP_STARTED, _("Relationship started")),
    (RELATIONSHIP_ENDED, _("Relationship ended")),
    (MEETING_HELD, _("Meeting held")),
    (GOAL_ACHIEVED, _("Goal achieved")),
    (NOMINATION_DECIDED, _("Nomination decided")),
    (OUTCOME_RECORDED, _("Career outcome recorded")),
]
