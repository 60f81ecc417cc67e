"""Survey business actions: compose, send when due, remind, answer.

Sending and reminding are periodic jobs that may run any number of times:
an invitation is unique per survey, person and occasion, and every email goes
through ``notify()`` under a deterministic key, so a second run sends nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.engagement.office_hours.models import Booking, BookingStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.permissions import (
    can_answer_survey,
    require,
    require_program_admin,
)
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)
from wagtail_mentoring.surveys.models import (
    Audience,
    Moment,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

#: How long a survey stays open after it was sent.
OPEN_DAYS = 21
#: Reminders to those who have not answered: this many days after sending,
#: then as many days again, at most ``MAX_REMINDERS`` times.
REMIND_AFTER_DAYS = 7
MAX_REMINDERS = 2

SURVEY_FIELDS = ("title", "intro", "moment", "audience", "anonymous", "questions")


# --- Composing -----------------------------------------------------------------


def create_survey(program: ProgramPage, by, **fields) -> Survey:
    """A program admin writes a survey for ``program``."""
    require_program_admin(by, program)
    survey = Survey(program=program, **_only_survey_fields(fields))
    survey.full_clean()
    survey.save()
    return survey


def update_survey(survey: Survey, by, **fields) -> Survey:
    """A program admin changes a survey of their program. Answers given so far
    stay keyed by question id; a question removed keeps its answers."""
    require_program_admin(by, survey.program)
    for name, value in _only_survey_fields(fields).items():
        setattr(survey, name, value)
    survey.full_clean()
    survey.save()
    return survey


def _only_survey_fields(fields: dict) -> dict:
    fields = dict(fields)
    fields.pop("program", None)
    unknown = set(fields) - set(SURVEY_FIELDS) - {"active"}
    if unknown:
        raise TypeError(f"Not survey fields: {sorted(unknown)}")
    return fields


# --- Who is due ----------------------------------------------------------------


def due_on(relationship: Relationship, moment: str) -> date | None:
    """The day ``relationship`` reaches ``moment`` (``None``: never)."""
    start = relationship.started_on
    if start is None:
        return None
    if moment == Moment.START:
        return start
    end = relationship.ends_on
    if relationship.status == RelationshipStatus.COMPLETED and relationship.ended_at:
        end = timezone.localdate(relationship.ended_at)
    if end is None:
        return None
    if moment == Moment.MIDDLE:
        return start + timedelta(days=(end - start).days // 2)
    return end


def _wants(audience: str, role: str) -> bool:
    if audience == Audience.SEEKERS:
        return role not in GIVING_ROLES
    if audience == Audience.GIVERS:
        return role in GIVING_ROLES
    return True


def _due_relationship_invitations(survey: Survey, today: date):
    """``(user, occasion, cohort_id)`` of everyone whose relationship reached
    the survey's moment since the survey was written."""
    statuses = [RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED]
    if survey.moment == Moment.END:
        statuses.append(RelationshipStatus.COMPLETED)
    since = timezone.localdate(survey.created_at)
    relationships = (
        Relationship.objects.filter(
            program_id=survey.program_id,
            status__in=statuses,
            started_on__isnull=False,
            started_on__lte=today,
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=RelationshipMember.objects.select_related(
                    "user", "enrollment"
                ),
            )
        )
        .order_by("pk")
    )
    for relationship in relationships:
        day = due_on(relationship, survey.moment)
        if day is None or not since <= day <= today:
            continue
        for member in relationship.members.all():
            if member.user is None or not _wants(survey.audience, member.role):
                continue
            cohort_id = member.enrollment.cohort_id if member.enrollment else None
            yield member.user, f"relationship:{relationship.pk}", cohort_id


def _due_flash_invitations(survey: Survey, now: datetime):
    bookings = (
        Booking.objects.filter(
            slot__program_id=survey.program_id,
            status=BookingStatus.BOOKED,
            slot__cancelled_at__isnull=True,
            slot__ends_at__lte=now,
            slot__ends_at__gte=survey.created_at,
            user__isnull=False,
        )
        .select_related("user")
        .order_by("pk")
    )
    for booking in bookings:
        yield booking.user, f"booking:{booking.pk}", None


# --- Sending and reminding -----------------------------------------------------


def send_due_surveys(now: datetime | None = None, *, by=None, survey=None) -> int:
    """Invite everyone who reached a live survey's moment and was not invited
    yet. Periodic (``by`` is ``None``) or a program admin's "send now" for one
    survey. Returns how many invitations were made.

    "Send now" follows the periodic job's rules (a survey that is not sending,
    or of an unpublished program, sends nothing), so pressing it never mails
    anyone the job would not; it is refused before anything is written, and
    the invitations it makes are written to the survey's history.
    """
    now = now or timezone.now()
    if by is None:
        return _send(_live_surveys(survey), now)
    require(survey is not None, _("Choose the survey to send."))
    with transaction.atomic():
        # Locked and read afresh: two presses at once run one after the other
        # (the second finds everyone asked), and a survey switched off a
        # moment ago is not sent.
        survey = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=survey.pk)
        )
        require_program_admin(by, survey.program)
        require(
            survey.active,
            _("“%(title)s” is not sending: tick “Sending” in its settings first.")
            % {"title": survey.title},
            code="not_sending",
        )
        require(
            survey.program.live,
            _("%(program)s is not published: its surveys are not sent.")
            % {"program": survey.program.title},
            code="not_sending",
        )
        made = _send([survey], now)
        if made:
            audit.record(survey, "wagtail_mentoring.survey.send_now", by, invited=made)
    return made


def _live_surveys(survey):
    if survey is not None:
        return [survey] if survey.active and survey.program.live else []
    return Survey.objects.filter(active=True, program__live=True).select_related(
        "program"
    )


def _send(surveys, now: datetime) -> int:
    made = 0
    for current in surveys:
        if current.moment == Moment.AFTER_FLASH:
            due = _due_flash_invitations(current, now)
        else:
            due = _due_relationship_invitations(current, timezone.localdate(now))
        asked = set(
            SurveyInvitation.objects.filter(survey=current).values_list(
                "user_id", "occasion"
            )
        )
        for user, occasion, cohort_id in due:
            if (user.pk, occasion) in asked or not user.is_active:
                continue
            asked.add((user.pk, occasion))
            invitation = _invite(current, user, occasion, cohort_id, now)
            if invitation is not None:
                made += 1
                _email(invitation, "invite")
    return made


def _invite(survey, user, occasion, cohort_id, now) -> SurveyInvitation | None:
    try:
        with transaction.atomic():
            return SurveyInvitation.objects.create(
                survey=survey,
                user=user,
                occasion=occasion,
                cohort_id=cohort_id,
                sent_at=now,
                closes_at=now + timedelta(days=OPEN_DAYS),
            )
    except IntegrityError:  # another run invited them a moment ago
        return None


def remind_surveys(now: datetime | None = None) -> int:
    """Periodic: remind who has not answered an open survey, every
    ``REMIND_AFTER_DAYS`` days, at most ``MAX_REMINDERS`` times. Returns
    how many reminders went out."""
    now = now or timezone.now()
    waiting = (
        SurveyInvitation.objects.filter(
            completed=False,
            closes_at__gt=now,
            reminders_sent__lt=MAX_REMINDERS,
            survey__active=True,
            user__is_active=True,
        )
        .select_related("survey__program", "user")
        .order_by("pk")
    )
    sent = 0
    for invitation in waiting:
        number = invitation.reminders_sent + 1
        if now < invitation.sent_at + timedelta(days=REMIND_AFTER_DAYS * number):
            continue
        # Counted first: a run that stops halfway never reminds twice.
        claimed = SurveyInvitation.objects.filter(
            pk=invitation.pk, reminders_sent=invitation.reminders_sent
        ).update(reminders_sent=number)
        if claimed:
            sent += bool(_email(invitation, f"reminder-{number}"))
    return sent


def answer_url(invitation: SurveyInvitation) -> str:
    return reverse("wagtail_mentoring:survey_answer", args=[invitation.pk])


def _email(invitation: SurveyInvitation, occurrence: str):
    survey = invitation.survey
    link = answer_url(invitation)
    with timezone.override(user_timezone(invitation.user)):
        closes = timezone.localdate(invitation.closes_at)
    reminder = occurrence != "invite"
    subject = (
        _("Reminder: %(title)s") if reminder else _("A few questions: %(title)s")
    ) % {"title": survey.title}
    lines = [
        _("%(program)s would like to hear from you: “%(title)s”.")
        % {"program": survey.program.title, "title": survey.title},
        _("It is open until %(day)s.") % {"day": closes.isoformat()},
    ]
    if survey.anonymous:
        lines.append(_("Your answers are anonymous: nobody can see who gave them."))
    return notify(
        invitation.user,
        "survey_reminder" if reminder else "survey_invitation",
        invitation.pk,
        occurrence,
        category=Category.REMINDERS if reminder else Category.ACTIVITY,
        template="nudge",
        context={
            "program": survey.program,
            "subject": subject,
            "lines": lines,
            "action_label": _("Answer the survey"),
            "action_url": link,
        },
        link=link,
    )


# --- Answering -----------------------------------------------------------------


def open_invitations(user):
    """The surveys ``user`` may still answer, soonest closing first."""
    return (
        SurveyInvitation.objects.filter(
            user=user, completed=False, closes_at__gt=timezone.now()
        )
        .select_related("survey__program")
        .order_by("closes_at", "pk")
    )


def answer_survey(invitation: SurveyInvitation, by, answers: dict) -> SurveyResponse:
    """``by`` answers the survey they were asked, once.

    An anonymous survey's response carries no link to ``by`` and nothing that
    could be matched with the invitation (a random id and the day only).
    """
    with transaction.atomic():
        # Locked: two tabs submitting at once make one response.
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .select_related("survey")
            .get(pk=invitation.pk)
        )
        require(
            can_answer_survey(by, invitation),
            _("This survey is closed or was already answered."),
        )
        survey = invitation.survey
        known = {block_id for block_id, _block in survey.question_blocks()}
        unknown = set(answers) - known
        if unknown:
            raise MentoringError(
                _("These answers are to questions the survey has not.")
            )
        with timezone.override(user_timezone(by)):
            today = timezone.localdate()
        response = SurveyResponse.objects.create(
            survey=survey,
            program_id=survey.program_id,
            cohort_id=invitation.cohort_id,
            moment=survey.moment,
            respondent=None if survey.anonymous else by,
            answers=answers,
            submitted_on=today,
        )
        invitation.completed = True
        invitation.save(update_fields=["completed"])
    return response
