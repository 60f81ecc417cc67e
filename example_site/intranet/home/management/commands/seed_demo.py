"""Build a realistic, deterministic company for the demo: ``manage.py seed_demo``.

Safe to run twice: everything is looked up by a stable key before it is made.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from intranet.home.demo_api import seed_api
from intranet.home.demo_chat import seed_chat
from intranet.home.demo_circles import run_circle_matching, seed_circles
from intranet.home.demo_cohorts import seed_cohorts
from intranet.home.demo_community import seed_community
from intranet.home.demo_events import seed_events
from intranet.home.demo_flash import seed_flash
from intranet.home.demo_history import seed_history
from intranet.home.demo_integrations import seed_integrations
from intranet.home.demo_journeys import seed_journeys
from intranet.home.demo_lti import seed_lti
from intranet.home.demo_matching import seed_matching
from intranet.home.demo_nudges import seed_nudges
from intranet.home.demo_peer import seed_peer
from intranet.home.demo_scim import seed_scim
from intranet.home.demo_surveys import seed_surveys
from intranet.home.demo_wording import seed_wording
from intranet.home.management.commands._sponsorship import hr_team, seed_sponsorship
from intranet.home.models import HomePage, StandardPage
from wagtail_mentoring.people.models import (
    AVAILABILITY_SLOTS,
    EmployeeProfile,
    Interest,
    SelfIdentification,
    Skill,
)
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    MentoringHubPage,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    Role,
)


def _applied_before_matched(rng) -> None:
    """Several demo stories date a relationship back (a pair of eight weeks)
    whose people applied while the seed ran: date each such application a few
    days before its first relationship, as it would be, so that the time to
    match reads true."""
    first = {}
    for enrollment, made in RelationshipMember.objects.filter(
        enrollment__isnull=False
    ).values_list("enrollment_id", "relationship__created_at"):
        first[enrollment] = min(made, first.get(enrollment, made))
    for enrollment in Enrollment.objects.filter(pk__in=first).order_by("pk"):
        if enrollment.created_at > first[enrollment.pk]:
            Enrollment.objects.filter(pk=enrollment.pk).update(
                created_at=first[enrollment.pk] - timedelta(days=rng.randint(5, 25))
            )


DEPARTMENTS = [
    "Engineering",
    "Product",
    "Design",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Operations",
    "Legal",
    "Customer Success",
]
LOCATIONS = [
    ("Berlin", "Europe/Berlin", ["de", "en"]),
    ("London", "Europe/London", ["en"]),
    ("New York", "America/New_York", ["en", "es"]),
    ("San Francisco", "America/Los_Angeles", ["en"]),
    ("Bangalore", "Asia/Kolkata", ["en", "hi"]),
    ("Singapore", "Asia/Singapore", ["en", "zh"]),
    ("São Paulo", "America/Sao_Paulo", ["pt", "en"]),
]
SKILLS = [
    "Python",
    "Leadership",
    "Public speaking",
    "Product strategy",
    "Negotiation",
    "Data analysis",
    "People management",
    "System design",
    "Stakeholder management",
    "Career planning",
    "UX research",
    "Machine learning",
    "Budgeting",
    "Sales",
    "Coaching",
    "Writing",
    "Cloud infrastructure",
    "Security",
    "Accessibility",
    "Change management",
]
INTERESTS = [
    "Growing into management",
    "Switching teams",
    "Work-life balance",
    "Technical depth",
    "Visibility with leadership",
    "Starting a side project",
    "Returning from leave",
    "Inclusive leadership",
    "Promotion readiness",
    "Building a network",
]
FIRST = [
    "Alex",
    "Sam",
    "Priya",
    "Jordan",
    "Mei",
    "Lukas",
    "Amara",
    "Diego",
    "Noor",
    "Ines",
    "Kenji",
    "Fatima",
    "Oliver",
    "Zanele",
    "Mateo",
    "Hana",
    "Tomás",
    "Aisha",
    "Elena",
    "Kwame",
    "Sofia",
    "Ravi",
    "Chloe",
    "Yusuf",
    "Lena",
]
LAST = [
    "Schmidt",
    "Okafor",
    "Patel",
    "Nguyen",
    "Garcia",
    "Kim",
    "Müller",
    "Silva",
    "Haddad",
    "Johnson",
    "Tanaka",
    "Rossi",
    "Dubois",
    "Mensah",
    "Kowalski",
    "Andersen",
    "Chen",
    "Ibrahim",
    "Lopez",
    "Novak",
]
TITLES = {
    1: "Associate",
    2: "Specialist",
    3: "Senior Specialist",
    4: "Lead",
    5: "Principal",
    6: "Manager",
    7: "Director",
    8: "Vice President",
}
PASSWORD = "changeme"


def _identity(index: int) -> dict:
    """Fields that identify demo user ``index`` on any user model."""
    User = get_user_model()
    first = FIRST[index % len(FIRST)]
    last = LAST[(index * 7) % len(LAST)]
    email = f"{first}.{last}.{index}@acme.example".lower()
    fields = {
        User.USERNAME_FIELD: email
        if User.USERNAME_FIELD == "email"
        else f"emp{index:04d}"
    }
    names = {f.name for f in User._meta.get_fields()}
    if "email" in names:
        fields["email"] = email
    if "first_name" in names:
        fields["first_name"] = first
    if "last_name" in names:
        fields["last_name"] = last
    return fields


def _login(identifier: str) -> dict:
    User = get_user_model()
    value = (
        f"{identifier}@acme.example" if User.USERNAME_FIELD == "email" else identifier
    )
    fields = {User.USERNAME_FIELD: value}
    if "email" in {f.name for f in User._meta.get_fields()}:
        fields["email"] = f"{identifier}@acme.example"
    return fields


class Command(BaseCommand):
    help = "Seed the example intranet with a deterministic demo company."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=300)
        parser.add_argument("--seed", type=int, default=42)

    @transaction.atomic
    def handle(self, *args, employees: int, seed: int, **options):
        rng = random.Random(seed)
        password = make_password(
            PASSWORD
        )  # hash once: 300 PBKDF2 runs would take minutes
        home = self._pages()
        skills = [Skill.objects.get_or_create(name=n)[0] for n in SKILLS]
        interests = [Interest.objects.get_or_create(name=n)[0] for n in INTERESTS]
        people = self._people(rng, employees, password, skills, interests)
        admin = self._admins(password)
        hub, programs = self._programs(home)
        self._applications(rng, people, programs)
        hr = hr_team(password, _login)
        seed_sponsorship(rng, people, programs[2], hr)
        seed_journeys(hub, programs[0], random.Random(seed + 6))
        engagement_note = self._engagement(rng, people, hub, programs)
        seed_nudges(programs[0])
        seed_wording(programs[0], admin)
        seed_chat(programs[0])
        seed_lti()
        seed_matching(programs[0], admin)
        seed_history(hub, programs[0], people)
        run_circle_matching(seed_circles(hub), admin)
        seed_flash(hub, people, programs[0], programs[2])
        seed_peer(hub, admin)
        seed_cohorts(programs[0], admin)
        engagement_note += seed_surveys(programs[0])
        seed_integrations(
            Relationship.objects.filter(program=programs[0]).order_by("pk")[:3]
        )
        engagement_note += seed_community(hub, programs[0], people)
        engagement_note += seed_events()
        engagement_note += seed_api(admin)
        engagement_note += seed_scim(admin)
        _applied_before_matched(random.Random(seed + 7))
        n_programs = ProgramPage.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(people)} employees, {n_programs} programs. "
                f"Sign in as admin / {PASSWORD} (admin at /admin/), or as an employee: "
                f"{people[-1].get_username()} / {PASSWORD}." + engagement_note
            )
        )
        return None

    def _pages(self):
        # A fresh database has Wagtail's root; a flushed test database has none.
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = HomePage.objects.first()
        if home is None:
            # Replace Wagtail's welcome page with the intranet's home page.
            welcome = Page.objects.filter(depth=2, slug="home").first()
            home = root.add_child(
                instance=HomePage(
                    title="Acme Intranet",
                    slug="acme",
                    body=[("paragraph", "<p>Welcome to the Acme intranet.</p>")],
                )
            )
            Site.objects.update_or_create(
                is_default_site=True,
                defaults={
                    "hostname": "localhost",
                    "port": 80,
                    "root_page": home,
                    "site_name": "Acme Intranet",
                },
            )
            if welcome is not None and not isinstance(welcome.specific, HomePage):
                welcome.delete()
        for title, text in [
            ("News", "Company news lives here."),
            ("Benefits", "Everything about benefits and leave."),
        ]:
            if not StandardPage.objects.filter(title=title).exists():
                home.add_child(
                    instance=StandardPage(
                        title=title,
                        show_in_menus=True,
                        body=[("paragraph", f"<p>{text}</p>")],
                    )
                )
        return home

    def _people(self, rng, count, password, skills, interests):
        User = get_user_model()
        popularity = [1.0 / (rank + 1) for rank in range(len(skills))]  # skewed (Zipf)
        users = []
        for index in range(count):
            fields = _identity(index)
            key = {User.USERNAME_FIELD: fields.pop(User.USERNAME_FIELD)}
            user, created = User.objects.get_or_create(**key, defaults=fields)
            if created:
                user.password = password
                user.is_active = index % 37 != 5  # a few people have left
                user.save()
            users.append(user)
        # Org chart: level 8 at the top, each person reports to someone senior.
        levels = [
            8 if i == 0 else max(1, min(7, int(rng.gauss(3.2, 1.5))))
            for i in range(count)
        ]
        order = sorted(range(count), key=lambda i: -levels[i])
        for position, index in enumerate(order):
            user = users[index]
            location, tz, languages = LOCATIONS[rng.randrange(len(LOCATIONS))]
            seniors = [users[j] for j in order[:position] if levels[j] > levels[index]]
            manager = rng.choice(seniors[-12:]) if seniors else None
            profile, created = EmployeeProfile.objects.get_or_create(
                user=user,
                defaults={
                    "title": TITLES[levels[index]],
                    "level": levels[index],
                    "department": DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
                    if index
                    else "Operations",
                    "location": location,
                    "timezone": tz,
                    "manager": manager,
                    "languages": languages,
                    "availability": rng.sample(
                        [slot for slot, _label in AVAILABILITY_SLOTS],
                        k=rng.randint(2, 6),
                    ),
                    "bio": "",
                    "goals": rng.choice(
                        [
                            "I want to grow as a leader.",
                            "I'd like to learn how other teams work.",
                            "Preparing for my next promotion.",
                            "Improve my public speaking.",
                            "Learn more about data and machine learning.",
                        ]
                    ),
                    "open_to_mentoring": levels[index] >= 4,
                },
            )
            if created:
                profile.skills.set(set(rng.choices(skills, weights=popularity, k=4)))
                profile.skills_wanted.set(
                    set(rng.choices(skills, weights=popularity, k=3))
                )
                profile.interests.set(rng.sample(interests, k=2))
                if rng.random() < 0.7:  # most people answer, with consent
                    SelfIdentification.objects.get_or_create(
                        user=user,
                        defaults={
                            "consented_at": timezone.now(),
                            "answers": {
                                "gender": rng.choices(
                                    ["woman", "man", "non_binary", "self_described"],
                                    weights=[45, 50, 4, 1],
                                )[0],
                                "ethnicity": rng.choice(
                                    [
                                        "asian",
                                        "black",
                                        "hispanic_latino",
                                        "white",
                                        "multiracial",
                                    ]
                                ),
                            },
                        },
                    )
        return users

    def _admins(self, password):
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            **{User.USERNAME_FIELD: _login("admin")[User.USERNAME_FIELD]},
            defaults={
                k: v for k, v in _login("admin").items() if k != User.USERNAME_FIELD
            },
        )
        if created:
            admin.password = password
            admin.is_staff = admin.is_superuser = True
            admin.save()
        EmployeeProfile.objects.get_or_create(
            user=admin,
            defaults={
                "level": 8,
                "department": "People",
                "timezone": "Europe/Berlin",
                "title": "Head of People",
            },
        )
        group, _ = Group.objects.get_or_create(name="Engineering mentoring admins")
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label="wagtailadmin", codename="access_admin"
            )
        )
        coordinator, created = User.objects.get_or_create(
            **{User.USERNAME_FIELD: _login("coordinator")[User.USERNAME_FIELD]},
            defaults={
                k: v
                for k, v in _login("coordinator").items()
                if k != User.USERNAME_FIELD
            },
        )
        if created:
            coordinator.password = password
            coordinator.save()
        coordinator.groups.add(group)
        return admin

    def _programs(self, home):
        hub = MentoringHubPage.objects.first()
        if hub is None:
            hub = home.add_child(
                instance=MentoringHubPage(
                    title="Mentoring",
                    slug="mentoring-programs",
                    show_in_menus=True,
                    intro=[
                        (
                            "paragraph",
                            "<p>Find a mentor, become one, or get sponsored.</p>",
                        )
                    ],
                )
            )
        now = timezone.now()
        group = Group.objects.get(name="Engineering mentoring admins")
        specs = [
            dict(
                title="Engineering Mentoring",
                slug="engineering-mentoring",
                kind=ProgramKind.ONE_TO_ONE,
                admin_group=group,
                summary="Six months one-to-one with a senior engineer from another "
                "team.",
                default_mentor_capacity=2,
                max_mentor_capacity=4,
                application_questions=[
                    (
                        "long_answer",
                        {
                            "label": "What do you hope to learn?",
                            "help_text": "",
                            "required": True,
                        },
                    ),
                    (
                        "choice",
                        {
                            "label": "How often can you meet?",
                            "help_text": "",
                            "required": True,
                            "choices": ["Weekly", "Every two weeks", "Monthly"],
                            "multiple": False,
                        },
                    ),
                ],
            ),
            dict(
                title="Reverse Mentoring: Digital Leadership",
                slug="reverse-mentoring",
                kind=ProgramKind.REVERSE,
                summary="Early-career colleagues mentor leaders on digital tools "
                "and culture.",
                default_mentor_capacity=1,
                max_mentor_capacity=2,
            ),
            dict(
                title="Sponsorship Circle",
                slug="sponsorship-circle",
                kind=ProgramKind.SPONSORSHIP,
                summary="Senior leaders advocate for high-potential colleagues.",
                # Sponsor-led: sponsors pick, admins fill the gaps.
                matching_mode=MatchingMode.HYBRID,
                default_mentor_capacity=2,
                max_mentor_capacity=3,
            ),
        ]
        programs = []
        for spec in specs:
            program = ProgramPage.objects.filter(slug=spec["slug"]).first()
            if program is None:
                program = hub.add_child(
                    instance=ProgramPage(
                        enrollment_opens_at=now - timedelta(days=14),
                        enrollment_closes_at=now + timedelta(days=60),
                        starts_on=(now + timedelta(days=70)).date(),
                        intro=[("paragraph", f"<p>{spec['summary']}</p>")],
                        **spec,
                    )
                )
                program.save_revision().publish()
            programs.append(program)
        return hub, programs

    def _applications(self, rng, users, programs):
        if Enrollment.objects.exists():
            return
        mentoring, reverse, sponsorship = programs
        active = [u for u in users if u.is_active]
        profiles = {
            p.user_id: p for p in EmployeeProfile.objects.filter(user__in=active)
        }
        enrollments = []
        for user in active[:-1]:  # the last employee is left to apply in the demo
            level = profiles[user.pk].level
            draw = rng.random()
            if level >= 5 and draw < 0.45:
                enrollments.append((user, mentoring, Role.MENTOR, rng.randint(1, 3)))
            elif level <= 4 and draw < 0.5:
                enrollments.append((user, mentoring, Role.MENTEE, None))
            if level <= 2 and rng.random() < 0.15:
                enrollments.append((user, reverse, Role.MENTOR, 1))
            elif level >= 6 and rng.random() < 0.3:
                enrollments.append((user, reverse, Role.MENTEE, None))
            if level >= 7 and rng.random() < 0.4:
                enrollments.append((user, sponsorship, Role.SPONSOR, 2))
        now = timezone.now()
        Enrollment.objects.bulk_create(
            Enrollment(
                user=user,
                program=program,
                role=role,
                capacity=capacity,
                status=EnrollmentStatus.APPROVED
                if rng.random() < 0.6
                else EnrollmentStatus.PENDING,
                created_at=now
                - timedelta(days=rng.randint(0, 13), hours=rng.randint(0, 23)),
                motivation="I'd like to take part.",
            )
            for user, program, role, capacity in enrollments
        )

    # Employee experience ------------------------------------------------

    def _engagement(self, rng, users, hub, programs) -> str:
        """A self-select program with requests, and running relationships with
        meetings, goals, check-ins and messages."""
        from wagtail_mentoring.engagement.models import (
            Goal,
            GoalCheckIn,
            Meeting,
            MentorRequest,
            MentorRequestStatus,
            Message,
        )
        from wagtail_mentoring.programs.models import (
            MatchingMode,
            Relationship,
            RelationshipStatus,
        )

        now = timezone.now()
        program = ProgramPage.objects.filter(slug="product-mentoring").first()
        if program is None:
            program = hub.add_child(
                instance=ProgramPage(
                    title="Product & Design Mentoring",
                    slug="product-mentoring",
                    kind=ProgramKind.ONE_TO_ONE,
                    matching_mode=MatchingMode.SELF_SELECT,
                    requires_approval=False,
                    summary="Choose your own mentor from experienced product people "
                    "and designers.",
                    enrollment_opens_at=now - timedelta(days=30),
                    enrollment_closes_at=now + timedelta(days=90),
                    default_mentor_capacity=2,
                    max_mentor_capacity=3,
                    max_requests=3,
                    request_expiry_days=7,
                    conversation_prompts=[
                        ("prompt", "What went well since we last met?"),
                        ("prompt", "Where did you feel stuck?"),
                        ("prompt", "What will you try before next time?"),
                    ],
                    intro=[("paragraph", "<p>Pick the mentor you want.</p>")],
                )
            )
            program.save_revision().publish()
        active = [u for u in users if u.is_active]
        profiles = {
            p.user_id: p for p in EmployeeProfile.objects.filter(user__in=active)
        }
        if not Enrollment.objects.filter(program=program).exists():
            seniors = [u for u in active if profiles[u.pk].level >= 4][:8]
            juniors = [u for u in active[:-1] if profiles[u.pk].level <= 3][:10]
            Enrollment.objects.bulk_create(
                [
                    Enrollment(
                        user=u,
                        program=program,
                        role=Role.MENTOR,
                        capacity=rng.randint(1, 3),
                        status=EnrollmentStatus.APPROVED,
                        decided_at=now,
                        motivation="Happy to help.",
                    )
                    for u in seniors
                ]
                + [
                    Enrollment(
                        user=u,
                        program=program,
                        role=Role.MENTEE,
                        status=EnrollmentStatus.APPROVED,
                        decided_at=now,
                        motivation="I want to grow in product work.",
                    )
                    for u in juniors
                ]
            )
            mentors = list(
                Enrollment.objects.filter(program=program, role=Role.MENTOR).order_by(
                    "pk"
                )
            )
            mentees = list(
                Enrollment.objects.filter(program=program, role=Role.MENTEE).order_by(
                    "pk"
                )
            )
            # A few mentees already asked; the first mentor has requests waiting.
            for index, mentee in enumerate(mentees[1:4]):
                for rank, mentor in enumerate(mentors[index : index + 2], start=1):
                    MentorRequest.objects.create(
                        program=program,
                        mentee_enrollment=mentee,
                        mentor_enrollment=mentors[0] if rank == 1 else mentor,
                        rank=rank,
                        note="I'd love to learn how you run discovery.",
                        status=MentorRequestStatus.PENDING
                        if rank == 1
                        else MentorRequestStatus.QUEUED,
                        sent_at=now if rank == 1 else None,
                        expires_at=now + timedelta(days=7) if rank == 1 else None,
                    )
        mentoring = programs[0]
        if not mentoring.conversation_prompts:
            mentoring.conversation_prompts = [
                ("prompt", "What are you proud of since we last met?"),
                ("prompt", "Which decision is on your mind right now?"),
            ]
            mentoring.save_revision().publish()
        if not Relationship.objects.filter(program=mentoring).exists():
            self._engineering_pairs(mentoring)
        # Give the running pairs (the journey demo's, or ours) a history:
        # meetings that took place, a goal with a check-in, a few messages.
        for relationship in (
            Relationship.objects.filter(
                program=mentoring, status=RelationshipStatus.ACTIVE
            )
            .exclude(messages__isnull=False)
            .order_by("pk")[:6]
        ):
            members = {m.role: m.user for m in relationship.members.all()}
            mentee_user, mentor_user = (
                members.get(Role.MENTEE),
                members.get(Role.MENTOR),
            )
            if mentee_user is None or mentor_user is None:
                continue
            tz = profiles.get(mentee_user.pk)
            zone = tz.timezone if tz and tz.timezone else "UTC"
            plan = [(-4, "Kick-off"), (-1, "Check-in")]
            if not relationship.meetings.filter(starts_at__gt=now).exists():
                plan.append((1, "Next steps"))
            for weeks, title in plan:
                Meeting.objects.create(
                    relationship=relationship,
                    title=title,
                    starts_at=(now + timedelta(weeks=weeks)).replace(
                        minute=0, second=0, microsecond=0
                    ),
                    duration_minutes=45,
                    timezone=zone,
                    location="Video call",
                    agenda="- What went well?\n- Where did you feel stuck?",
                    notes="Talked about priorities." if weeks < 0 else "",
                    created_by=mentee_user,
                )
            # The journey demo may have set a goal already: check in on it.
            goal = relationship.goals.order_by("pk").first() or Goal.objects.create(
                relationship=relationship,
                owner=mentee_user,
                title="Lead a design review",
                measure="I ran one review end to end",
                why="To grow into a senior role",
                target_date=timezone.localdate() + timedelta(weeks=8),
            )
            Goal.objects.filter(pk=goal.pk).update(progress=40)
            GoalCheckIn.objects.create(
                goal=goal, author=goal.owner, progress=40, note="Shadowed one."
            )
            Message.objects.bulk_create(
                [
                    Message(
                        relationship=relationship,
                        author=mentee_user,
                        body="Thanks for today! I'll send the doc.",
                        created_at=now - timedelta(days=6),
                    ),
                    Message(
                        relationship=relationship,
                        author=mentor_user,
                        body="Great, looking forward to it.",
                        created_at=now - timedelta(days=5),
                    ),
                ]
            )
        return self._engagement_note(program)

    def _engineering_pairs(self, mentoring) -> None:
        """Pairs for Engineering Mentoring when no other demo made them."""
        from wagtail_mentoring.programs.models import (
            Relationship,
            RelationshipMember,
            RelationshipStatus,
        )

        mentors = list(
            Enrollment.objects.filter(
                program=mentoring, role=Role.MENTOR, status=EnrollmentStatus.APPROVED
            ).order_by("pk")[:4]
        )
        mentees = list(
            Enrollment.objects.filter(
                program=mentoring, role=Role.MENTEE, status=EnrollmentStatus.APPROVED
            ).order_by("pk")[:4]
        )
        for mentor, mentee in zip(mentors, mentees, strict=False):
            started = timezone.localdate() - timedelta(weeks=6)
            relationship = Relationship.objects.create(
                program=mentoring,
                status=RelationshipStatus.ACTIVE,
                started_on=started,
                ends_on=started + timedelta(weeks=mentoring.duration_weeks),
            )
            RelationshipMember.objects.bulk_create(
                [
                    RelationshipMember(
                        relationship=relationship,
                        user=mentee.user,
                        role=Role.MENTEE,
                        enrollment=mentee,
                    ),
                    RelationshipMember(
                        relationship=relationship,
                        user=mentor.user,
                        role=Role.MENTOR,
                        enrollment=mentor,
                    ),
                ]
            )

    def _engagement_note(self, program) -> str:
        from wagtail_mentoring.engagement.models import MentorRequest
        from wagtail_mentoring.programs.models import RelationshipMember

        member = (
            RelationshipMember.objects.filter(role=Role.MENTEE)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        asked = (
            MentorRequest.objects.filter(program=program, status="pending")
            .select_related("mentor_enrollment__user")
            .order_by("pk")
            .first()
        )
        parts = []
        if member:
            parts.append(f" Mentee with a relationship: {member.user.get_username()}.")
        if asked:
            parts.append(
                f" Mentor with requests to answer: "
                f"{asked.mentor_enrollment.user.get_username()}."
            )
        return "".join(parts)
