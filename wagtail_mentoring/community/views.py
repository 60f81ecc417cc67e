"""Front-end views of community spaces; each calls one service.

The space's own page (a Wagtail page) shows its body, your membership and its
discussions. Everything else lives under ``spaces/<id>/``: discussions of a
space you join by request or invitation answer 404 to anyone else.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wagtail_mentoring.community import selectors, services
from wagtail_mentoring.community.forms import (
    EditForm,
    InviteForm,
    ReasonForm,
    ReplyForm,
    RequestForm,
    ThreadForm,
)
from wagtail_mentoring.community.models import MembershipStatus, SpaceMembership
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.permissions import (
    can_moderate_space,
    can_post_in_space,
    can_read_space,
    space_membership,
)
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/community/"


def space_page_context(space, request) -> dict:
    """What the space's page shows the person reading it."""
    user = request.user
    readable = can_read_space(user, space)
    context = {
        **frontend_context(),
        "membership": space_membership(user, space),
        "can_read": readable,
        "can_post": can_post_in_space(user, space),
        "is_moderator": can_moderate_space(user, space),
        "request_form": RequestForm(),
        "login_url": resolve_url(settings.LOGIN_URL)
        + "?"
        + urlencode({"next": request.path}),
    }
    if readable:
        context["threads"] = selectors.thread_page(space, user, request.GET.get("page"))
    if context["is_moderator"]:
        context["pending_count"] = selectors.pending_requests(space).count()
    return context


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def space_view(view):
    """Sign-in required; the space's discussions must be readable, else 404."""

    @wraps(view)
    def wrapper(request, space_id: int, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        space = selectors.readable_space(request, space_id)
        return view(request, space, *args, **kwargs)

    return wrapper


def moderator_view(view):
    """The space's moderators only; anyone else gets 404."""

    @wraps(view)
    def wrapper(request, space_id: int, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        space = selectors.live_space(request, space_id)
        if not can_moderate_space(request.user, space):
            raise Http404
        return view(request, space, *args, **kwargs)

    return wrapper


def _back_to_space(space):
    return redirect(space.url or "/")


def _thread_url(thread) -> str:
    return reverse(
        "wagtail_mentoring:community_thread", args=[thread.space_id, thread.pk]
    )


def _page(request, space, template, context, status=200):
    return render_page(
        request,
        T + template,
        {
            "space": space,
            "is_moderator": can_moderate_space(request.user, space),
            "can_post": can_post_in_space(request.user, space),
            **context,
        },
        status=status,
    )


def _act(request, space, action, success: str):
    """Run a membership service; say what happened, or why not."""
    try:
        action()
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return _back_to_space(space)


# --- Membership ------------------------------------------------------------------


@require_POST
@signed_in
def join(request, space_id: int):
    space = selectors.live_space(request, space_id)
    return _act(
        request,
        space,
        lambda: services.join_space(space, request.user),
        _("Welcome to %(space)s.") % {"space": space.title},
    )


@require_POST
@signed_in
def ask_to_join(request, space_id: int):
    space = selectors.live_space(request, space_id)
    form = RequestForm(request.POST)
    form.is_valid()
    return _act(
        request,
        space,
        lambda: services.request_to_join(
            space, request.user, form.cleaned_data.get("message", "")
        ),
        _("Your request was sent to the moderators."),
    )


@require_POST
@signed_in
def decline_invitation(request, space_id: int):
    space = selectors.live_space(request, space_id)
    return _act(
        request,
        space,
        lambda: services.decline_invitation(space, request.user),
        _("Invitation declined."),
    )


@require_POST
@signed_in
def leave(request, space_id: int):
    space = selectors.live_space(request, space_id)
    return _act(
        request,
        space,
        lambda: services.leave_space(space, request.user),
        _("You left %(space)s.") % {"space": space.title},
    )


@moderator_view
def members(request, space):
    invite_form = InviteForm(request.POST or None)
    if request.method == "POST" and invite_form.is_valid():
        handle = invite_form.cleaned_data["handle"].strip()
        User = get_user_model()
        invitee = User.objects.filter(
            **{f"{User.USERNAME_FIELD}__iexact": handle}, is_active=True
        ).first()
        try:
            if invitee is None:
                raise MentoringError(
                    _("Nobody active signs in as “%(handle)s”.") % {"handle": handle}
                )
            services.invite(space, invitee, request.user)
        except MentoringError as error:
            invite_form.add_error("handle", error)
        else:
            messages.success(request, _("Invitation sent."))
            return redirect(request.path)
    return _page(
        request,
        space,
        "members.html",
        {
            "requests": selectors.pending_requests(space),
            "members": selectors.member_page(space, request.GET.get("page")),
            "invite_form": invite_form,
        },
        status=400 if invite_form.errors else 200,
    )


def _space_membership(space, membership_id) -> SpaceMembership:
    return get_object_or_404(
        SpaceMembership.objects.select_related("user", "space"),
        space=space,
        pk=membership_id,
    )


@require_POST
@moderator_view
def manage_member(request, space, membership_id: int):
    membership = _space_membership(space, membership_id)
    action = request.POST.get("action")
    by = request.user
    actions = {
        "approve": lambda: services.decide_request(membership, by, approve=True),
        "decline": lambda: services.decide_request(membership, by, approve=False),
        "remove": lambda: services.remove_member(
            membership, by, request.POST.get("reason", "")
        ),
        "make_moderator": lambda: services.set_role(membership, "moderator", by),
        "make_member": lambda: services.set_role(membership, "member", by),
    }
    if action not in actions:
        messages.error(request, _("Choose what to do."))
    else:
        try:
            actions[action]()
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done."))
    return redirect("wagtail_mentoring:community_members", space.pk)


# --- Discussions -----------------------------------------------------------------


@space_view
def new_thread(request, space):
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                space,
                request.user,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                is_question=form.cleaned_data["is_question"],
            )
        except MentoringError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your discussion is open."))
            return redirect(_thread_url(thread))
    return _page(
        request,
        space,
        "new_thread.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _thread_page(request, space, thread, form, status=200):
    user = request.user
    page = selectors.post_page(
        thread, user, request.GET.get("page"), post_id=request.GET.get("post")
    )
    first_id = (
        thread.posts.order_by("created_at", "pk").values_list("pk", flat=True).first()
    )
    return _page(
        request,
        space,
        "thread.html",
        {
            "thread": thread,
            "posts": page,
            "first_post_id": first_id,
            "form": form,
            "can_mark_answer": thread.is_question
            and (
                can_moderate_space(user, space)
                or (thread.author_id == user.pk and can_post_in_space(user, space))
            ),
        },
        status=status,
    )


@require_GET
@space_view
def thread(request, space, thread_id: int):
    thread = selectors.thread_of(space, request.user, thread_id)
    return _thread_page(request, space, thread, ReplyForm())


@require_POST
@space_view
def post_reply(request, space, thread_id: int):
    thread = selectors.thread_of(space, request.user, thread_id)
    form = ReplyForm(request.POST)
    form.is_valid()
    try:
        post = services.reply(thread, request.user, form.cleaned_data.get("body", ""))
    except MentoringError as error:
        form.add_error("body", error)
        return _thread_page(request, space, thread, form, status=400)
    return redirect(f"{_thread_url(thread)}?post={post.pk}#post-{post.pk}")


@require_POST
@space_view
def moderate_thread(request, space, thread_id: int):
    thread = selectors.thread_of(space, request.user, thread_id)
    by = request.user
    actions = {
        "pin": lambda: services.set_pinned(thread, by, True),
        "unpin": lambda: services.set_pinned(thread, by, False),
        "lock": lambda: services.set_locked(thread, by, True),
        "unlock": lambda: services.set_locked(thread, by, False),
    }
    action = actions.get(request.POST.get("action"))
    if action is None:
        messages.error(request, _("Choose what to do."))
    else:
        try:
            action()
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done."))
    return redirect(_thread_url(thread))


@require_POST
@space_view
def mark_answer(request, space, post_id: int):
    post = selectors.post_of(space, post_id, request.user)
    thread = post.thread
    thread.space = space
    undo = request.POST.get("action") == "unmark"
    try:
        services.mark_answered(thread, None if undo else post, request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Answer unmarked.") if undo else _("Marked as the answer.")
        )
    return redirect(f"{_thread_url(thread)}?post={post.pk}#post-{post.pk}")


@require_POST
@space_view
def helpful(request, space, post_id: int):
    post = selectors.post_of(space, post_id, request.user)
    post.space = space
    try:
        services.toggle_helpful(post, request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_thread_url(post.thread)}?post={post.pk}#post-{post.pk}")


@space_view
def edit_post(request, space, post_id: int):
    post = selectors.post_of(space, post_id, request.user)
    post.space = space
    user = request.user
    if not (
        can_moderate_space(user, space)
        or (post.author_id == user.pk and can_post_in_space(user, space))
    ):
        raise Http404
    form = EditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post, user, form.cleaned_data["body"])
        except MentoringError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Post updated."))
            return redirect(f"{_thread_url(post.thread)}?post={post.pk}#post-{post.pk}")
    return _page(
        request,
        space,
        "edit_post.html",
        {"form": form, "post": post, "thread": post.thread},
        status=400 if form.errors else 200,
    )


@space_view
def report_post(request, space, post_id: int):
    post = selectors.post_of(space, post_id, request.user)
    post.space = space
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = _("What is wrong with this post?")
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(post, request.user, form.cleaned_data["reason"])
        except MentoringError as error:
            form.add_error("reason", error)
        else:
            messages.success(
                request, _("Thank you. The moderators will look at this post.")
            )
            return redirect(_thread_url(post.thread))
    return _page(
        request,
        space,
        "report_post.html",
        {"form": form, "post": post, "thread": post.thread},
        status=400 if form.errors else 200,
    )


@space_view
def hide_post(request, space, post_id: int):
    post = selectors.post_of(space, post_id, request.user)
    post.space = space
    if not can_moderate_space(request.user, space):
        raise Http404
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = _("Why is this post hidden?")
    if request.method == "POST":
        form.is_valid()
        try:
            if request.POST.get("action") == "show":
                services.unhide_post(post, request.user)
            else:
                services.hide_post(post, request.user, form.cleaned_data["reason"])
        except MentoringError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("Done."))
            return redirect(f"{_thread_url(post.thread)}?post={post.pk}#post-{post.pk}")
    return _page(
        request,
        space,
        "hide_post.html",
        {"form": form, "post": post, "thread": post.thread},
        status=400 if form.errors else 200,
    )


@space_view
def search(request, space):
    query = (request.GET.get("q") or "").strip()[:200]
    results = selectors.search(space, request.user, query) if query else []
    return _page(request, space, "search.html", {"query": query, "results": results})


@signed_in
def my_spaces(request):
    memberships = (
        SpaceMembership.objects.filter(
            user=request.user,
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED],
        )
        .select_related("space")
        .order_by("space__title")
    )
    return render_page(request, T + "my_spaces.html", {"memberships": memberships})
