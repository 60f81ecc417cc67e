"""Every domain's models, imported so Django finds them in one app."""

from wagtail_mentoring.analytics.models import (  # noqa: F401
    ActivityDay,
    ActivitySummaryState,
    StaleActivityDay,
)
from wagtail_mentoring.api.models import PersonalAccessToken  # noqa: F401
from wagtail_mentoring.community.events.models import (  # noqa: F401
    EventRSVP,
    SpaceEvent,
)
from wagtail_mentoring.community.models import (  # noqa: F401
    CommunitySpacePage,
    Post,
    PostReport,
    Reaction,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.engagement.models import (  # noqa: F401
    CalendarFeed,
    Feedback,
    Goal,
    GoalCheckIn,
    Meeting,
    MentorRequest,
    Message,
)
from wagtail_mentoring.engagement.office_hours.models import (  # noqa: F401
    Booking,
    OfficeHours,
    OfficeHourSlot,
)
from wagtail_mentoring.journeys.models import (  # noqa: F401
    JourneyModulePage,
    JourneyProgress,
    LearningJourneyPage,
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
)
from wagtail_mentoring.matching.models import (  # noqa: F401, E402
    MatchingRun,
    MatchProposal,
    ProgramMatchingSettings,
)
from wagtail_mentoring.notifications.models import (  # noqa: F401
    ChatConnection,
    Delivery,
    NotificationPreferences,
    NotificationWording,
)
from wagtail_mentoring.people.hris.models import (  # noqa: F401
    HrisImport,
    HrisMapping,
)
from wagtail_mentoring.people.models import (  # noqa: F401
    EmployeeProfile,
    Interest,
    SelfIdentification,
    Skill,
)
from wagtail_mentoring.programs.models import (  # noqa: F401
    Cohort,
    Enrollment,
    MentoringHubPage,
    ProgramPage,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.sponsorship.models import (  # noqa: F401
    AdvocacyAction,
    CareerOutcome,
    Nomination,
    Opportunity,
    OpportunityNomination,
    ReadinessEvidence,
    SponsorshipCommitment,
)
from wagtail_mentoring.surveys.models import (  # noqa: F401
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from wagtail_mentoring.tracks.models import DevelopmentTrackPage  # noqa: F401
from wagtail_mentoring.webhooks.models import (  # noqa: F401
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
