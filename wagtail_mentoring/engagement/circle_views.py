"""Front-end views of circles: join an open circle from the program page,
leave it, and (the facilitator) change or end it. Thin: the services in
``engagement.circles`` decide."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail_mentoring.engagement import circles
from wagtail_mentoring.engagement.forms import OptionalReasonForm, ReasonForm
from wagtail_mentoring.engagement.views import _error, _form_page, member_view
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import GIVING_ROLES, ProgramKind, Relationship
from wagtail_mentoring.views import login_redirect


class CircleForm(forms.Form):
    topic = forms.CharField(
        label=gettext_lazy("Topic"),
        max_length=circles.TOPIC_MAX,
        required=False,
        help_text=gettext_lazy("What the circle is about, shown to mentees."),
    )
    open_to_join = forms.BooleanField(
        label=gettext_lazy("Mentees may join this circle themselves"),
        required=False,
        help_text=gettext_lazy("Until it is full."),
    )


class LeaveForm(OptionalReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Shown to the facilitator.")


@require_POST
def join(request, pk: int):
    """Join an open circle (the button on the group program's page)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    circle = get_object_or_404(
        Relationship.objects.select_related("program").filter(
            program__kind=ProgramKind.GROUP
        ),
        pk=pk,
    )
    try:
        circles.join_circle(circle, request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(circle.program.url or "wagtail_mentoring:my_mentoring")
    messages.success(request, _("Welcome to the circle."))
    return redirect("wagtail_mentoring:relationship", circle.pk)


def _circle_member_view(relationship):
    if not relationship.is_circle or not relationship.is_open:
        raise Http404


def _is_facilitator(relationship, user) -> bool:
    return any(
        m.user_id == user.pk and m.role in GIVING_ROLES
        for m in relationship.members.all()
    )


@member_view
def leave(request, relationship):
    _circle_member_view(relationship)
    if _is_facilitator(relationship, request.user):
        raise Http404
    form = LeaveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                circles.leave_circle(
                    relationship,
                    request.user,
                    request.user,
                    reason=form.cleaned_data["reason"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("You left the circle."))
                return redirect("wagtail_mentoring:my_mentoring")
        status = 400
    return _form_page(
        request,
        relationship,
        form,
        title=_("Leave this circle"),
        intro=_(
            "The facilitator is told. What you wrote stays with the circle; "
            "you can join another circle with seats left."
        ),
        submit=_("Leave the circle"),
        danger=True,
        status=status,
    )


@member_view
def settings(request, relationship):
    """The facilitator names the circle and opens or closes it for joining."""
    _circle_member_view(relationship)
    if not _is_facilitator(relationship, request.user):
        raise Http404
    form = CircleForm(
        request.POST or None,
        initial={
            "topic": relationship.topic,
            "open_to_join": relationship.open_to_join,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                circles.update_circle(relationship, request.user, **form.cleaned_data)
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Circle saved."))
                return redirect("wagtail_mentoring:relationship", relationship.pk)
        status = 400
    return _form_page(
        request,
        relationship,
        form,
        title=_("Your circle"),
        submit=_("Save"),
        status=status,
    )


@member_view
def end(request, relationship):
    _circle_member_view(relationship)
    if not _is_facilitator(relationship, request.user):
        raise Http404
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                circles.end_circle(
                    relationship, request.user, reason=form.cleaned_data["reason"]
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("The circle has ended. Everyone was told."))
                return redirect("wagtail_mentoring:relationship", relationship.pk)
        status = 400
    return _form_page(
        request,
        relationship,
        form,
        title=_("End this circle"),
        intro=_(
            "Every member is told, with your reason. Upcoming meetings are "
            "cancelled. This cannot be undone."
        ),
        submit=_("End the circle"),
        danger=True,
        status=status,
    )
