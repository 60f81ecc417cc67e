"""Business actions in community spaces: membership, discussions, moderation.

Each function is one transaction that authorizes its actor (``by``), writes,
logs to the audit trail and notifies after commit, or raises
:class:`MentoringError` with a message for the person and writes nothing.
``by=None`` means the package itself (following a program's participants).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.community import text
from wagtail_mentoring.community.models import (
    CommunitySpacePage,
    MembershipPolicy,
    MembershipRole,
    MembershipSource,
    MembershipStatus,
    Post,
    PostReport,
    Reaction,
    ReactionKind,
    ReportStatus,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import (
    can_moderate_space,
    can_post_in_space,
    can_read_space,
    forget_space_membership,
    is_active_user,
    is_space_member,
    require,
    require_space_moderator,
)
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus

TITLE_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 1_000


# --- Membership -----------------------------------------------------------------


def _refuse_if_archived(space: CommunitySpacePage) -> None:
    if space.archived:
        raise MentoringError(
            _("%(space)s is archived: it can be read, but not joined or posted in.")
            % {"space": space.title},
            code="archived",
        )


def _check_person(user) -> None:
    require(is_active_user(user), _("Sign in with an active account first."))


def _locked_membership(space, user) -> SpaceMembership | None:
    return (
        SpaceMembership.objects.select_for_update()
        .filter(space=space, user=user)
        .first()
    )


def _save_membership(membership, **fields) -> SpaceMembership:
    for name, value in fields.items():
        setattr(membership, name, value)
    if membership.pk is None:
        membership.save()
    else:
        membership.save(update_fields=[*fields, "updated_at"])
    forget_space_membership(membership.user, membership.space)
    return membership


def _refuse_if_removed(membership) -> None:
    if membership is not None and membership.status == MembershipStatus.REMOVED:
        raise MentoringError(
            _("A moderator removed you from this space; ask them to invite you."),
            code="removed",
        )


def join_space(space: CommunitySpacePage, by) -> SpaceMembership:
    """``by`` joins an open space (or accepts a standing invitation)."""
    _check_person(by)
    _refuse_if_archived(space)
    with transaction.atomic():
        membership = _locked_membership(space, by)
        if membership is not None and membership.status == MembershipStatus.ACTIVE:
            raise MentoringError(
                _("You are already a member of %(space)s.") % {"space": space.title},
                code="duplicate",
            )
        _refuse_if_removed(membership)
        invited = (
            membership is not None and membership.status == MembershipStatus.INVITED
        )
        if space.membership_policy != MembershipPolicy.OPEN and not invited:
            if space.membership_policy == MembershipPolicy.REQUEST:
                message = _("%(space)s takes members by request: ask to join.")
            else:
                message = _("%(space)s takes members by invitation only.")
            raise MentoringError(message % {"space": space.title}, code="closed")
        membership = _save_membership(
            membership or SpaceMembership(space=space, user=by),
            status=MembershipStatus.ACTIVE,
        )
        audit.record(
            membership,
            "wagtail_mentoring.space.accept"
            if invited
            else "wagtail_mentoring.space.join",
            user=by,
        )
    return membership


def request_to_join(
    space: CommunitySpacePage, by, message: str = ""
) -> SpaceMembership:
    """``by`` asks the moderators of a by-request space to let them in."""
    _check_person(by)
    _refuse_if_archived(space)
    message = (message or "").strip()
    if len(message) > 500:
        raise MentoringError(
            _("Keep your message under 500 characters."), code="too_long"
        )
    if space.membership_policy != MembershipPolicy.REQUEST:
        raise MentoringError(
            _("%(space)s does not take requests to join.") % {"space": space.title},
            code="closed",
        )
    with transaction.atomic():
        membership = _locked_membership(space, by)
        _refuse_if_removed(membership)
        if membership is not None and membership.status in (
            MembershipStatus.ACTIVE,
            MembershipStatus.REQUESTED,
        ):
            raise MentoringError(
                _("You are already a member, or have asked to join already."),
                code="duplicate",
            )
        membership = _save_membership(
            membership or SpaceMembership(space=space, user=by),
            status=MembershipStatus.REQUESTED,
            message=message,
        )
        audit.record(membership, "wagtail_mentoring.space.request", user=by)
    return membership


def decide_request(
    membership: SpaceMembership, by, *, approve: bool
) -> SpaceMembership:
    """A moderator lets a person in, or declines their request."""
    space = membership.space
    require_space_moderator(by, space)
    if approve:
        _refuse_if_archived(space)
    with transaction.atomic():
        membership = SpaceMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.status != MembershipStatus.REQUESTED:
            raise MentoringError(
                _("This request was already decided."), code="not_pending"
            )
        status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
        _save_membership(membership, status=status)
        audit.record(
            membership,
            "wagtail_mentoring.space.approve"
            if approve
            else "wagtail_mentoring.space.decline",
            user=by,
        )
        if approve:
            _notify(
                membership.user,
                "space_welcome",
                membership,
                space,
                template="community_welcome",
                context={"space": space, "by": by},
                link=space.url or "",
            )
    return membership


def invite(space: CommunitySpacePage, user, by) -> SpaceMembership:
    """A moderator invites ``user``; they join when they accept."""
    require_space_moderator(by, space)
    _refuse_if_archived(space)
    require(is_active_user(user), _("Only active colleagues can be invited."))
    with transaction.atomic():
        membership = _locked_membership(space, user)
        if membership is not None and membership.status in (
            MembershipStatus.ACTIVE,
            MembershipStatus.INVITED,
        ):
            raise MentoringError(
                _("%(name)s is already a member or invited.")
                % {"name": display_name(user)},
                code="duplicate",
            )
        membership = _save_membership(
            membership or SpaceMembership(space=space, user=user),
            status=MembershipStatus.INVITED,
            invited_by=by,
        )
        audit.record(membership, "wagtail_mentoring.space.invite", user=by)
        _notify(
            user,
            "space_invitation",
            membership,
            membership.updated_at.isoformat(),
            template="community_invitation",
            context={"space": space, "by": by},
            link=space.url or "",
        )
    return membership


def decline_invitation(space: CommunitySpacePage, by) -> SpaceMembership:
    with transaction.atomic():
        membership = _locked_membership(space, by)
        if membership is None or membership.status != MembershipStatus.INVITED:
            raise MentoringError(_("You have no invitation to decline."), code="none")
        _save_membership(membership, status=MembershipStatus.LEFT)
        audit.record(membership, "wagtail_mentoring.space.leave", user=by)
    return membership


def leave_space(space: CommunitySpacePage, by) -> SpaceMembership:
    """``by`` leaves; their posts stay, signed with their name."""
    with transaction.atomic():
        membership = _locked_membership(space, by)
        if membership is None or membership.status not in (
            MembershipStatus.ACTIVE,
            MembershipStatus.REQUESTED,
        ):
            raise MentoringError(
                _("You are not a member of %(space)s.") % {"space": space.title},
                code="not_member",
            )
        _save_membership(membership, status=MembershipStatus.LEFT)
        audit.record(membership, "wagtail_mentoring.space.leave", user=by)
    return membership


def remove_member(membership: SpaceMembership, by, reason: str = "") -> SpaceMembership:
    """A moderator removes a member; they cannot join again unless invited."""
    space = membership.space
    require_space_moderator(by, space)
    reason = (reason or "").strip()[:REASON_MAX]
    require(membership.user_id != by.pk, _("Leave the space instead."))
    with transaction.atomic():
        membership = SpaceMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.status not in (
            MembershipStatus.ACTIVE,
            MembershipStatus.REQUESTED,
            MembershipStatus.INVITED,
        ):
            raise MentoringError(
                _("%(name)s is not a member.")
                % {"name": display_name(membership.user)},
                code="not_member",
            )
        _save_membership(membership, status=MembershipStatus.REMOVED)
        audit.record(
            membership, "wagtail_mentoring.space.remove", user=by, reason=reason
        )
    return membership


def set_role(membership: SpaceMembership, role: str, by) -> SpaceMembership:
    """A moderator makes a member a moderator, or back."""
    require_space_moderator(by, membership.space)
    if role not in MembershipRole.values:
        raise MentoringError(_("Choose member or moderator."), code="invalid")
    with transaction.atomic():
        membership = SpaceMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.status != MembershipStatus.ACTIVE:
            raise MentoringError(
                _("Only members can become moderators."), code="not_member"
            )
        _save_membership(membership, role=role)
        audit.record(membership, "wagtail_mentoring.space.role", user=by, role=role)
    return membership


# --- Following a program's participants ------------------------------------------


def add_program_participants(space: CommunitySpacePage, users) -> int:
    """Make ``users`` (a program's approved participants) members of ``space``.

    Someone a moderator removed stays out, and so does someone who left the
    space on their own; everyone else becomes an active member.
    """
    if space.archived:
        return 0
    users = {u.pk: u for u in users if u.is_active}
    existing = {
        m.user_id: m
        for m in SpaceMembership.objects.select_for_update().filter(
            space=space, user_id__in=list(users)
        )
    }
    added = 0
    for pk, user in users.items():
        membership = existing.get(pk)
        if membership is None:
            membership = SpaceMembership(
                space=space, user=user, source=MembershipSource.PROGRAM
            )
        elif membership.status in (
            MembershipStatus.REQUESTED,
            MembershipStatus.INVITED,
            MembershipStatus.DECLINED,
        ):
            membership.source = MembershipSource.PROGRAM
        else:
            continue
        membership.status = MembershipStatus.ACTIVE
        membership.save()
        forget_space_membership(user, space)
        audit.record(membership, "wagtail_mentoring.space.join")
        added += 1
    return added


def sync_program_space(space: CommunitySpacePage) -> int:
    """Bring a space tied to a program up to date with its participants."""
    if not space.program_id or space.cohort_id:  # cohort spaces: community.cohorts
        return 0
    with transaction.atomic():
        approved = (
            Enrollment.objects.filter(
                program_id=space.program_id, status=EnrollmentStatus.APPROVED
            )
            .select_related("user")
            .distinct()
        )
        return add_program_participants(space, [e.user for e in approved])


def follow_approved_enrollments(enrollments) -> None:
    """Approved participants join their program's spaces (a signal receiver)."""
    by_program: dict[int, list] = {}
    for enrollment in enrollments:
        by_program.setdefault(enrollment.program_id, []).append(enrollment.user)
    for space in CommunitySpacePage.objects.filter(
        program_id__in=list(by_program), cohort__isnull=True
    ):
        add_program_participants(space, by_program[space.program_id])


def follow_withdrawn_enrollment(enrollment) -> None:
    """Who no longer takes part in a program leaves its spaces, unless they
    joined them on their own or still hold another approved role in it."""
    still_in = (
        Enrollment.objects.filter(
            user_id=enrollment.user_id,
            program_id=enrollment.program_id,
            status=EnrollmentStatus.APPROVED,
        )
        .exclude(pk=enrollment.pk)
        .exists()
    )
    if still_in:
        return
    memberships = SpaceMembership.objects.select_for_update().filter(
        space__program_id=enrollment.program_id,
        space__cohort__isnull=True,
        user_id=enrollment.user_id,
        source=MembershipSource.PROGRAM,
        status=MembershipStatus.ACTIVE,
    )
    for membership in memberships:
        membership.status = MembershipStatus.LEFT
        membership.save(update_fields=["status", "updated_at"])
        audit.record(membership, "wagtail_mentoring.space.leave")


# --- Discussions ---------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise MentoringError(_("Write something first."), code="empty")
    if len(body) > BODY_MAX:
        raise MentoringError(
            _("Posts are limited to %(max)d characters; this one has %(n)d.")
            % {"max": BODY_MAX, "n": len(body)},
            code="too_long",
        )
    return body


def _mentions(space, body: str, author) -> dict:
    """The members ``body`` mentions; refuses a mention of anyone else.

    Unknown sign-in names and non-members get the same answer, so a mention
    cannot be used to find out who has an account.
    """
    handles = text.mentioned_handles(body)
    if not handles:
        return {}
    users = text.users_by_handle(handles)
    member_ids = set(
        SpaceMembership.objects.filter(
            space=space,
            status=MembershipStatus.ACTIVE,
            user_id__in=[u.pk for u in users.values()],
        ).values_list("user_id", flat=True)
    )
    outsiders = [h for h in handles if h not in users or users[h].pk not in member_ids]
    if outsiders:
        raise MentoringError(
            _(
                "You can only mention members of this space; not a member: "
                "%(names)s. Remove the @ or invite them first."
            )
            % {"names": ", ".join(f"@{h}" for h in outsiders)},
            code="mention_not_member",
        )
    return users


def _require_can_post(space, by) -> None:
    _check_person(by)
    _refuse_if_archived(space)
    require(
        can_post_in_space(by, space),
        _("Join %(space)s to take part in its discussions.") % {"space": space.title},
        code="not_member",
    )


def _thread_url(thread, post=None) -> str:
    url = reverse(
        "wagtail_mentoring:community_thread", args=[thread.space_id, thread.pk]
    )
    return f"{url}?post={post.pk}#post-{post.pk}" if post is not None else url


def _notify(user, kind, about, occurrence, *, template, context, link):
    transaction.on_commit(
        lambda: notify(
            user,
            kind,
            about,
            occurrence,
            category=Category.COMMUNITY,
            template=template,
            context={**context, "link": link},
            link=link,
        )
    )


def _notify_mentions(post, mentions: dict, author, already=()) -> None:
    for user in mentions.values():
        if user.pk == author.pk or user.pk in already:
            continue
        _notify(
            user,
            "space_mention",
            f"post{post.pk}",
            "mention",
            template="community_mention",
            context={"post": post, "thread": post.thread, "author": author},
            link=_thread_url(post.thread, post),
        )


def _write_post(thread, by, body: str, mentions: dict, now) -> Post:
    return Post.objects.create(
        thread=thread,
        space_id=thread.space_id,
        author=by,
        body=body,
        body_html=text.render(body, mentions),
        created_at=now,
    )


def start_thread(
    space: CommunitySpacePage, by, title: str, body: str, *, is_question: bool = False
) -> Thread:
    """A member opens a discussion; its first post says what it is about."""
    _require_can_post(space, by)
    title = " ".join((title or "").split())
    if not title:
        raise MentoringError(_("Give the discussion a title."), code="empty_title")
    if len(title) > TITLE_MAX:
        raise MentoringError(
            _("Titles are limited to %(max)d characters.") % {"max": TITLE_MAX},
            code="too_long",
        )
    body = _clean_body(body)
    mentions = _mentions(space, body, by)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            space=space,
            title=title,
            author=by,
            is_question=bool(is_question),
            created_at=now,
            last_activity_at=now,
        )
        post = _write_post(thread, by, body, mentions, now)
        audit.record(thread, "wagtail_mentoring.space.thread", user=by)
        _notify_mentions(post, mentions, by)
    return thread


def reply(thread: Thread, by, body: str) -> Post:
    """A member replies; the thread's author hears of it, mentioned members too."""
    space = thread.space
    _require_can_post(space, by)
    body = _clean_body(body)
    mentions = _mentions(space, body, by)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.locked:
            raise MentoringError(
                _("This discussion is locked: no more replies."), code="locked"
            )
        post = _write_post(thread, by, body, mentions, now)
        Thread.objects.filter(pk=thread.pk).update(last_activity_at=now)
        audit.record(post, "wagtail_mentoring.space.reply", user=by)
        author = thread.author
        told = set()
        if author is not None and author.pk != by.pk and is_space_member(author, space):
            told.add(author.pk)
            _notify(
                author,
                "space_reply",
                f"post{post.pk}",
                "reply",
                template="community_reply",
                context={"post": post, "thread": thread, "author": by},
                link=_thread_url(thread, post),
            )
        _notify_mentions(post, mentions, by, already=told)
    return post


def edit_post(post: Post, by, body: str) -> Post:
    """The author (while they may still post) or a moderator corrects a post."""
    space = post.space
    moderator = can_moderate_space(by, space)
    require(
        moderator or (post.author_id == by.pk and can_post_in_space(by, space)),
        _("Only the author or a moderator can edit this post."),
    )
    if not moderator:
        _refuse_if_archived(space)
    body = _clean_body(body)
    mentions = _mentions(space, body, by)
    if post.thread.locked and not moderator:
        raise MentoringError(
            _("This discussion is locked: posts can no longer be edited."),
            code="locked",
        )
    before = {h for h in text.mentioned_handles(post.body) if h in mentions}
    with transaction.atomic():
        post.body = body
        post.body_html = text.render(body, mentions)
        post.edited_at = timezone.now()
        post.edited_by = by
        post.save(update_fields=["body", "body_html", "edited_at", "edited_by"])
        audit.record(post, "wagtail_mentoring.space.edit", user=by)
        new = {h: u for h, u in mentions.items() if h not in before}
        _notify_mentions(post, new, by)
    return post


def hide_post(post: Post, by, reason: str) -> Post:
    """A moderator hides a post: members no longer see it, moderators do,
    marked as hidden, with who hid it and why. Nothing is deleted."""
    require_space_moderator(by, post.space)
    reason = " ".join((reason or "").split())
    if not reason:
        raise MentoringError(
            _("Say why the post is hidden; its author may ask."), code="empty"
        )
    if len(reason) > 500:
        raise MentoringError(
            _("Keep the reason under 500 characters."), code="too_long"
        )
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.hidden:
            raise MentoringError(_("This post is already hidden."), code="hidden")
        post.hidden = True
        post.hidden_by = by
        post.hidden_at = timezone.now()
        post.hidden_reason = reason
        post.save(update_fields=["hidden", "hidden_by", "hidden_at", "hidden_reason"])
        audit.record(post, "wagtail_mentoring.space.hide", user=by, reason=reason)
    return post


def unhide_post(post: Post, by) -> Post:
    require_space_moderator(by, post.space)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if not post.hidden:
            raise MentoringError(_("This post is not hidden."), code="not_hidden")
        post.hidden = False
        post.save(update_fields=["hidden"])
        audit.record(post, "wagtail_mentoring.space.unhide", user=by)
    return post


def set_pinned(thread: Thread, by, pinned: bool) -> Thread:
    require_space_moderator(by, thread.space)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(pinned=bool(pinned))
        thread.pinned = bool(pinned)
        audit.record(
            thread,
            "wagtail_mentoring.space.pin"
            if pinned
            else "wagtail_mentoring.space.unpin",
            user=by,
        )
    return thread


def set_locked(thread: Thread, by, locked: bool) -> Thread:
    require_space_moderator(by, thread.space)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(locked=bool(locked))
        thread.locked = bool(locked)
        audit.record(
            thread,
            "wagtail_mentoring.space.lock"
            if locked
            else "wagtail_mentoring.space.unlock",
            user=by,
        )
    return thread


def mark_answered(thread: Thread, post: Post | None, by) -> Thread:
    """The thread's author or a moderator marks the reply that answered the
    question (``post=None`` takes the mark back); its author hears of it."""
    space = thread.space
    require(
        can_moderate_space(by, space)
        or (thread.author_id == by.pk and can_post_in_space(by, space)),
        _("Only who asked, or a moderator, can mark the answer."),
    )
    if post is not None:
        if post.thread_id != thread.pk or post.hidden:
            raise MentoringError(
                _("Choose a visible reply in this discussion."), code="invalid"
            )
        first = thread.posts.order_by("created_at", "pk").values_list("pk", flat=True)[
            :1
        ]
        if post.pk in list(first):
            raise MentoringError(
                _("The question itself cannot be its answer."), code="invalid"
            )
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(answered_post=post, is_question=True)
        thread.answered_post = post
        thread.is_question = True
        audit.record(
            thread,
            "wagtail_mentoring.space.answer",
            user=by,
            post=post.pk if post is not None else None,
        )
        if post is not None and post.author is not None and post.author_id != by.pk:
            _notify(
                post.author,
                "space_answered",
                f"post{post.pk}",
                "answer",
                template="community_answered",
                context={"post": post, "thread": thread, "by": by},
                link=_thread_url(thread, post),
            )
    return thread


def toggle_helpful(post: Post, by) -> bool:
    """``by`` finds ``post`` helpful, or takes it back; True when it now counts."""
    space = post.space
    require(
        can_read_space(by, space)
        and (is_space_member(by, space) or can_moderate_space(by, space)),
        _("Join %(space)s to react to posts.") % {"space": space.title},
    )
    _refuse_if_archived(space)
    require(not post.hidden, _("This post is hidden."))
    require(post.author_id != by.pk, _("You cannot find your own post helpful."))
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(
            post=post, user=by, kind=ReactionKind.HELPFUL
        ).delete()
        if deleted:
            return False
        Reaction.objects.get_or_create(post=post, user=by, kind=ReactionKind.HELPFUL)
    return True


# --- Reports ---------------------------------------------------------------------


def report_post(post: Post, by, reason: str) -> PostReport:
    """Anyone who can read a post tells the moderators it should not be there."""
    space = post.space
    require(
        can_read_space(by, space) and not post.hidden,
        _("You cannot report this post."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise MentoringError(
            _("Tell the moderators what is wrong with the post."), code="empty"
        )
    if len(reason) > REASON_MAX:
        raise MentoringError(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX},
            code="too_long",
        )
    with transaction.atomic():
        if PostReport.objects.filter(
            post=post, reporter=by, status=ReportStatus.OPEN
        ).exists():
            raise MentoringError(
                _("You have reported this post already; the moderators will look."),
                code="duplicate",
            )
        report = PostReport.objects.create(post=post, reporter=by, reason=reason)
        audit.record(report, "wagtail_mentoring.space.report", user=by)
    return report


def decide_report(
    report: PostReport, by, *, hide: bool, reason: str = ""
) -> PostReport:
    """A moderator dismisses a report, or hides the post (every open report of
    that post is then decided with it)."""
    post = report.post
    require_space_moderator(by, post.space)
    with transaction.atomic():
        report = PostReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.OPEN:
            raise MentoringError(_("This report was already decided."), code="decided")
        now = timezone.now()
        if hide:
            if not post.hidden:
                hide_post(post, by, reason or report.reason[:500])
            decided = PostReport.objects.filter(post=post, status=ReportStatus.OPEN)
            status = ReportStatus.HIDDEN
        else:
            decided = PostReport.objects.filter(pk=report.pk)
            status = ReportStatus.DISMISSED
        for each in decided:
            audit.record(
                each, "wagtail_mentoring.space.report_decide", user=by, decision=status
            )
        decided.update(status=status, decided_by=by, decided_at=now)
        report.refresh_from_db()
    return report
