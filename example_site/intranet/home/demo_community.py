"""Demo data of community spaces: three spaces and a few hundred posts.

Deterministic and idempotent (nothing is added when the spaces exist):

- *Women in Engineering* (open, under the hub): anyone joins; emp0002 is a
  member, emp0299 is not yet, so she can try joining.
- *People Leaders Circle* (by request): emp0000 moderates it and has two
  requests to answer.
- *Engineering Mentoring Community* (under the program, tied to it): every
  approved participant is a member; the program's admins (coordinator, hr)
  moderate it. One post is hidden, one is reported and waits in *Mentoring →
  Reported posts*, one question is answered, one thread is pinned, one locked.

The bulk of the posts is written directly (with the same Markdown rendering as
the services) so that seeding sends no emails; the moderation examples go
through the services, so the audit log shows them.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone
from wagtail.search.backends import get_search_backend

from wagtail_mentoring.community import services, text
from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    Post,
    Reaction,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus

OPEN_SLUG = "women-in-engineering"

OPEN_BODY = [
    {
        "type": "paragraph",
        "value": "<p>A space for women and allies in engineering to share "
        "advice, celebrate wins and find mentors. Everyone is welcome.</p>",
    },
    {
        "type": "links",
        "value": {
            "heading": "Good reads",
            "links": [
                {
                    "title": "Staff engineer paths",
                    "url": "https://staffeng.com/",
                    "description": "Stories of people who grew past senior.",
                },
                {
                    "title": "The manager's path",
                    "url": "https://www.oreilly.com/library/view/the-managers-path/9781491973882/",
                    "description": "For when you wonder about management.",
                },
            ],
        },
    },
    {"type": "upcoming_events", "value": {"heading": "Upcoming events", "limit": 3}},
]

TOPICS = {
    OPEN_SLUG: [
        ("How do you prepare for a promotion conversation?", True),
        ("Conference talk: looking for reviewers", False),
        ("Returning from parental leave: what helped you?", True),
        ("Book club: The Manager's Path, chapter 3", False),
        ("Wins of the week", False),
        ("Pairing with someone much more senior", True),
        ("Imposter syndrome at architecture reviews", False),
        ("Tips for a first on-call rotation?", True),
        ("Volunteers for the school coding day", False),
        ("Salary negotiation resources", True),
        ("Speaking up in large meetings", False),
        ("How I moved from QA to platform engineering", False),
    ],
    "people-leaders-circle": [
        ("Running skip-level meetings that people find useful", True),
        ("Giving feedback to a senior engineer", True),
        ("Calibration season: how do you prepare?", False),
        ("Hiring panel bias: what we changed", False),
        ("Team charters: templates that worked", False),
        ("Handling a team member's burnout", True),
    ],
    "engineering-mentoring-community": [
        ("Welcome! Introduce yourself", False),
        ("First meeting: what did you agree on?", True),
        ("Goal-setting templates that work", False),
        ("Mentors: how often do you meet?", True),
        ("Share a conversation prompt that worked", False),
        ("Mid-program check-in: how is it going?", False),
        ("Finding time across time zones", True),
        ("Recommended reading from your mentor", False),
    ],
}

OPENINGS = [
    "I'd love to hear how others approach this. {detail}",
    "Something I keep coming back to lately. {detail} Any advice welcome!",
    "Quick question for the group: {detail}",
    "Sharing this in case it helps someone. {detail}",
]
DETAILS = [
    "Last time I **wrote down three examples** beforehand and it made a "
    "real difference.",
    "My mentor suggested keeping a *brag document*; has anyone tried it?",
    "We tried a 30-minute slot every two weeks and it felt rushed.",
    "I found [this guide](https://example.com/guide) useful, but it is long.",
    "In our team we rotate who facilitates, which helps the quieter voices.",
    "The hardest part for me is asking for help early enough.",
]
REPLIES = [
    "Thanks for starting this! What worked for me: {tip}",
    "+1 to this. {tip}",
    "Great question. {tip}",
    "We had the same problem in our team. {tip}",
    "I asked my mentor about this last month. {tip}",
    "Not sure it applies to you, but {tip}",
    "Bookmarking this thread. {tip}",
]
TIPS = [
    "agree on **one goal per quarter** and review it every meeting.",
    "write down what you want to get out of the conversation before it starts.",
    "block the time in both calendars for the whole program up front.",
    "ask for specific feedback on one thing rather than general impressions.",
    "keep a running doc shared with your mentor; it makes follow-ups easy.",
    "take the first 5 minutes for small talk; it sets a better tone.",
    "try a walking meeting once; it changed the dynamic for us.",
    "find a sponsor as well as a mentor: they are different roles.",
    "prepare a short list of wins; managers forget more than we think.",
    "say out loud what you need: advice, a sounding board, or an introduction.",
]


def _space(parent, **fields) -> CommunitySpacePage:
    space = parent.add_child(instance=CommunitySpacePage(**fields))
    space.save_revision().publish()
    return CommunitySpacePage.objects.get(pk=space.pk)


def _members(space, users, role="member") -> None:
    for user in users:
        SpaceMembership.objects.update_or_create(
            space=space, user=user, defaults={"status": "active", "role": role}
        )


def _discussions(space, members, rng: random.Random, now) -> list[Thread]:
    """Threads of believable posts, written directly (no emails)."""
    threads = []
    handles = {u.get_username().lower(): u for u in members}
    for i, (title, question) in enumerate(TOPICS[space.slug]):
        started = now - timedelta(days=40 - i * 3, hours=rng.randint(0, 12))
        author = rng.choice(members)
        thread = Thread.objects.create(
            space=space,
            title=title,
            author=author,
            is_question=question,
            created_at=started,
            last_activity_at=started,
        )
        body = rng.choice(OPENINGS).format(detail=rng.choice(DETAILS))
        posts = [(author, body, started)]
        when = started
        for _ in range(rng.randint(8, 30)):
            when += timedelta(hours=rng.randint(1, 20))
            replier = rng.choice(members)
            reply = rng.choice(REPLIES).format(tip=rng.choice(TIPS))
            if rng.random() < 0.12 and replier is not author:
                reply = f"@{author.get_username()} {reply}"
            posts.append((replier, reply, min(when, now)))
        Post.objects.bulk_create(
            Post(
                thread=thread,
                space=space,
                author=who,
                body=body,
                body_html=text.render(
                    body,
                    {
                        h: handles[h]
                        for h in text.mentioned_handles(body)
                        if h in handles
                    },
                ),
                created_at=at,
            )
            for who, body, at in posts
        )
        Thread.objects.filter(pk=thread.pk).update(last_activity_at=posts[-1][2])
        # bulk_create sends no signals: index the posts for search here.
        backend = get_search_backend()
        backend.add(thread)
        backend.add_bulk(Post, list(Post.objects.filter(thread=thread)))
        thread.refresh_from_db()
        threads.append(thread)
        replies = list(thread.posts.all()[1:])
        reactions = []
        for post in rng.sample(replies, k=min(len(replies), 6)):
            for fan in rng.sample(members, k=rng.randint(1, 5)):
                if fan.pk != post.author_id:
                    reactions.append(Reaction(post=post, user=fan))
        Reaction.objects.bulk_create(reactions, ignore_conflicts=True)
    return threads


def seed_community(hub, program, people) -> str:
    """Seed the three spaces; returns a sentence for the seed command's output."""
    if CommunitySpacePage.objects.filter(slug=OPEN_SLUG).exists():
        return ""
    rng = random.Random(1515)
    now = timezone.now()
    by_name = {u.get_username(): u for u in people}
    active = [u for u in people if u.is_active]

    open_space = _space(
        hub,
        title="Women in Engineering",
        slug=OPEN_SLUG,
        summary="Advice, wins and mentors for women and allies in engineering.",
        membership_policy="open",
        body=OPEN_BODY,
    )
    regulars = [u for u in rng.sample(active, 70) if u.get_username() != "emp0299"]
    if by_name.get("emp0002") and by_name["emp0002"] not in regulars:
        regulars.append(by_name["emp0002"])
    _members(open_space, regulars)
    _members(open_space, regulars[:2], role="moderator")
    _discussions(open_space, regulars, rng, now)

    leaders = _space(
        hub,
        title="People Leaders Circle",
        slug="people-leaders-circle",
        summary="A confidential circle for managers of managers.",
        membership_policy="request",
        body=[
            {
                "type": "paragraph",
                "value": "<p>Ask to join and tell us which team you lead. "
                "What is said here stays here.</p>",
            }
        ],
    )
    circle = [u for u in rng.sample(active, 25) if u.get_username() != "emp0299"]
    _members(leaders, circle)
    if by_name.get("emp0000"):
        _members(leaders, [by_name["emp0000"]], role="moderator")
    _discussions(leaders, circle, rng, now)
    askers = [u for u in active if u not in circle and u.get_username() != "emp0299"]
    for asker in askers[-2:]:
        services.request_to_join(leaders, asker, "I lead the platform teams.")

    program_space = _space(
        program,
        title="Engineering Mentoring Community",
        slug="engineering-mentoring-community",
        summary="Everyone in Engineering Mentoring: share what works.",
        membership_policy="invitation",
        program=program,
        body=[
            {
                "type": "paragraph",
                "value": "<p>Every mentor and mentee of the program is a member. "
                "Ask questions, share prompts and celebrate progress.</p>",
            },
            {
                "type": "upcoming_events",
                "value": {"heading": "Program sessions", "limit": 3},
            },
        ],
    )
    participants = list(
        {
            e.user_id: e.user
            for e in Enrollment.objects.filter(
                program=program, status=EnrollmentStatus.APPROVED
            ).select_related("user")
            if e.user.is_active
        }.values()
    )
    threads = _discussions(program_space, participants, rng, now)
    moderator = (
        program.admin_group.user_set.filter(is_active=True).first()
        if program.admin_group
        else None
    )
    if moderator is not None and threads:
        services.set_pinned(threads[0], moderator, True)
        services.set_locked(threads[-1], moderator, True)
        question = next(t for t in threads if t.is_question)
        answer = question.posts.exclude(author=question.author).first()
        if answer is not None:
            Thread.objects.filter(pk=question.pk).update(answered_post=answer)
        noisy = threads[2].posts.last()
        services.hide_post(noisy, moderator, "Off topic: moved to the sales space.")
        reported = threads[1].posts.all()[3]
        reporter = next(u for u in participants if u.pk != reported.author_id)
        services.report_post(
            reported, reporter, "This names a colleague's performance review."
        )
    posts = Post.objects.filter(space__in=[open_space, leaders, program_space]).count()
    return f" Community: 3 spaces, {posts} posts."
