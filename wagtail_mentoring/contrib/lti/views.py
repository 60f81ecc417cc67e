"""The LTI endpoints: OIDC login initiation, launch, JWKS, deep linking, hand-off.

They are public (the LMS and the learner's browser call them without a session),
so each refuses anything it cannot verify with an error page that says what was
wrong (403), logged, and never a sign-in page.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import Key, LtiContext, LtiLaunch, LtiRegistration, LtiUser
from lti_tool.utils import sync_data_from_launch
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.journeys.report import program_funnel
from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import report_scope
from wagtail_mentoring.programs.models import Role

from . import course, grades, people, roster, targets
from .framing import frameable_by_platforms
from .launch import LaunchRefused, restored_launch, save_state, validated_launch

logger = logging.getLogger(__name__)

HANDOFF_KEY = "wm-lti-handoff:{}"
DEEP_LINK_KEY = "wm-lti-deep-link:{}"
PENDING_SESSION_KEY = "wm_lti_pending_link"
HANDOFF_TTL = 300
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
TEACHING_ROLES = {
    ContextRole.INSTRUCTOR,
    ContextRole.ADMINISTRATOR,
    ContextRole.CONTENT_DEVELOPER,
}


def refuse(request, error: LaunchRefused):
    logger.warning(
        "LTI request refused (%s) from %s: %s",
        error.code,
        request.META.get("REMOTE_ADDR"),
        error.detail,
    )
    return render(
        request,
        "wagtail_mentoring_lti/refused.html",
        {"reason": error.reason, "code": error.code},
        status=403,
    )


def launch_url(request) -> str:
    return request.build_absolute_uri(reverse("wagtail_mentoring_lti:launch"))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@frameable_by_platforms
def oidc_login(request):
    """Third-party initiated login: answer with the platform's auth request."""
    params = request.POST if request.method == "POST" else request.GET
    issuer, login_hint = params.get("iss"), params.get("login_hint")
    if not issuer or not login_hint or not params.get("target_link_uri"):
        return refuse(request, LaunchRefused("missing_params"))
    registrations = LtiRegistration.objects.active().filter(issuer=issuer)
    if params.get("client_id"):
        registrations = registrations.filter(client_id=params["client_id"])
    registration = registrations.first() if registrations.count() == 1 else None
    if registration is None:
        return refuse(request, LaunchRefused("unknown_platform", issuer))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    save_state(state, nonce, registration.pk)
    auth = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": launch_url(request),
        "state": state,
        "nonce": nonce,
        "login_hint": login_hint,
    }
    if params.get("lti_message_hint"):
        auth["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in registration.auth_url else "?"
    return HttpResponseRedirect(registration.auth_url + separator + urlencode(auth))


def _roles(lti_launch: LtiLaunch) -> set[str]:
    return {normalize_role(role) for role in lti_launch.roles_claim or []}


@csrf_exempt
@require_http_methods(["POST"])
@frameable_by_platforms
def launch(request):
    """The authentication response: a validated id_token, then the learner's page."""
    try:
        message_launch = validated_launch(request)
    except LaunchRefused as error:
        return refuse(request, error)
    lti_launch = LtiLaunch(message_launch)
    sync_data_from_launch(lti_launch)
    if lti_launch.is_deep_link_launch:
        if not _roles(lti_launch) & TEACHING_ROLES:
            return refuse(request, LaunchRefused("not_instructor"))
        token = secrets.token_urlsafe(32)
        cache.set(DEEP_LINK_KEY.format(token), lti_launch.get_launch_id(), 3600)
        return render(
            request,
            "wagtail_mentoring_lti/deep_link_chooser.html",
            {
                "choices": targets.choices(),
                "token": token,
                "course": lti_launch.context_claim or {},
            },
        )
    if not lti_launch.is_resource_launch:
        return refuse(request, LaunchRefused("bad_message"))
    target = targets.resolve(lti_launch.get_claim(CUSTOM_CLAIM))
    if target is None:
        return refuse(request, LaunchRefused("no_target"))
    lti_user = lti_launch.user
    course.record_placement(lti_launch.context, target.page)
    if isinstance(target.page, LearningJourneyPage):
        grades.record_line_item(lti_user, target.page, lti_launch.ags_claim)
    user = people.host_user_for(lti_user)
    if user is not None:
        roster.enrol_pending(lti_user, user)
    continue_url = _handoff(user, lti_user, target.url)
    report_url = None
    if _roles(lti_launch) & TEACHING_ROLES:
        report_url = _handoff(
            user,
            lti_user,
            reverse("wagtail_mentoring_lti:course", args=[lti_launch.context.pk]),
        )
    if lti_launch.document_target == "window":
        return HttpResponseRedirect(continue_url)
    # Inside the LMS's frame the intranet's session cookie would be a
    # third-party cookie, which browsers block: the learner continues in a
    # window of its own, where the intranet is first-party.
    return render(
        request,
        "wagtail_mentoring_lti/open_in_window.html",
        {"continue_url": continue_url, "target": target, "report_url": report_url},
    )


def _handoff(user, lti_user, url: str) -> str:
    """A single-use link that continues the launch in a first-party window."""
    token = secrets.token_urlsafe(32)
    cache.set(
        HANDOFF_KEY.format(token),
        {"user": str(user.pk) if user else None, "lti_user": lti_user.pk, "url": url},
        HANDOFF_TTL,
    )
    return reverse("wagtail_mentoring_lti:continue", args=[token])


@login_required
@require_http_methods(["GET", "POST"])
def course_report(request, context_pk: int):
    """A course's learners and their part in the placed pages (instructors)."""
    context = LtiContext.objects.filter(pk=context_pk).first()
    if context is None or not course.is_instructor(request.user, context):
        raise Http404
    action = request.POST.get("action", "refresh")
    if request.method == "POST" and action in ("preview", "enrol"):
        return _enrol_learners(request, context, action)
    if request.method == "POST":
        try:
            count = course.refresh_members(context)
        except LtiException as error:
            logger.warning("NRPS refresh of context %s failed: %s", context.pk, error)
            messages.error(request, _("The course platform did not send its members."))
        else:
            messages.success(
                request, _("%(count)d course members fetched.") % {"count": count}
            )
        return HttpResponseRedirect(request.path)
    pages, rows = course.report(context)
    funnels = []
    for program in course.course_programs([context.pk]):
        scope = report_scope(request.user, program)
        if scope is not None:
            funnels.append((program, program_funnel(program, scope.people)))
    return render(
        request,
        "wagtail_mentoring_lti/course_report.html",
        {
            "course": context,
            "pages": pages,
            "rows": rows,
            "funnels": funnels,
            "can_refresh": bool(context.memberships_url),
            "destinations": roster.destinations(context, request.user),
            "roles": Role.choices,
            **frontend_context(),
        },
    )


def _enrol_learners(request, context, action):
    """Preview, then enrol the course's learners in a program or a cohort."""
    target = roster.destination(
        context, request.user, request.POST.get("destination", "")
    )
    role = request.POST.get("role", "")
    if target is None or role not in Role.values:
        messages.error(request, _("Choose a program of this course and a role."))
        return HttpResponseRedirect(request.path)
    try:
        if action == "enrol":
            done = roster.enrol(context, target, role, by=request.user)
        else:
            plan = roster.preview(context, target, role, by=request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(request.path)
    if action == "enrol":
        messages.success(
            request,
            _(
                "%(enrolled)d learners enrolled (%(linked)d linked by email), "
                "%(already)d already taking part, %(pending)d to be enrolled "
                "on their first launch."
            )
            % vars(done),
        )
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "wagtail_mentoring_lti/enrol_preview.html",
        {
            "course": context,
            "plan": plan,
            "new": [display_name(u) for u in plan.new]
            + [display_name(u) for _lti, u in plan.by_email if u not in plan.already],
            "by_email": [display_name(u) for _lti, u in plan.by_email],
            "already": [display_name(u) for u in plan.already],
            "unlinked": [u.name or u.sub for u in plan.unlinked],
            "pending": [u.name or u.sub for u in plan.pending],
            **frontend_context(),
        },
    )


@require_GET
def continue_launch(request, token: str):
    """First-party hand-off: sign the linked person in, or ask them to link."""
    handoff = cache.get(HANDOFF_KEY.format(token))
    if handoff is None or not cache.delete(HANDOFF_KEY.format(token)):
        return refuse(request, LaunchRefused("expired_handoff"))
    if handoff["user"] is not None:
        user = LtiUser.objects.get(pk=handoff["lti_user"]).auth_user
        if request.user.pk != user.pk:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return HttpResponseRedirect(handoff["url"])
    request.session[PENDING_SESSION_KEY] = {
        "lti_user": handoff["lti_user"],
        "url": handoff["url"],
    }
    link_url = reverse("wagtail_mentoring_lti:link")
    if request.user.is_authenticated:
        return HttpResponseRedirect(link_url)
    return HttpResponseRedirect(
        f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': link_url})}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_account(request):
    """Once signed in with the intranet: confirm, then link the course account."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return refuse(request, LaunchRefused("expired_handoff"))
    lti_user = LtiUser.objects.select_related("registration").get(
        pk=pending["lti_user"]
    )
    if request.method == "POST":
        try:
            people.link(lti_user, request.user, how="sign-in")
        except PermissionError:
            return refuse(request, LaunchRefused("no_account"))
        roster.enrol_pending(lti_user, request.user)
        del request.session[PENDING_SESSION_KEY]
        return HttpResponseRedirect(pending["url"])
    return render(
        request,
        "wagtail_mentoring_lti/link_account.html",
        {"lti_user": lti_user, **frontend_context()},
    )


@csrf_exempt
@require_http_methods(["POST"])
@frameable_by_platforms
def deep_link_return(request):
    """The course author's choice, returned to the LMS as a signed response."""
    token = request.POST.get("token", "")
    launch_id = cache.get(DEEP_LINK_KEY.format(token)) if token else None
    if launch_id is None:
        return refuse(request, LaunchRefused("expired_handoff"))
    try:
        message_launch = restored_launch(request, launch_id)
    except LaunchRefused as error:
        return refuse(request, error)
    chosen = {f"{t.page.pk}:{t.step_id}": t for t in targets.choices()}.get(
        request.POST.get("target", "")
    )
    if chosen is None:
        return render(
            request,
            "wagtail_mentoring_lti/deep_link_chooser.html",
            {"choices": targets.choices(), "token": token, "error": True},
            status=400,
        )
    cache.delete(DEEP_LINK_KEY.format(token))
    resource = (
        DeepLinkResource()
        .set_url(launch_url(request))
        .set_title(chosen.title)
        .set_custom_params(chosen.custom)
    )
    deep_link = message_launch.get_deep_link()
    return render(
        request,
        "wagtail_mentoring_lti/deep_link_return.html",
        {
            "return_url": deep_link._deep_link_settings["deep_link_return_url"],
            "jwt": deep_link.get_response_jwt([resource]),
            "chosen": chosen,
        },
    )


@require_GET
def jwks(request):
    """The tool's public keys, for platforms verifying what the tool signs."""
    return JsonResponse(Key.objects.as_jwks())
