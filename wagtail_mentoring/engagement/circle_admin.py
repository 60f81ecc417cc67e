"""The program admins' page of a circle: place approved mentees, take them
out, move them to another circle, change the topic and joining, end it. Thin:
``engagement.circles`` decides, authorizes and audit-logs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from wagtail_mentoring.engagement import circles
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import can_administer
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    Relationship,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.programs.selectors import circles_of


def _circle_action(request, circle, action: str) -> str:
    """Run one admin action on ``circle``; returns the message to show."""
    User = get_user_model()
    data = request.POST
    person = (
        User.objects.filter(pk=data.get("user")).first() if data.get("user") else None
    )
    if action in ("place", "remove", "move") and person is None:
        raise MentoringError(_("Choose a person."), code="person")
    if action == "place":
        circles.add_to_circle(circle, person, request.user)
        return _("%(name)s is now in the circle.") % {"name": display_name(person)}
    if action == "remove":
        circles.leave_circle(
            circle, person, request.user, reason=data.get("reason", "")
        )
        return _("%(name)s is no longer in the circle.") % {
            "name": display_name(person)
        }
    if action == "move":
        target = (
            Relationship.objects.filter(
                pk=data.get("target") or None, program=circle.program
            ).first()
            if (data.get("target") or "").isdigit()
            else None
        )
        if target is None:
            raise MentoringError(_("Choose the circle to move to."), code="target")
        circles.move_to_circle(circle, target, person, request.user)
        return _("%(name)s moved to another circle.") % {"name": display_name(person)}
    if action == "update":
        circles.update_circle(
            circle,
            request.user,
            topic=data.get("topic", ""),
            open_to_join=bool(data.get("open_to_join")),
        )
        return _("Circle saved.")
    if action == "end":
        circles.end_circle(circle, request.user, reason=data.get("reason", ""))
        return _("The circle has ended. Everyone was told.")
    raise MentoringError(_("Unknown action."), code="action")


def manage_circle(request, pk: int):
    """A program admin places mentees in a circle, takes them out, moves them
    to another circle of the program, renames or ends it."""
    circle = get_object_or_404(
        Relationship.objects.select_related("program").filter(
            program__kind=ProgramKind.GROUP
        ),
        pk=pk,
    )
    if not can_administer(request.user, circle.program):
        raise Http404
    here = reverse("wm_relationships:circle", args=[circle.pk])
    if request.method == "POST":
        try:
            done = _circle_action(request, circle, request.POST.get("action", ""))
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect(here)
    circle = circles_of(circle.program).filter(pk=circle.pk).first() or circle
    others = [c for c in circles_of(circle.program) if c.pk != circle.pk]
    in_circles = RelationshipMember.objects.filter(
        relationship__program=circle.program,
        relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
        role=Role.MENTEE,
    ).values("user_id")
    waiting = [
        e.user
        for e in Enrollment.objects.filter(
            program=circle.program,
            role=Role.MENTEE,
            status=EnrollmentStatus.APPROVED,
            user__is_active=True,
        )
        .exclude(user_id__in=in_circles)
        .select_related("user")
        .order_by("pk")
    ]
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/manage_circle.html",
        {
            "circle": circle,
            "others": others,
            "waiting": waiting,
            "inspect_url": reverse("wm_relationships:inspect", args=[circle.pk]),
        },
    )
