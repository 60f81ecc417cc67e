"""Audit-log actions of the package, written with Wagtail's ``log()``.

Every state change that matters goes through :func:`record`, so the admin
history of an object shows who did what and when.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import get_active_log_context, log

#: action code → (label, message) as registered with ``register_log_actions``.
ACTIONS = {
    "wagtail_mentoring.self_identification.consent": (
        _("Consent to equity reporting"),
        _("Consented to the use of their self-identification in aggregate reports"),
    ),
    "wagtail_mentoring.self_identification.change": (
        _("Change self-identification"),
        _("Changed their self-identification answers"),
    ),
    "wagtail_mentoring.self_identification.withdraw": (
        _("Withdraw consent to equity reporting"),
        _("Withdrew consent; their self-identification answers were deleted"),
    ),
    "wagtail_mentoring.hris.apply": (
        _("Apply HRIS import"),
        _("Applied an HRIS import"),
    ),
    "wagtail_mentoring.scim.create": (
        _("SCIM: create user"),
        _("The identity provider created this account"),
    ),
    "wagtail_mentoring.scim.update": (
        _("SCIM: update user"),
        _("The identity provider updated this account"),
    ),
    "wagtail_mentoring.scim.deactivate": (
        _("SCIM: deactivate user"),
        _("The identity provider deactivated this account"),
    ),
    "wagtail_mentoring.scim.reactivate": (
        _("SCIM: reactivate user"),
        _("The identity provider reactivated this account"),
    ),
    "wagtail_mentoring.scim.delete": (
        _("SCIM: delete user"),
        _("The identity provider deleted this account (kept, deactivated)"),
    ),
    "wagtail_mentoring.scim.group_create": (
        _("SCIM: create group"),
        _("The identity provider created this group"),
    ),
    "wagtail_mentoring.scim.group_update": (
        _("SCIM: update group"),
        _("The identity provider changed this group or its members"),
    ),
    "wagtail_mentoring.scim.group_delete": (
        _("SCIM: delete group"),
        _("The identity provider deleted this group"),
    ),
    "wagtail_mentoring.webhook.create": (
        _("Add webhook endpoint"),
        _("Added a webhook endpoint"),
    ),
    "wagtail_mentoring.webhook.change": (
        _("Change webhook endpoint"),
        _("Changed a webhook endpoint"),
    ),
    "wagtail_mentoring.webhook.disable": (
        _("Disable webhook endpoint"),
        _("Disabled a webhook endpoint after repeated failures"),
    ),
    "wagtail_mentoring.webhook.redeliver": (
        _("Redeliver webhook"),
        _("Sent a webhook event again"),
    ),
    "wagtail_mentoring.chat.create": (
        _("Connect chat"),
        _("Connected a Slack or Teams channel"),
    ),
    "wagtail_mentoring.chat.update": (
        _("Change chat connection"),
        _("Changed a chat connection"),
    ),
    "wagtail_mentoring.chat.delete": (
        _("Remove chat connection"),
        _("Removed a chat connection"),
    ),
    "wagtail_mentoring.chat.test": (
        _("Test chat connection"),
        _("Sent a test message to a chat channel"),
    ),
    "wagtail_mentoring.token.create": (
        _("Create API token"),
        _("Created a personal access token"),
    ),
    "wagtail_mentoring.token.revoke": (
        _("Revoke API token"),
        _("Revoked a personal access token"),
    ),
    "wagtail_mentoring.apply": (_("Apply"), _("Applied to a program")),
    "wagtail_mentoring.enroll": (_("Enrol"), _("Enrolled by a program admin")),
    "wagtail_mentoring.withdraw": (_("Withdraw"), _("Withdrew an application")),
    "wagtail_mentoring.approve": (_("Approve"), _("Approved an application")),
    "wagtail_mentoring.decline": (_("Decline"), _("Declined an application")),
    "wagtail_mentoring.circle_topic": (
        _("Change circle topic"),
        _("Changed the topic a mentor gave their circle"),
    ),
    "wagtail_mentoring.cohort.create": (_("Create cohort"), _("Created a cohort")),
    "wagtail_mentoring.cohort.change": (_("Change cohort"), _("Changed a cohort")),
    "wagtail_mentoring.cohort.move": (
        _("Move to cohort"),
        _("Moved an application to another cohort"),
    ),
    "wagtail_mentoring.relationship.start": (
        _("Start relationship"),
        _("Started a relationship"),
    ),
    "wagtail_mentoring.relationship.status": (
        _("Change relationship status"),
        _("Changed a relationship's status"),
    ),
    "wagtail_mentoring.goal.create": (_("Set goal"), _("Set a goal")),
    "wagtail_mentoring.goal.check_in": (_("Goal check-in"), _("Checked in on a goal")),
    # Space events
    "wagtail_mentoring.event.schedule": (_("Schedule event"), _("Scheduled an event")),
    "wagtail_mentoring.event.edit": (_("Change event"), _("Changed an event")),
    "wagtail_mentoring.event.cancel": (_("Cancel event"), _("Cancelled an event")),
    "wagtail_mentoring.event.rsvp": (_("RSVP"), _("Answered an event invitation")),
    "wagtail_mentoring.event.rsvp_cancel": (
        _("Cancel RSVP"),
        _("Is no longer going to an event"),
    ),
    "wagtail_mentoring.event.promote": (
        _("Off the waiting list"),
        _("Got a place at an event from the waiting list"),
    ),
    # Sponsorship
    "wagtail_mentoring.sponsorship.nominate": (
        _("Nominate"),
        _("Nominated someone for a sponsorship program"),
    ),
    "wagtail_mentoring.sponsorship.pair": (
        _("Pair sponsor"),
        _("Paired a sponsor with a sponsee"),
    ),
    "wagtail_mentoring.sponsorship.commitment.create": (
        _("Write commitment"),
        _("Wrote a sponsorship commitment"),
    ),
    "wagtail_mentoring.sponsorship.commitment.acknowledge": (
        _("Acknowledge commitment"),
        _("Acknowledged a sponsorship commitment"),
    ),
    "wagtail_mentoring.sponsorship.advocacy.log": (
        _("Log advocacy"),
        _("Logged an advocacy action"),
    ),
    "wagtail_mentoring.sponsorship.advocacy.outcome": (
        _("Advocacy outcome"),
        _("Recorded the outcome of an advocacy action"),
    ),
    "wagtail_mentoring.sponsorship.evidence.add": (
        _("Add evidence"),
        _("Added readiness evidence"),
    ),
    "wagtail_mentoring.sponsorship.opportunity.post": (
        _("Post opportunity"),
        _("Posted an opportunity"),
    ),
    "wagtail_mentoring.sponsorship.opportunity.update": (
        _("Update opportunity"),
        _("Updated an opportunity"),
    ),
    "wagtail_mentoring.sponsorship.opportunity.nominate": (
        _("Nominate for opportunity"),
        _("Nominated a sponsee for an opportunity"),
    ),
    "wagtail_mentoring.sponsorship.opportunity.decide": (
        _("Decide opportunity nomination"),
        _("Decided an opportunity nomination"),
    ),
    "wagtail_mentoring.sponsorship.outcome.record": (
        _("Record career outcome"),
        _("Recorded a career outcome"),
    ),
    "wagtail_mentoring.journey.step_complete": (
        _("Complete journey step"),
        _("Completed a learning-journey step"),
    ),
    "wagtail_mentoring.journey.reflection": (
        _("Answer reflection"),
        _("Answered a reflection question"),
    ),
    "wagtail_mentoring.journey.quiz": (_("Take quiz"), _("Took a journey quiz")),
    "wagtail_mentoring.journey.import": (
        _("Import journey"),
        _("Imported a learning journey from a package"),
    ),
    "wagtail_mentoring.survey.send_now": (
        _("Send survey now"),
        _("Invited everyone due for a survey now, not waiting for the daily job"),
    ),
    "wagtail_mentoring.wording.save": (
        _("Change notification wording"),
        _("Changed the wording of a notification"),
    ),
    "wagtail_mentoring.wording.reset": (
        _("Reset notification wording"),
        _("Reset the wording of a notification to the default"),
    ),
    # Employee experience: requests, meetings, messages, feedback.
    "wagtail_mentoring.goal.update": (_("Update goal"), _("Updated a goal")),
    "wagtail_mentoring.request.send": (_("Send request"), _("Asked a mentor")),
    "wagtail_mentoring.request.accept": (_("Accept request"), _("Accepted a request")),
    "wagtail_mentoring.request.decline": (
        _("Decline request"),
        _("Declined a request"),
    ),
    "wagtail_mentoring.request.withdraw": (
        _("Withdraw request"),
        _("Withdrew a request"),
    ),
    "wagtail_mentoring.request.expire": (_("Request expired"), _("A request expired")),
    "wagtail_mentoring.meeting.schedule": (
        _("Schedule meeting"),
        _("Scheduled a meeting"),
    ),
    "wagtail_mentoring.meeting.log": (
        _("Log meeting"),
        _("Logged a meeting the pair had"),
    ),
    "wagtail_mentoring.meeting.reschedule": (
        _("Reschedule meeting"),
        _("Rescheduled a meeting"),
    ),
    "wagtail_mentoring.meeting.cancel": (_("Cancel meeting"), _("Cancelled a meeting")),
    "wagtail_mentoring.meeting.notes": (
        _("Meeting notes"),
        _("Changed a meeting's notes"),
    ),
    "wagtail_mentoring.message.send": (_("Send message"), _("Sent a message")),
    "wagtail_mentoring.feedback.give": (_("Give feedback"), _("Gave feedback")),
    "wagtail_mentoring.relationship.extend": (
        _("Extend relationship"),
        _("Extended a relationship"),
    ),
    "wagtail_mentoring.relationship.rematch": (
        _("Request rematch"),
        _("Asked for a different match"),
    ),
    "wagtail_mentoring.relationship.nudge": (
        _("Nudge pair"),
        _("Reminded the pair to meet"),
    ),
    "wagtail_mentoring.calendar.revoke": (
        _("Revoke calendar feed"),
        _("Revoked a calendar feed URL"),
    ),
    # Flash mentoring: office hours and bookings.
    "wagtail_mentoring.office_hours.publish": (
        _("Publish office hours"),
        _("Published office hours"),
    ),
    "wagtail_mentoring.office_hours.book": (_("Book slot"), _("Booked office hours")),
    "wagtail_mentoring.office_hours.cancel": (
        _("Cancel booking"),
        _("Cancelled an office-hours booking"),
    ),
    "wagtail_mentoring.office_hours.reschedule": (
        _("Reschedule booking"),
        _("Moved an office-hours booking"),
    ),
    "wagtail_mentoring.office_hours.no_show": (
        _("Record no-show"),
        _("Recorded that someone missed their booking"),
    ),
    "wagtail_mentoring.office_hours.feedback": (
        _("Rate conversation"),
        _("Gave feedback on a flash conversation"),
    ),
    "wagtail_mentoring.office_hours.suggest_continuing": (
        _("Suggest continuing"),
        _("Suggested continuing as a one-to-one pair"),
    ),
    # Matching panel
    "wagtail_mentoring.matching.settings": (
        _("Change matching settings"),
        _("Changed a program's matching weights and rules"),
    ),
    "wagtail_mentoring.matching.start": (
        _("Start matching run"),
        _("Started a matching run"),
    ),
    "wagtail_mentoring.matching.run": (
        _("Matching run finished"),
        _("A matching run stored its proposals"),
    ),
    "wagtail_mentoring.matching.run_failed": (
        _("Matching run failed"),
        _("A matching run failed"),
    ),
    "wagtail_mentoring.matching.approve": (
        _("Approve match"),
        _("Approved a proposed match"),
    ),
    "wagtail_mentoring.matching.lock": (_("Lock match"), _("Locked a proposed match")),
    "wagtail_mentoring.matching.reject": (
        _("Reject match"),
        _("Rejected a proposed match"),
    ),
    "wagtail_mentoring.matching.reopen": (
        _("Reopen match"),
        _("Took back the decision on a match"),
    ),
    "wagtail_mentoring.matching.manual_pair": (
        _("Pair by hand"),
        _("Paired a mentee and a mentor by hand"),
    ),
    "wagtail_mentoring.matching.publish": (
        _("Publish match"),
        _("Published a match as a relationship"),
    ),
    # Group mentoring circles
    "wagtail_mentoring.circle.form": (_("Form circle"), _("Formed a circle")),
    "wagtail_mentoring.circle.update": (_("Change circle"), _("Changed a circle")),
    "wagtail_mentoring.circle.joined": (_("Join circle"), _("Joined a circle")),
    "wagtail_mentoring.circle.placed": (
        _("Place in circle"),
        _("Placed someone in a circle"),
    ),
    "wagtail_mentoring.circle.leave": (_("Leave circle"), _("Left a circle")),
    "wagtail_mentoring.circle.move": (
        _("Move between circles"),
        _("Moved someone to another circle"),
    ),
    "wagtail_mentoring.circle.end": (_("End circle"), _("Ended a circle")),
    # Community spaces
    "wagtail_mentoring.space.join": (_("Join space"), _("Joined a community space")),
    "wagtail_mentoring.space.request": (
        _("Ask to join space"),
        _("Asked to join a community space"),
    ),
    "wagtail_mentoring.space.approve": (
        _("Let into space"),
        _("Approved a request to join a space"),
    ),
    "wagtail_mentoring.space.decline": (
        _("Decline space request"),
        _("Declined a request to join a space"),
    ),
    "wagtail_mentoring.space.invite": (
        _("Invite to space"),
        _("Invited someone to a space"),
    ),
    "wagtail_mentoring.space.accept": (
        _("Accept space invitation"),
        _("Accepted an invitation to a space"),
    ),
    "wagtail_mentoring.space.leave": (_("Leave space"), _("Left a community space")),
    "wagtail_mentoring.space.remove": (
        _("Remove from space"),
        _("Removed a member from a space"),
    ),
    "wagtail_mentoring.space.role": (
        _("Change space role"),
        _("Changed a member's role in a space"),
    ),
    "wagtail_mentoring.space.thread": (
        _("Start discussion"),
        _("Started a discussion"),
    ),
    "wagtail_mentoring.space.reply": (_("Reply"), _("Replied in a discussion")),
    "wagtail_mentoring.space.edit": (_("Edit post"), _("Edited a post")),
    "wagtail_mentoring.space.hide": (_("Hide post"), _("Hid a post")),
    "wagtail_mentoring.space.unhide": (
        _("Show post"),
        _("Showed a hidden post again"),
    ),
    "wagtail_mentoring.space.pin": (_("Pin discussion"), _("Pinned a discussion")),
    "wagtail_mentoring.space.unpin": (
        _("Unpin discussion"),
        _("Unpinned a discussion"),
    ),
    "wagtail_mentoring.space.lock": (_("Lock discussion"), _("Locked a discussion")),
    "wagtail_mentoring.space.unlock": (
        _("Unlock discussion"),
        _("Unlocked a discussion"),
    ),
    "wagtail_mentoring.space.answer": (
        _("Mark answer"),
        _("Marked the answer to a question"),
    ),
    "wagtail_mentoring.space.report": (_("Report post"), _("Reported a post")),
    "wagtail_mentoring.space.report_decide": (
        _("Decide report"),
        _("Decided a report about a post"),
    ),
    # Privacy rights
    "wagtail_mentoring.privacy.export": (
        _("Export personal data"),
        _("Exported a person's mentoring data"),
    ),
    "wagtail_mentoring.privacy.erase": (
        _("Erase personal data"),
        _("Erased a person's mentoring data"),
    ),
    "wagtail_mentoring.privacy.retention": (
        _("Retention"),
        _("Deleted what an ended relationship kept past its retention period"),
    ),
}

#: Keys of ``record(**data)`` whose values are someone's own words (a decision
#: note, an end reason, a justification): erasing a person removes them from
#: the entries about that person. Add a key here when a new action stores text.
CONTENT_KEYS = frozenset({"note", "reason", "justification"})


def record(instance, action: str, user=None, *, label: str = "", **data) -> None:
    """Write ``action`` on ``instance`` to the audit log, by ``user``.

    ``label`` replaces the object's title in the log (Wagtail stores
    ``str(instance)`` otherwise).
    """
    assert action in ACTIONS, f"unregistered audit action {action}"
    # Wagtail's history keeps only the latest entry per (uuid, action), and a
    # request shares one uuid: without a per-object uuid, a bulk approval would
    # show in the history of just one of the approved applications.
    context_uuid = get_active_log_context().uuid or uuid.uuid4()
    object_uuid = uuid.uuid5(context_uuid, f"{instance._meta.label}:{instance.pk}")
    log(
        instance,
        action,
        user=user,
        uuid=object_uuid,
        data=data or None,
        title=label or None,
    )


def register_actions(actions) -> None:
    for code, (label, message) in ACTIONS.items():
        actions.register_action(code, label, message)
