"""Demo data of a peer program: members matched with each other.

Deterministic and idempotent: *Peer Coaching Exchange* (kind peer, hybrid:
admins propose pairs and members may also ask each other) gets about eighteen
members from across the company, one matching run pairs them with each other
(most pairs first, then the best total, proved optimal), and the best pair is
approved and published, so the panel has proposals to review and two members
share a relationship space where each sees "your peer partner". One member has
asked another to pair up, so *Find a peer partner* and the answer on My
mentoring have something to show.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wagtail_mentoring.engagement.mentor_requests import (
    mentors_still_needed,
    send_request,
)
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import MatchingRun
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    ProgramKind,
    ProgramPage,
    Role,
)

SLUG = "peer-coaching-exchange"
MEMBERS = 18


def seed_peer(hub, admin) -> ProgramPage:
    """The peer program, its members and a first run (with one published pair)."""
    program = ProgramPage.objects.filter(slug=SLUG).first()
    now = timezone.now()
    if program is None:
        summary = (
            "Colleagues at the same stage coach each other: two peers, six "
            "conversations, no hierarchy."
        )
        program = hub.add_child(
            instance=ProgramPage(
                title="Peer Coaching Exchange",
                slug=SLUG,
                kind=ProgramKind.PEER,
                matching_mode=MatchingMode.HYBRID,
                summary=summary,
                intro=[("paragraph", f"<p>{summary}</p>")],
                enrollment_opens_at=now - timedelta(days=14),
                enrollment_closes_at=now + timedelta(days=60),
                starts_on=(now + timedelta(days=70)).date(),
            )
        )
        program.save_revision().publish()
    if not Enrollment.objects.filter(program=program).exists():
        profiles = (
            EmployeeProfile.objects.filter(
                user__is_active=True, user__is_superuser=False, level__range=(2, 5)
            )
            .exclude(department="")
            .order_by("user_id")
        )
        # every third colleague: a spread of departments and levels
        chosen = list(profiles)[::3][:MEMBERS]
        Enrollment.objects.bulk_create(
            Enrollment(
                user_id=profile.user_id,
                program=program,
                role=Role.MEMBER,
                status=EnrollmentStatus.APPROVED,
                decided_at=now,
                motivation="I'd like a sparring partner outside my team.",
            )
            for profile in chosen
        )
    if not MatchingRun.objects.filter(program=program).exists():
        run = services.start_run(program, admin, enqueue=False)
        run = runs.execute_run(run.pk)
        best = run.proposals.order_by("-score", "pk").first()
        if best is not None:
            services.approve_proposal(program, best, admin)
            services.publish(program, admin)
    if not MentorRequest.objects.filter(program=program).exists():
        free = [
            e
            for e in Enrollment.objects.filter(program=program).order_by("pk")
            if mentors_still_needed(e)
        ]
        if len(free) >= 2:
            send_request(
                free[0], free[1], free[0].user, note="Shall we swap notes monthly?"
            )
    return program
