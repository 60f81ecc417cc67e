"""Space membership: join an open space, ask to join one that takes members by
request, leave; the services of the space page's buttons.

Replying in a discussion is ``PostList``'s POST (``views.py``).
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response

from wagtail_mentoring.api import serializers_me as sm
from wagtail_mentoring.api.base import APIBase, StrictSerializer, documented
from wagtail_mentoring.api.views import ERRORS
from wagtail_mentoring.community import selectors as community_selectors
from wagtail_mentoring.community import services as community


class AskInput(StrictSerializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class JoinSpace(APIBase):
    """Join an open space, or accept my standing invitation to it."""

    @documented(request=None, responses={200: sm.MembershipSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = community_selectors.live_space(space_id)
        membership = community.join_space(space, request.user)
        return Response(sm.MembershipSerializer(membership).data)


class AskToJoinSpace(APIBase):
    """Ask the moderators of a space that takes members by request."""

    @documented(request=AskInput, responses={200: sm.MembershipSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = community_selectors.live_space(space_id)
        data = self.input(AskInput)
        membership = community.request_to_join(
            space, request.user, data.get("message", "")
        )
        return Response(sm.MembershipSerializer(membership).data)


class LeaveSpace(APIBase):
    """Leave a space (or take back my request to join); my posts stay."""

    @documented(request=None, responses={200: sm.MembershipSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = community_selectors.live_space(space_id)
        membership = community.leave_space(space, request.user)
        return Response(sm.MembershipSerializer(membership).data)
