"""Front-end views: apply to a program, withdraw an application."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.services import profile_of
from wagtail_mentoring.programs import services
from wagtail_mentoring.programs.forms import ApplicationForm, ProfileForm
from wagtail_mentoring.programs.models import Enrollment
from wagtail_mentoring.views import login_redirect, render_page

APPLY_TEMPLATE = "wagtail_mentoring/programs/apply.html"


def apply(request, program):
    """The application form of ``program`` (a routable page sub-view)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    profile = profile_of(request.user)
    live = Enrollment.objects.filter(user=request.user, program=program).live()
    if request.method == "POST":
        form = ApplicationForm(request.POST, program=program)
        profile_form = ProfileForm(request.POST, instance=profile, prefix="profile")
        if form.is_valid() and profile_form.is_valid():
            try:
                with transaction.atomic():
                    profile_form.save()
                    services.apply_to_program(
                        request.user,
                        program,
                        form.cleaned_data["role"],
                        answers=form.answers(),
                        motivation=form.cleaned_data["motivation"],
                        capacity=form.cleaned_data.get("capacity"),
                        circle_topic=form.cleaned_data.get("circle_topic", ""),
                    )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you, your application to %(program)s was received.")
                    % {"program": program.title},
                )
                return redirect("wagtail_mentoring:my_mentoring")
        status = 400
    else:
        form = ApplicationForm(program=program)
        profile_form = ProfileForm(instance=profile, prefix="profile")
        status = 200
    return render_page(
        request,
        APPLY_TEMPLATE,
        {
            "page": program,
            "self": program,
            "form": form,
            "profile_form": profile_form,
            "live_enrollments": live,
            "open_now": program.is_open(),
        },
        status=status,
    )


@require_POST
def withdraw(request, pk: int):
    if not request.user.is_authenticated:
        return login_redirect(request)
    # Someone else's application is "not found", not "forbidden": no probing.
    enrollment = get_object_or_404(Enrollment, pk=pk, user=request.user)
    try:
        services.withdraw_application(enrollment, request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your application to %(program)s was withdrawn.")
            % {"program": enrollment.program.title},
        )
    return redirect("wagtail_mentoring:my_mentoring")
