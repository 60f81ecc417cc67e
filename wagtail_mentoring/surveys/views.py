"""Where a participant sees the surveys they were asked and answers one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.surveys import services
from wagtail_mentoring.surveys.forms import SurveyAnswerForm
from wagtail_mentoring.surveys.models import SurveyInvitation
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/surveys/"


@require_GET
def my_surveys(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    return render_page(
        request,
        T + "my_surveys.html",
        {"invitations": list(services.open_invitations(request.user))},
    )


def answer(request, pk: int):
    if not request.user.is_authenticated:
        return login_redirect(request)
    # Someone else's invitation does not exist, as far as the viewer knows.
    invitation = (
        SurveyInvitation.objects.filter(pk=pk, user=request.user)
        .select_related("survey__program")
        .first()
    )
    if invitation is None:
        raise Http404
    survey = invitation.survey
    if not invitation.is_open():
        return render_page(
            request, T + "closed.html", {"invitation": invitation, "survey": survey}
        )
    form = SurveyAnswerForm(request.POST or None, survey=survey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_survey(invitation, request.user, form.answers())
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you for your answers."))
                return redirect(reverse("wagtail_mentoring:my_surveys"))
        status = 400
    return render_page(
        request,
        T + "answer.html",
        {"invitation": invitation, "survey": survey, "form": form},
        status=status,
    )
