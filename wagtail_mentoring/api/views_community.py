"""Space membership: join an open space, ask to join one that takes members by
request, leave; the services of the space page's buttons. And what the
discussion page lets a reader do to a post: edit my own, report one, find it
helpful, mark the answer to my question.

Starting a discussion and replying are ``ThreadList``'s and ``PostList``'s
POSTs (``views.py``).
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response

from wagtail_mentoring.api import serializers as s
from wagtail_mentoring.api import serializers_me as sm
from wagtail_mentoring.api.base import APIBase, StrictSerializer, documented
from wagtail_mentoring.api.views import ERRORS, SpaceMixin
from wagtail_mentoring.community import selectors as community_selectors
from wagtail_mentoring.community import services as community
from wagtail_mentoring.community.models import Post, Reaction, ReactionKind
from wagtail_mentoring.permissions import can_moderate_space, can_post_in_space


class AskInput(StrictSerializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class JoinSpace(APIBase):
    """Join an open space, or accept my standing invitation to it."""

    @documented(request=None, responses={200: sm.MembershipSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = community_selectors.live_space(request, space_id)
        membership = community.join_space(space, request.user)
        return Response(sm.MembershipSerializer(membership).data)


class AskToJoinSpace(APIBase):
    """Ask the moderators of a space that takes members by request."""

    @documented(request=AskInput, responses={200: sm.MembershipSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = community_selectors.live_space(request, space_id)
        data = self.input(AskInput)
        membership = community.request_to_join(
            space, request.user, data.get("message", "")
        )
        return Response(sm.MembershipSerializer(membership).data)


class LeaveSpace(APIBase):
    """Leave a space (or take back my request to join); my posts stay."""

    @documented(request=None, responses={200: sm.MembershipSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = community_selectors.live_space(request, space_id)
        membership = community.leave_space(space, request.user)
        return Response(sm.MembershipSerializer(membership).data)


# --- A post of a discussion ----------------------------------------------------------


class PostMixin(SpaceMixin):
    """The post of the URL as the discussion page finds it: in a space I may
    read, and hidden ones for its moderators only; else 404."""

    def the_post(self) -> Post:
        space = self.space()
        post = community_selectors.post_of(
            space, self.kwargs["post_id"], self.request.user
        )
        post.space = space
        return post


class EditPost(PostMixin, APIBase):
    """Correct my post (a moderator, anyone's); the text replaces it."""

    @documented(request=sm.PostBodyInput, responses={200: s.PostSerializer, **ERRORS})
    def post(self, request, space_id: int, post_id: int):
        post = self.the_post()
        # As the edit page: a post I may not edit is not found.
        if not (
            can_moderate_space(request.user, post.space)
            or (
                post.author_id == request.user.pk
                and can_post_in_space(request.user, post.space)
            )
        ):
            raise Http404
        data = self.input(sm.PostBodyInput)
        post = community.edit_post(post, request.user, data["body"])
        return Response(s.PostSerializer(post).data)


class ReportPost(PostMixin, APIBase):
    """Tell the space's moderators a post should not be there."""

    @documented(
        request=sm.ReasonInput, responses={201: sm.PostReportSerializer, **ERRORS}
    )
    def post(self, request, space_id: int, post_id: int):
        post = self.the_post()
        data = self.input(sm.ReasonInput)
        report = community.report_post(post, request.user, data["reason"])
        return Response(sm.PostReportSerializer(report).data, status=201)


class MarkHelpful(PostMixin, APIBase):
    """Find a post helpful, or take it back (the page's toggle)."""

    @documented(request=None, responses={200: sm.HelpfulSerializer, **ERRORS})
    def post(self, request, space_id: int, post_id: int):
        post = self.the_post()
        helpful = community.toggle_helpful(post, request.user)
        count = Reaction.objects.filter(post=post, kind=ReactionKind.HELPFUL).count()
        data = {"post": post.pk, "helpful": helpful, "count": count}
        return Response(sm.HelpfulSerializer(data).data)


class MarkAnswer(PostMixin, APIBase):
    """Who asked (or a moderator) marks the reply that answered the question;
    ``unmark`` takes the mark back."""

    @documented(request=sm.AnswerInput, responses={200: sm.AnswerSerializer, **ERRORS})
    def post(self, request, space_id: int, post_id: int):
        post = self.the_post()
        thread = post.thread
        thread.space = post.space
        data = self.input(sm.AnswerInput)
        thread = community.mark_answered(
            thread, None if data["unmark"] else post, request.user
        )
        return Response(sm.AnswerSerializer(thread).data)
