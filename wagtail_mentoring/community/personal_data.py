"""What community spaces hold about a person: memberships, the threads and
posts they wrote, their reactions and the reports they made.

Erasure keeps the discussions others took part in: a post's words are replaced
by "(removed)" and its author cleared; a thread keeps its title (the topic the
others answered) without its author; a report keeps the moderator's decision
without the reporter or their reason.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from wagtail_mentoring.community.models import (
    Post,
    PostReport,
    Reaction,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.community.text import render
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.personal_data import (
    CLEAR,
    DELETE,
    DETACH,
    REMOVED,
    PersonalData,
    when,
)


class CommunityData(PersonalData):
    erase_order = 30
    sections = {
        "space_memberships": _("Community spaces"),
        "space_posts": _("Posts in community spaces"),
        "space_reports": _("Posts reported"),
    }
    user_fields = {
        "SpaceMembership.user": DELETE,
        "SpaceMembership.invited_by": CLEAR,
        "Thread.author": CLEAR,
        "Post.author": DETACH,
        "Post.edited_by": CLEAR,
        "Post.hidden_by": CLEAR,
        "Reaction.user": DELETE,
        "PostReport.reporter": DETACH,
        "PostReport.decided_by": CLEAR,
    }

    def export(self, user):
        memberships = (
            SpaceMembership.objects.filter(user=user)
            .select_related("space")
            .order_by("pk")
        )
        posts = (
            Post.objects.filter(author=user)
            .select_related("thread", "space")
            .order_by("created_at", "pk")
        )
        reports = (
            PostReport.objects.filter(reporter=user)
            .select_related("post__thread")
            .order_by("pk")
        )
        return {
            "space_memberships": [
                {
                    "space": m.space.title,
                    "role": m.role,
                    "status": m.status,
                }
                for m in memberships
            ],
            "space_posts": [
                {
                    "space": p.space.title,
                    "thread": p.thread.title,
                    "started_thread": p.thread.author_id == user.pk,
                    "text": p.body,
                    "written_at": when(p.created_at),
                    "hidden": p.hidden,
                }
                for p in posts
            ],
            "space_reports": [
                {"thread": r.post.thread.title, "reason": r.reason, "status": r.status}
                for r in reports
            ],
        }

    def records(self, user):
        return {
            Post: list(Post.objects.filter(author=user).values_list("pk", flat=True))
        }

    def erase(self, user):
        removed = str(REMOVED)
        written = list(Post.objects.filter(author=user).values_list("pk", flat=True))
        Post.objects.filter(pk__in=written).update(
            author=None, body=removed, body_html=render(removed)
        )
        # The search index held the words too.
        for post in Post.objects.filter(pk__in=written):
            index.insert_or_update_object(post)
        # Others' posts that mention the person show their name: shown again
        # without the mention's link and name.
        name = display_name(user)
        if name:
            for post in Post.objects.filter(body_html__contains=name).exclude(
                pk__in=written
            ):
                post.body_html = render(post.body)
                post.save(update_fields=["body_html"])
        Post.objects.filter(edited_by=user).update(edited_by=None)
        Post.objects.filter(hidden_by=user).update(hidden_by=None)
        Thread.objects.filter(author=user).update(author=None)
        PostReport.objects.filter(reporter=user).update(reporter=None, reason=removed)
        PostReport.objects.filter(decided_by=user).update(decided_by=None)
        Reaction.objects.filter(user=user).delete()
        SpaceMembership.objects.filter(invited_by=user).update(invited_by=None)
        SpaceMembership.objects.filter(user=user).delete()


personal_data = CommunityData()
