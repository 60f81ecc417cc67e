"""Demo data of notification wording: Engineering Mentoring words its *Meeting
tomorrow* reminder its own way, so *Mentoring → Notification wording* shows a
program with its own wording next to the defaults, and the reminder of the
demo pair that meets tomorrow reads it.

Idempotent: saving the same wording again changes nothing but its date.
"""

from __future__ import annotations

from wagtail_mentoring.programs.wording import save_wording

SUBJECT = "See you tomorrow: {meeting_title}"
BODY = """Hello {recipient_name},

A friendly reminder from {program_name}: “{meeting_title}” is on {meeting_time}.

The meeting, its agenda and your notes: {link}

Your Engineering Mentoring team"""


def seed_wording(program, admin) -> None:
    save_wording(program, "meeting_reminder_day", subject=SUBJECT, body=BODY, by=admin)
