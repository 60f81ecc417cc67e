"""What a space shows whom: lists with a fixed number of queries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from wagtail.search.backends import get_search_backend

from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    MembershipStatus,
    Post,
    Reaction,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.permissions import (
    can_moderate_space,
    can_read_space,
    passes_privacy,
)
from wagtail_mentoring.programs.selectors import with_privacy

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 25
MEMBERS_PER_PAGE = 50


def live_space(request, space_id: int) -> CommunitySpacePage:
    """The published space of a URL, if the page's privacy settings let the
    request see it; else 404."""
    space = (
        with_privacy(CommunitySpacePage.objects.live())
        .select_related("program")
        .filter(pk=space_id)
        .first()
    )
    if space is None or not passes_privacy(request, space):
        raise Http404
    return space


def readable_space(request, space_id: int) -> CommunitySpacePage:
    """The space if the request's user may read its discussions, else 404 (a
    closed space's discussions do not even say they exist)."""
    space = live_space(request, space_id)
    if not can_read_space(request.user, space):
        raise Http404
    return space


def threads(space, user):
    """Pinned first, then the most recently active, with visible reply counts."""
    visible = Q() if can_moderate_space(user, space) else Q(posts__hidden=False)
    return (
        Thread.objects.filter(space=space)
        .select_related("author")
        .annotate(post_count=Count("posts", filter=visible))
        .order_by("-pinned", "-last_activity_at", "-pk")
    )


def thread_page(space, user, page_number):
    return Paginator(threads(space, user), THREADS_PER_PAGE).get_page(page_number)


def thread_of(space, user, thread_id: int) -> Thread:
    thread = (
        Thread.objects.filter(space=space, pk=thread_id)
        .select_related("author", "answered_post")
        .first()
    )
    if thread is None:
        raise Http404
    return thread


def posts(thread, user):
    """The thread's posts for ``user``: hidden ones only for moderators."""
    queryset = Post.objects.filter(thread=thread)
    if not can_moderate_space(user, thread.space):
        queryset = queryset.filter(hidden=False)
    return (
        queryset.select_related("author", "hidden_by", "edited_by")
        .annotate(
            helpful=Count("reactions"),
            found_helpful=Exists(
                Reaction.objects.filter(post=OuterRef("pk"), user_id=user.pk)
            ),
        )
        .order_by("created_at", "pk")
    )


def post_page(thread, user, page_number, *, post_id=None):
    paginator = Paginator(posts(thread, user), POSTS_PER_PAGE)
    if post_id and not page_number:
        # A link to one post (from a notification) opens the page it is on.
        position = (
            posts(thread, user)
            .filter(
                Q(
                    created_at__lt=Post.objects.filter(pk=post_id).values("created_at")[
                        :1
                    ]
                )
            )
            .count()
        )
        page_number = position // POSTS_PER_PAGE + 1
    return paginator.get_page(page_number)


def post_of(space, post_id: int, user) -> Post:
    post = (
        Post.objects.filter(space=space, pk=post_id)
        .select_related("thread", "author", "space")
        .first()
    )
    if post is None or (post.hidden and not can_moderate_space(user, space)):
        raise Http404
    return post


def search(space, user, query: str):
    """Visible posts of ``space`` that match ``query``, through the host's
    search backend (database, Elasticsearch or OpenSearch)."""
    queryset = Post.objects.filter(space=space)
    if not can_moderate_space(user, space):
        queryset = queryset.filter(hidden=False)
    backend = get_search_backend()
    results = backend.search(query, queryset)
    ids = [p.pk for p in results[:200]]
    found = Post.objects.filter(pk__in=ids).select_related("thread", "author")
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(found, key=lambda p: order[p.pk])


def members(space):
    return (
        SpaceMembership.objects.filter(space=space)
        .select_related("user")
        .order_by("status", "-role", "-created_at")
    )


def pending_requests(space):
    return members(space).filter(status=MembershipStatus.REQUESTED)


def member_page(space, page_number):
    active = members(space).filter(status=MembershipStatus.ACTIVE)
    return Paginator(active, MEMBERS_PER_PAGE).get_page(page_number)
