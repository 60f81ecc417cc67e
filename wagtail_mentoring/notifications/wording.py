"""Wording that program admins write: the subject and body of each kind of
notification, with ``{placeholders}``.

Why not the Django template language: a template can reach any attribute of
any object in its context (``{{ recipient.password }}``), loop, and load tags.
A wording here is a ``str.format`` string whose fields must each be a name from
the kind's whitelist: no attribute access (``{a.b}``), no index (``{a[0]}``),
no conversion or format spec. Every value is computed here as a plain string
before formatting, and the HTML version escapes the whole text (the admin's
words and the values), so neither a person's name nor a wording can put markup
or script into an email.

The kinds, their placeholders and realistic sample values (for the preview)
are listed in :data:`KINDS`; ``notify()`` finds a wording by
:func:`wording_key` and the program in its context.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.html import linebreaks, urlize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_mentoring.people.users import display_name

SUBJECT_MAX = 200
BODY_MAX = 5000


@dataclass(frozen=True)
class Placeholder:
    help: str
    sample: str
    value: Callable[[dict], object]


def _name(key):
    return lambda c: display_name(c.get(key)) if c.get(key) is not None else ""


def _attr(key, attr):
    return lambda c: getattr(c.get(key), attr, "") or ""


def _when(c) -> str:
    meeting = c.get("meeting")
    if meeting is None:
        return ""
    # Rendered inside the recipient's time zone (notifications.services).
    return formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")


def _names(key):
    return lambda c: ", ".join(display_name(u) for u in c.get(key) or ())


def _at_risk_pairs(c) -> str:
    lines = []
    for group in c.get("programs") or ():
        lines.append(f"{group['program'].title}:")
        for item in group["pairs"]:
            reasons = "; ".join(str(r.text) for r in item.reasons)
            lines.append(f"- {getattr(item, 'names', '')}: {reasons}")
        if group.get("more"):
            lines.append(_("… and %(n)d more") % {"n": group["more"]})
    return "\n".join(lines)


#: Every placeholder a wording may use (each kind offers some of them).
PLACEHOLDERS: dict[str, Placeholder] = {
    "recipient_name": Placeholder(
        gettext_lazy("The name of the person the email is for"),
        "Amara Okafor",
        lambda c: c.get("recipient_name", ""),
    ),
    "program_name": Placeholder(
        gettext_lazy("The program's title"),
        "Women in Engineering Mentoring",
        _attr("program", "title"),
    ),
    "link": Placeholder(
        gettext_lazy("The web address the email leads to"),
        "https://intranet.example.com/mentoring/my/",
        lambda c: c.get("link_url", ""),
    ),
    "mentee_name": Placeholder(
        gettext_lazy("The mentee's name"), "Amara Okafor", _name("mentee")
    ),
    "mentor_name": Placeholder(
        gettext_lazy("The mentor's name"), "Jonas Lindqvist", _name("mentor")
    ),
    "partner_names": Placeholder(
        gettext_lazy("The names of the other members of the pair"),
        "Jonas Lindqvist",
        _names("partners"),
    ),
    "partner_name": Placeholder(
        gettext_lazy("The name of the new partner"),
        "Jonas Lindqvist",
        lambda c: c.get("partner_name", ""),
    ),
    "partner_role": Placeholder(
        gettext_lazy("The partner's role (mentor, mentee…)"),
        "mentor",
        lambda c: c.get("partner_role", ""),
    ),
    "author_name": Placeholder(
        gettext_lazy("Who wrote the message"), "Jonas Lindqvist", _name("author")
    ),
    "by_name": Placeholder(
        gettext_lazy("Who made the change"), "Jonas Lindqvist", _name("by")
    ),
    "meeting_title": Placeholder(
        gettext_lazy("The meeting's title"),
        "Career goals for next year",
        _attr("meeting", "title"),
    ),
    "meeting_time": Placeholder(
        gettext_lazy("When the meeting starts, in the recipient's time zone"),
        "May 12, 2026, 2 p.m.",
        _when,
    ),
    "expires_on": Placeholder(
        gettext_lazy("The last day to answer the request"),
        "May 15, 2026",
        lambda c: (
            formats.date_format(timezone.localtime(c["request"].expires_at))
            if c.get("request") is not None and c["request"].expires_at
            else ""
        ),
    ),
    "decision": Placeholder(
        gettext_lazy("The decision on the application (approved or declined)"),
        "Approved",
        lambda c: c["enrollment"].get_status_display() if c.get("enrollment") else "",
    ),
    "quiet_days": Placeholder(
        gettext_lazy("Days since the pair last met"),
        "32",
        lambda c: c.get("quiet_days") or "",
    ),
    "prompts": Placeholder(
        gettext_lazy("Their next conversation prompts, one per line"),
        "- What would you like to be doing in three years?\n"
        "- Which skill would make the biggest difference now?",
        lambda c: "\n".join(f"- {p}" for p in c.get("prompts") or ()),
    ),
    "goal_title": Placeholder(
        gettext_lazy("The goal's title"),
        "Lead a design review",
        _attr("goal", "title"),
    ),
    "days": Placeholder(
        gettext_lazy("How many days it has been"), "15", lambda c: c.get("days", "")
    ),
    "journey_title": Placeholder(
        gettext_lazy("The learning journey's title"),
        "First 90 days as a mentor",
        _attr("journey", "title"),
    ),
    "step_title": Placeholder(
        gettext_lazy("The next step of the journey"),
        "Agree on how you will work together",
        lambda c: c.get("step_title", ""),
    ),
    "missing_fields": Placeholder(
        gettext_lazy("What the profile still lacks"),
        "department, languages",
        lambda c: ", ".join(str(f) for f in c.get("missing") or ()),
    ),
    "since": Placeholder(
        gettext_lazy("The first day of the quarter"),
        "April 1, 2026",
        lambda c: formats.date_format(c["since"]) if c.get("since") else "",
    ),
    "total": Placeholder(
        gettext_lazy("How many pairs are at risk"), "7", lambda c: c.get("total", "")
    ),
    "pairs": Placeholder(
        gettext_lazy("The pairs at risk with their reasons, one per line"),
        "Women in Engineering Mentoring:\n"
        "- Amara Okafor & Jonas Lindqvist: No meeting for 45 days",
        _at_risk_pairs,
    ),
}

COMMON = ("recipient_name", "link")
IN_PROGRAM = (*COMMON, "program_name")


@dataclass(frozen=True)
class WordingKind:
    key: str
    label: str
    placeholders: tuple[str, ...]
    subject: str
    body: str
    #: Sent about one program (so a program may word it its own way); the
    #: others (about several programs or none) have a site-wide wording only.
    per_program: bool = True


def _kind(key, label, extra, subject, body, per_program=True) -> WordingKind:
    base = IN_PROGRAM if per_program else COMMON
    return WordingKind(key, label, (*base, *extra), subject, body, per_program)


_GREETING = "Hello {recipient_name},\n\n"

#: Each kind of notification whose wording admins may change. ``subject`` and
#: ``body`` are where the editor starts (a plain-text version of the built-in
#: email); without a saved wording the built-in email is sent.
KINDS: dict[str, WordingKind] = {
    k.key: k
    for k in [
        _kind(
            "meeting_invite",
            gettext_lazy("Meeting invitation"),
            ("meeting_title", "meeting_time"),
            "Meeting: {meeting_title}",
            _GREETING + "You are invited to “{meeting_title}” on {meeting_time}. "
            "The calendar invitation is attached.\n\n{link}",
        ),
        _kind(
            "meeting_cancelled",
            gettext_lazy("Meeting cancelled"),
            ("meeting_title", "meeting_time"),
            "Cancelled: {meeting_title}",
            _GREETING + "“{meeting_title}” on {meeting_time} is cancelled.\n\n{link}",
        ),
        _kind(
            "meeting_reminder_day",
            gettext_lazy("Meeting tomorrow"),
            ("meeting_title", "meeting_time"),
            "Tomorrow: {meeting_title}",
            _GREETING + "A reminder: “{meeting_title}” is on {meeting_time}.\n\n{link}",
        ),
        _kind(
            "meeting_reminder_hour",
            gettext_lazy("Meeting in an hour"),
            ("meeting_title", "meeting_time"),
            "In an hour: {meeting_title}",
            _GREETING + "“{meeting_title}” starts at {meeting_time}.\n\n{link}",
        ),
        _kind(
            "request_received",
            gettext_lazy("Mentor request received"),
            ("mentee_name", "mentor_name"),
            "{mentee_name} asks you to be their mentor",
            _GREETING + "{mentee_name} would like you as their mentor in "
            "{program_name}. Please answer on your dashboard.\n\n{link}",
        ),
        _kind(
            "request_accepted",
            gettext_lazy("Mentor request accepted"),
            ("mentee_name", "mentor_name"),
            "{mentee_name} and {mentor_name} are now a pair",
            _GREETING + "The request is accepted: {mentee_name} and {mentor_name} "
            "are now a pair in {program_name}.\n\n{link}",
        ),
        _kind(
            "request_declined",
            gettext_lazy("Mentor request declined"),
            ("mentee_name", "mentor_name"),
            "Your request to {mentor_name}",
            _GREETING + "{mentor_name} cannot take your request in {program_name}. "
            "Your other suggestions are waiting for you.\n\n{link}",
        ),
        _kind(
            "request_withdrawn",
            gettext_lazy("Mentor request withdrawn"),
            ("mentee_name", "mentor_name"),
            "{mentee_name} withdrew their request",
            _GREETING + "{mentee_name} withdrew their request in {program_name}; "
            "nothing more to do.\n\n{link}",
        ),
        _kind(
            "request_expired",
            gettext_lazy("Mentor request expired"),
            ("mentee_name", "mentor_name"),
            "Your request to {mentor_name} expired",
            _GREETING + "{mentor_name} did not answer in time. Your other "
            "suggestions are waiting for you.\n\n{link}",
        ),
        _kind(
            "request_unanswered",
            gettext_lazy("Request waiting for an answer"),
            ("mentee_name", "expires_on"),
            "{mentee_name} is waiting for your answer",
            _GREETING + "{mentee_name} asked you to be their mentor in "
            "{program_name}. Please answer by {expires_on}.\n\n{link}",
        ),
        _kind(
            "request_expiring",
            gettext_lazy("Request expiring tomorrow"),
            ("mentee_name", "expires_on"),
            "Last day to answer {mentee_name}",
            _GREETING + "{mentee_name}'s request expires on {expires_on}.\n\n{link}",
        ),
        _kind(
            "message",
            gettext_lazy("New message"),
            ("author_name",),
            "New message from {author_name}",
            _GREETING + "{author_name} wrote to you in {program_name}.\n\n{link}",
        ),
        _kind(
            "decision",
            gettext_lazy("Application decided"),
            ("decision",),
            "Your application to {program_name}: {decision}",
            _GREETING + "Your application to {program_name}: {decision}.\n\n{link}",
        ),
        _kind(
            "match",
            gettext_lazy("Match published"),
            ("partner_name", "partner_role"),
            "Meet your {partner_role}: {partner_name}",
            _GREETING + "In {program_name} your {partner_role} is {partner_name}. "
            "Say hello and plan your first meeting.",
        ),
        _kind(
            "relationship_ended",
            gettext_lazy("Relationship ended early"),
            ("by_name",),
            "Your mentoring relationship in {program_name} ended",
            _GREETING + "{by_name} ended your relationship in {program_name}.\n\n"
            "{link}",
        ),
        _kind(
            "relationship_rematch",
            gettext_lazy("Rematch asked (to program admins)"),
            ("by_name",),
            "{by_name} asks for a different match",
            _GREETING + "{by_name} asks for a different match in {program_name}."
            "\n\n{link}",
        ),
        _kind(
            "relationship_extended",
            gettext_lazy("Relationship extended"),
            ("by_name",),
            "Your relationship in {program_name} goes on",
            _GREETING + "{by_name} extended your relationship in {program_name}."
            "\n\n{link}",
        ),
        _kind(
            "relationship_completed",
            gettext_lazy("Relationship completed"),
            (),
            "Your relationship in {program_name} is complete",
            _GREETING + "Your relationship in {program_name} is complete. Tell us "
            "how it went: it takes two minutes.\n\n{link}",
        ),
        _kind(
            "relationship_left",
            gettext_lazy("Partner left the program"),
            ("by_name",),
            "{by_name} left {program_name}",
            _GREETING + "{by_name} no longer takes part in {program_name}.\n\n{link}",
        ),
        _kind(
            "pair_nudge",
            gettext_lazy("Quiet pair nudge"),
            ("partner_names", "quiet_days", "prompts"),
            "Time to meet {partner_names}?",
            _GREETING + "You and {partner_names} have not met for {quiet_days} days. "
            "Plan your next meeting: {link}\n\nSomething to talk about:\n{prompts}",
        ),
        _kind(
            "feedback_due",
            gettext_lazy("Feedback after a meeting"),
            ("meeting_title",),
            "How was {meeting_title}?",
            _GREETING + "Two minutes of feedback on “{meeting_title}” helps you "
            "both make the next meeting better.\n\n{link}",
        ),
        _kind(
            "goal_check_in",
            gettext_lazy("Goal check-in due"),
            ("goal_title", "days"),
            "How is your goal going? {goal_title}",
            _GREETING + "Your goal “{goal_title}” has had no check-in for {days} "
            "days.\n\n{link}",
        ),
        _kind(
            "journey_step",
            gettext_lazy("Next journey step"),
            ("journey_title", "step_title", "days"),
            "Your next step: {step_title}",
            _GREETING + "Your journey “{journey_title}” has not moved for {days} "
            "days. Your next step is “{step_title}”.\n\n{link}",
        ),
        _kind(
            "no_request",
            gettext_lazy("Mentee who sent no request"),
            (),
            "Find your mentor in {program_name}",
            _GREETING + "You joined {program_name} but have not asked a mentor "
            "yet. Your suggestions are ready.\n\n{link}",
        ),
        _kind(
            "sponsor_advocacy",
            gettext_lazy("Sponsor without advocacy this quarter"),
            ("since",),
            "No advocacy logged this quarter ({program_name})",
            _GREETING + "Nothing has been logged in {program_name} since {since}."
            "\n\n{link}",
        ),
        _kind(
            "profile_incomplete",
            gettext_lazy("Incomplete profile"),
            ("missing_fields",),
            "Complete your mentoring profile",
            _GREETING + "Your profile still lacks: {missing_fields}.\n\n{link}",
            per_program=False,
        ),
        _kind(
            "admin_at_risk",
            gettext_lazy("Weekly at-risk pairs (to program admins)"),
            ("total", "pairs"),
            "{total} pairs at risk",
            _GREETING + "{total} pairs may need a hand:\n\n{pairs}\n\n{link}",
            per_program=False,
        ),
    ]
}


def wording_key(kind: str, context: dict) -> str:
    """The :data:`KINDS` key of a notification ``notify()`` sends as ``kind``."""
    if kind in ("request", "relationship"):
        return f"{kind}_{context.get('event', '')}"
    if kind == "meeting":
        return "meeting_cancelled" if context.get("cancelled") else "meeting_invite"
    return kind


# --- Checking ----------------------------------------------------------------

#: A tag, a comment or a doctype: wordings are plain text.
_MARKUP = re.compile(r"<\s*[!/?a-zA-Z]")


def _check(text: str, allowed: tuple[str, ...]) -> list[str]:
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return [
            _(
                "Unbalanced braces: a placeholder is written {name}; write {{ or }} "
                "for a brace itself."
            )
        ]
    errors = []
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed:
            errors.append(
                _("Unknown placeholder {%(name)s}. Available: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(f"{{{a}}}" for a in allowed)}
            )
        elif spec or conversion:
            errors.append(
                _("Write the placeholder {%(name)s} without “:” or “!”.")
                % {"name": name}
            )
    if _MARKUP.search(text):
        errors.append(
            _(
                "Write plain text, without HTML tags: links and paragraphs are "
                "made for you."
            )
        )
    return errors


def check_wording(key: str, subject: str, body: str) -> None:
    """Raise ``ValidationError`` (by field) unless ``subject`` and ``body`` are
    a wording that renders for every notification of kind ``key``."""
    kind = KINDS.get(key)
    if kind is None:
        raise ValidationError(_("No such kind of notification."))
    errors: dict[str, list[str]] = {}
    subject_errors = _check(subject, kind.placeholders)
    if not subject.strip():
        subject_errors.append(_("Write a subject."))
    if "\n" in subject or "\r" in subject:
        subject_errors.append(_("A subject is one line."))
    if len(subject) > SUBJECT_MAX:
        subject_errors.append(
            _("At most %(n)d characters, please.") % {"n": SUBJECT_MAX}
        )
    body_errors = _check(body, kind.placeholders)
    if not body.strip():
        body_errors.append(_("Write the message."))
    if len(body) > BODY_MAX:
        body_errors.append(_("At most %(n)d characters, please.") % {"n": BODY_MAX})
    if subject_errors:
        errors["subject"] = subject_errors
    if body_errors:
        errors["body"] = body_errors
    if errors:
        raise ValidationError(errors)


# --- Rendering ---------------------------------------------------------------


def values_for(key: str, context: dict) -> dict[str, str]:
    """The kind's placeholder values from a ``notify()`` context (plain text)."""
    return {
        name: str(PLACEHOLDERS[name].value(context)) for name in KINDS[key].placeholders
    }


def sample_values(key: str) -> dict[str, str]:
    return {name: PLACEHOLDERS[name].sample for name in KINDS[key].placeholders}


def render_wording(subject: str, body: str, values: dict[str, str]) -> dict:
    """Subject, text and HTML of a checked wording with ``values``.

    The HTML escapes the whole text, so neither the wording nor a value (a
    name, a title) can add markup; web addresses become links."""
    subject = " ".join(subject.format_map(values).split())
    text = body.format_map(values).strip()
    inner = linebreaks(urlize(text, autoescape=True))
    return {
        "subject": subject,
        "text": text + "\n",
        "inner_html": inner,
        "html": f"<!doctype html>\n<html><body>\n{inner}\n</body></html>",
    }
