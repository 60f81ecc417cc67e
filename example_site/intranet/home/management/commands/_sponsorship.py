"""Demo data of the Sponsorship Circle, made through the package's services.

Called by ``seed_demo``; deterministic for a given random generator and safe to
run twice (it does nothing once nominations exist).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    Relationship,
    Role,
)
from wagtail_mentoring.programs.services import approve_enrollments, decline_enrollments
from wagtail_mentoring.sponsorship import outcomes, services
from wagtail_mentoring.sponsorship.models import (
    AdvocacyKind,
    Nomination,
    Opportunity,
    OpportunityKind,
    OpportunityNomination,
    SponsorshipCommitment,
)

ACHIEVEMENTS = [
    ("Led the checkout redesign", "+8% conversion"),
    ("Cut cloud spend", "-30% per month"),
    ("Closed the Globex renewal", "$1.2M ARR"),
    ("Ran the accessibility audit", "120 issues fixed"),
    ("Mentored three new hires", "all passed probation"),
    ("Shipped the data warehouse migration", "2 weeks early"),
    ("Launched the partner program", "14 partners signed"),
    ("Rebuilt the on-call rota", "-40% pages at night"),
]
AUDIENCES = [
    "Leadership team",
    "VP Engineering",
    "Quarterly business review",
    "Calibration committee",
    "CFO",
    "All-hands",
    "Head of Product",
]
OPPORTUNITIES = [
    ("Lead the pricing taskforce", OpportunityKind.STRETCH_ASSIGNMENT, 21),
    ("Present the roadmap at the all-hands", OpportunityKind.PROJECT, 30),
    ("Engineering manager, Payments", OpportunityKind.ROLE, 45),
    ("Own the Q2 customer summit", OpportunityKind.PROJECT, -20),
    ("Interim head of Customer Success, APAC", OpportunityKind.ROLE, -60),
]


def hr_team(password: str, login) -> object:
    """The HR group (all programs, participants' profiles, career outcomes,
    equity, privacy requests) and its member ``hr``."""
    User = get_user_model()
    group, _created = Group.objects.get_or_create(name="HR")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="wagtail_mentoring",
            codename__in=[
                "administer_all_programs",
                "view_equity_reports",
                "view_employeeprofile",
                "add_careeroutcome",
                "change_careeroutcome",
                "view_careeroutcome",
                "export_personal_data",
                "erase_personal_data",
            ],
        ),
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ),
    )
    fields = login("hr")
    key = {User.USERNAME_FIELD: fields.pop(User.USERNAME_FIELD)}
    user, created = User.objects.get_or_create(**key, defaults=fields)
    if created:
        user.password = password
        user.save()
    user.groups.add(group)
    EmployeeProfile.objects.get_or_create(
        user=user,
        defaults={
            "level": 6,
            "department": "People",
            "timezone": "Europe/Berlin",
            "title": "HR Business Partner",
        },
    )
    return user


def _endorser(profiles, user) -> str:
    """Who vouches for ``user``'s results: their manager, by name and title."""
    manager = profiles[user.pk].manager
    if manager is None:
        return ""
    title = profiles[manager.pk].title if manager.pk in profiles else ""
    return ", ".join(part for part in (manager.get_full_name(), title) if part)


def seed_sponsorship(rng, people, program, hr) -> None:
    if Nomination.objects.exists():
        return
    today = timezone.localdate()
    active = [u for u in people if u.is_active]
    profiles = {
        p.user_id: p
        for p in EmployeeProfile.objects.filter(user__in=active).select_related(
            "manager"
        )
    }

    # Sponsors: the program's seniors, topped up so every company size has some.
    Enrollment.objects.filter(program=program, role=Role.SPONSOR).update(
        status=EnrollmentStatus.APPROVED, capacity=3
    )
    sponsor_ids = set(
        Enrollment.objects.filter(program=program, role=Role.SPONSOR).values_list(
            "user_id", flat=True
        )
    )
    wanted = max(4, len(active) // 25)
    seniors = sorted(
        (u for u in active if profiles[u.pk].level and profiles[u.pk].level >= 5),
        key=lambda u: (-profiles[u.pk].level, u.pk),
    )
    for user in seniors:
        if len(sponsor_ids) >= wanted:
            break
        if user.pk not in sponsor_ids:
            Enrollment.objects.create(
                user=user,
                program=program,
                role=Role.SPONSOR,
                capacity=3,
                status=EnrollmentStatus.APPROVED,
                decided_at=timezone.now(),
                motivation="I want to open doors for the next generation.",
            )
            sponsor_ids.add(user.pk)
    sponsors = [u for u in active if u.pk in sponsor_ids]

    # Nominations: managers nominate most, HR some, sponsors a few, some self.
    candidates = [
        u
        for u in active[:-1]  # the last employee stays free for the demo
        if u.pk not in sponsor_ids and 2 <= (profiles[u.pk].level or 0) <= 5
    ]
    nominations = []
    for user in candidates:
        if rng.random() > 0.4:
            continue
        manager = profiles[user.pk].manager
        draw = rng.random()
        if draw < 0.1:
            achievement, metric = rng.choice(ACHIEVEMENTS)
            evidence = services.add_evidence(
                user, achievement=achievement, metric=metric
            )
            nominations.append(
                services.nominate(program, user, user, evidence=[evidence])
            )
        elif manager is not None and manager.is_active and draw < 0.75:
            nominations.append(
                services.nominate(
                    program, user, manager, reason="Consistently exceeds expectations."
                )
            )
        elif draw < 0.85 and sponsors:
            nominations.append(
                services.nominate(
                    program, user, rng.choice(sponsors), reason="Impressed me twice."
                )
            )
        else:
            nominations.append(
                services.nominate(program, user, hr, reason="Talent review pick.")
            )
    for nomination in nominations:
        created = timezone.now() - timedelta(days=rng.randint(20, 330))
        Nomination.objects.filter(pk=nomination.pk).update(created_at=created)
        Enrollment.objects.filter(pk=nomination.enrollment_id).update(
            created_at=created
        )
    decisions = [rng.random() for _ in nominations]
    accepted = [
        n.enrollment for n, d in zip(nominations, decisions, strict=True) if d < 0.75
    ]
    declined = [
        n.enrollment
        for n, d in zip(nominations, decisions, strict=True)
        if 0.75 <= d < 0.85
    ]
    if accepted:
        approve_enrollments(accepted, hr)
    if declined:
        decline_enrollments(declined, hr, "Not this cycle; let's talk about next year.")
    # Decided long ago: no decision emails for the demo's history.
    Enrollment.objects.filter(pk__in=[e.pk for e in accepted + declined]).update(
        decision_emailed_at=timezone.now()
    )

    # Pairing: fill sponsors up to capacity, leaving room and people to pick.
    load = {s.pk: 0 for s in sponsors}
    relationships = []
    for enrollment in accepted[:-2]:  # two accepted sponsees wait for a sponsor
        free = [s for s in sponsors if load[s.pk] < 2]
        if not free:
            break
        sponsor = min(free, key=lambda s: (load[s.pk], s.pk))
        relationships.append(
            (
                sponsor,
                enrollment.user,
                services.pair_sponsor(program, sponsor, enrollment.user, hr),
            )
        )
        load[sponsor.pk] += 1
    for _sponsor, _sponsee, relationship in relationships:
        started = today - timedelta(days=rng.randint(60, 300))
        Relationship.objects.filter(pk=relationship.pk).update(started_on=started)
        relationship.started_on = started

    # Evidence, commitments and advocacy. The last sponsor stays quiet, so the
    # accountability report has someone to flag.
    quiet = sponsors[-1].pk if len(sponsors) > 1 else None
    for sponsor, sponsee, relationship in relationships:
        evidence = [
            services.add_evidence(
                sponsee,
                achievement=achievement,
                metric=metric,
                endorsed_by=_endorser(profiles, sponsee),
                achieved_on=relationship.started_on
                - timedelta(days=rng.randint(0, 90)),
            )
            for achievement, metric in rng.sample(ACHIEVEMENTS, k=rng.randint(1, 3))
        ]
        commitment = services.write_commitment(
            relationship,
            sponsor,
            statement="I will put your work in front of the leadership team and "
            "back you for the next stretch role that fits.",
            advocacy_goals="Two introductions and one stretch nomination per quarter.",
            period_start=relationship.started_on,
            review_date=relationship.started_on + timedelta(days=180),
        )
        if rng.random() < 0.7:
            services.acknowledge_commitment(commitment, sponsee)
        if sponsor.pk == quiet:
            continue
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice(AdvocacyKind.values)
            # Up to yesterday: "today" here is UTC's, and a sponsor in Los Angeles
            # may still be on the day before, when a date of today is the future.
            span = max(1, (today - relationship.started_on).days - 1)
            services.log_advocacy(
                relationship,
                sponsor,
                kind=kind,
                occurred_on=relationship.started_on
                + timedelta(days=rng.randint(0, span)),
                audience=rng.choice(AUDIENCES),
                description="Spoke to their results and readiness.",
                confidential=kind == AdvocacyKind.PROMOTION_RECOMMENDATION
                and rng.random() < 0.5,
                evidence=evidence[:1],
            )
    # Backdate the sponsors' acknowledgements to when they wrote them.
    for commitment in SponsorshipCommitment.objects.filter(
        relationship__program=program
    ):
        commitment.sponsor_acknowledged_at = timezone.make_aware(
            datetime.combine(commitment.period_start, time(9))
        )
        commitment.save(update_fields=["sponsor_acknowledged_at"])

    # Opportunities: three open, two already decided.
    posters = [hr] + sponsors[:2]
    for index, (title, kind, days) in enumerate(OPPORTUNITIES):
        opportunity = services.post_opportunity(
            program,
            posters[index % len(posters)],
            title=title,
            kind=kind,
            deadline=today + timedelta(days=abs(days)),
            eligibility="Sponsees of the Sponsorship Circle",
        )
        for sponsor, sponsee, _relationship in relationships:
            if sponsor.pk == quiet or rng.random() > 0.3:
                continue
            services.nominate_for_opportunity(
                opportunity, sponsee, sponsor, note="Ready for it."
            )
        if days < 0:
            for nomination in OpportunityNomination.objects.filter(
                opportunity=opportunity
            ):
                selected = rng.random() < 0.4
                services.decide_opportunity_nomination(
                    nomination,
                    hr,
                    status="selected" if selected else "not_selected",
                    reason="" if selected else "Another candidate had more depth.",
                )
            Opportunity.objects.filter(pk=opportunity.pk).update(
                deadline=today + timedelta(days=days), status="closed"
            )

    # Career outcomes: promotions over the last year, more often for sponsees.
    sponsee_ids = {sponsee.pk for _s, sponsee, _r in relationships}
    for user in active:
        if user.pk in sponsor_ids or not profiles[user.pk].level:
            continue
        chance = 0.35 if user.pk in sponsee_ids else 0.08
        if rng.random() < chance:
            level = profiles[user.pk].level
            outcomes.record_outcome(
                user,
                hr,
                kind="promotion",
                occurred_on=today - timedelta(days=rng.randint(1, 300)),
                title="Promoted",
                from_level=level,
                to_level=level + 1,
            )
        elif rng.random() < 0.04:
            outcomes.record_outcome(
                user,
                hr,
                kind="lateral_move",
                occurred_on=today - timedelta(days=rng.randint(1, 300)),
            )
