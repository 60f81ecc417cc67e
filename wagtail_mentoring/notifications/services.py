"""Notifying people: record first, then send, once.

``notify()`` is the one way the package tells someone something. It renders the
message in the recipient's time zone, records it as a :class:`Delivery` under a
deterministic key (``kind:object:occurrence:recipient``) and only then sends it:
the key is unique, so a job run twice, a retried task or two workers at once
find the row and send nothing more. A send that fails is recorded as failed and
retried with backoff by :func:`retry_due`; it never stops the others. People who
chose a digest for the category get it in their next :func:`send_digests`;
people who chose "never" get nothing (the row says so).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from wagtail_mentoring.notifications.channels import CHANNELS
from wagtail_mentoring.notifications.models import (
    DIGEST_FREQUENCIES,
    Category,
    Delivery,
    DeliveryStatus,
    Frequency,
    NotificationPreferences,
)
from wagtail_mentoring.notifications.tokens import (
    read_unsubscribe_token,
    unsubscribe_token,
)
from wagtail_mentoring.people.users import display_name, user_timezone

logger = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd… attempt of a failed send; then it is given up.
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
#: A delivery still pending after this long lost its sender (a crash between
#: recording and sending): the retry job sends it.
ORPHAN_AFTER = timedelta(minutes=10)

EMAILS = "wagtail_mentoring/emails/"


def delivery_key(kind: str, about, occurrence, user) -> str:
    """The deterministic name of one notification to one person."""
    return f"{kind}:{about}:{occurrence}:{user.pk}"


def preferences_for(user) -> NotificationPreferences:
    """The person's choices (unsaved defaults when they never chose)."""
    found = NotificationPreferences.objects.filter(user=user).first()
    return found or NotificationPreferences(user=user)


def _absolute(path: str) -> str:
    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '') or ''}{path}"


def unsubscribe_url(user, categories) -> str:
    token = unsubscribe_token(user, categories)
    return _absolute(reverse("wagtail_mentoring:unsubscribe", args=[token]))


def _render(user, template: str, context: dict, categories) -> dict:
    """Subject, text and HTML of ``template`` for ``user``, in their time zone,
    with the footer that says why they get it and how to stop it."""
    link = unsubscribe_url(user, categories)
    context = {
        **context,
        "recipient": user,
        "recipient_name": display_name(user),
        "base_url": getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
        "unsubscribe_url": link,
        "categories": [Category(c).label for c in categories],
        "settings_url": _absolute(reverse("wagtail_mentoring:notification_settings")),
    }
    with timezone.override(user_timezone(user)):
        subject = " ".join(
            render_to_string(f"{EMAILS}{template}_subject.txt", context).split()
        )
        text = render_to_string(f"{EMAILS}{template}.txt", context)
        html = render_to_string(f"{EMAILS}{template}.html", context)
        footer_text = render_to_string(f"{EMAILS}footer.txt", context)
        footer_html = render_to_string(f"{EMAILS}footer.html", context)
    if "</body>" in html:
        html = html.replace("</body>", footer_html + "</body>", 1)
    else:
        html += footer_html
    return {
        "subject": subject[:300],
        "body_text": text.rstrip() + "\n\n" + footer_text,
        "body_html": html,
        "unsubscribe_url": link,
    }


def notify(
    user,
    kind: str,
    about,
    occurrence,
    *,
    category: str,
    template: str,
    context: dict,
    link: str = "",
    attachments=None,
) -> Delivery | None:
    """Tell ``user`` about ``kind`` of ``about`` (its ``occurrence``) once.

    Returns the new delivery, or ``None`` when nothing was recorded: nobody to
    tell (an empty link, a deactivated account) or the key already recorded.
    Never raises for a failed send (it is retried later).
    """
    # Nobody to tell behind an empty link (a former participant) or a leaver.
    if user is None or not getattr(user, "is_active", False):
        return None
    key = delivery_key(kind, about, occurrence, user)
    if Delivery.objects.filter(key=key).exists():
        return None
    frequency = preferences_for(user).frequency(category)
    status = DeliveryStatus.PENDING
    if frequency in DIGEST_FREQUENCIES:
        status = DeliveryStatus.HELD
    elif frequency == Frequency.NEVER:
        status = DeliveryStatus.SKIPPED
    rendered = (
        _render(user, template, context, [category])
        if status != DeliveryStatus.SKIPPED
        else {"subject": kind}
    )
    delivery = Delivery(
        key=key,
        kind=kind,
        category=category,
        recipient=user,
        status=status,
        link=link,
        attachments=[_stored(*a) for a in attachments or ()],
        **rendered,
    )
    try:
        # Insert first: of two senders only one gets the row, and sends.
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return None
    if status == DeliveryStatus.PENDING:
        attempt(delivery)
    return delivery


def _stored(filename: str, content, mimetype: str) -> list:
    # Kept as JSON until sent: text attachments (.ics) only.
    if isinstance(content, bytes):
        content = content.decode()
    return [filename, content, mimetype]


def attempt(delivery: Delivery) -> bool:
    """Send one pending (or failed, due) delivery; True if it went out."""
    claimed = Delivery.objects.filter(
        pk=delivery.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    if not claimed:  # someone else is sending it, or did
        return False
    delivery.refresh_from_db()

    def record(**fields):
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        for name, value in fields.items():
            setattr(delivery, name, value)

    channel = CHANNELS[delivery.channel]
    recipient = delivery.recipient
    if not recipient.is_active or not channel.reaches(recipient):
        record(status=DeliveryStatus.SKIPPED, **_DROP_BODY)
        return False
    try:
        channel.send(delivery)
    except Exception as error:  # any transport error: retry later, send the rest
        logger.warning("Could not send %s: %s", delivery.key, error)
        retry_in = (
            RETRY_DELAYS[delivery.attempts - 1]
            if delivery.attempts <= len(RETRY_DELAYS)
            else None
        )
        record(
            status=DeliveryStatus.FAILED,
            last_error=str(error)[:1000],
            next_attempt_at=timezone.now() + retry_in if retry_in else None,
        )
        return False
    record(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        **_DROP_BODY,
    )
    return True


#: Once sent, the words go: the log keeps who was told what, and when.
_DROP_BODY = {"body_text": "", "body_html": "", "attachments": []}


def retry_due(now: datetime | None = None) -> int:
    """Periodic: resend failed deliveries whose backoff has passed, and pending
    ones whose sender vanished. Returns how many went out."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.PENDING, created_at__lte=now - ORPHAN_AFTER)
        )
        .select_related("recipient")
        .order_by("pk")
    )
    return sum(attempt(delivery) for delivery in due)


# --- Digests -------------------------------------------------------------------


def _digest_occurrence(frequency: str, local: datetime, prefs) -> str | None:
    """Which digest is due now (its name), or ``None`` before its hour/day."""
    if local.hour < prefs.digest_hour:
        return None
    if frequency == Frequency.DAILY:
        return local.date().isoformat()
    if local.weekday() != prefs.digest_weekday:
        return None
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def send_digests(now: datetime | None = None) -> int:
    """Periodic (hourly): send each person whose digest hour has come one email
    grouping what was held for them; nobody gets an empty digest, nobody gets
    the same day's (or week's) digest twice. Returns how many went out."""
    now = now or timezone.now()
    User = get_user_model()
    waiting = (
        User.objects.filter(
            is_active=True, mentoring_deliveries__status=DeliveryStatus.HELD
        )
        .distinct()
        .select_related("mentoring_profile", "mentoring_notification_preferences")
    )
    sent = 0
    for user in waiting:
        prefs = getattr(user, "mentoring_notification_preferences", None)
        prefs = prefs or NotificationPreferences(user=user)
        local = now.astimezone(user_timezone(user))
        # Held before the person chose "never" for its category: not sent.
        Delivery.objects.filter(
            recipient=user,
            status=DeliveryStatus.HELD,
            category__in=[c for c in Category if prefs.frequency(c) == Frequency.NEVER],
        ).update(status=DeliveryStatus.SKIPPED, **_DROP_BODY)
        for frequency in DIGEST_FREQUENCIES:
            # Held before the person switched back to "immediately": it goes
            # with the next daily digest rather than never.
            wanted = {frequency}
            if frequency == Frequency.DAILY:
                wanted.add(Frequency.IMMEDIATELY)
            categories = [c for c in Category if prefs.frequency(c) in wanted]
            occurrence = _digest_occurrence(frequency, local, prefs)
            if categories and occurrence:
                sent += _send_digest(user, frequency, occurrence, categories)
    return sent


def _send_digest(user, frequency, occurrence, categories) -> int:
    items = list(
        Delivery.objects.filter(
            recipient=user, status=DeliveryStatus.HELD, category__in=categories
        ).order_by("created_at", "pk")
    )
    if not items:
        return 0
    key = delivery_key(f"digest_{frequency}", "user", occurrence, user)
    rendered = _render(
        user,
        "digest",
        {"items": items, "frequency": Frequency(frequency).label},
        categories,
    )
    digest = Delivery(
        key=key,
        kind=f"digest_{frequency}",
        category=categories[0],
        recipient=user,
        **rendered,
    )
    try:
        with transaction.atomic():
            digest.save(force_insert=True)
            Delivery.objects.filter(
                pk__in=[i.pk for i in items], status=DeliveryStatus.HELD
            ).update(status=DeliveryStatus.DIGESTED, digest=digest, **_DROP_BODY)
    except IntegrityError:  # this digest went out already
        return 0
    return int(attempt(digest))


# --- Preferences -----------------------------------------------------------------


def update_preferences(user, *, by, **choices) -> NotificationPreferences:
    """Save ``user``'s choices (one frequency per category, ``digest_hour``,
    ``digest_weekday``); only they may change them."""
    if by is None or by.pk != user.pk:
        raise PermissionDenied
    allowed = {*Category.values, "digest_hour", "digest_weekday"}
    unknown = set(choices) - allowed
    if unknown:
        raise ValueError(f"unknown preferences: {sorted(unknown)}")
    prefs, _created = NotificationPreferences.objects.update_or_create(
        user=user, defaults=choices
    )
    return prefs


def unsubscribe(token: str):
    """One-click unsubscribe: the categories the signed ``token`` names are
    set to "never" for its person. Raises ``signing.BadSignature`` when the
    token is forged or damaged; returns ``(user, categories)``."""
    user_pk, categories = read_unsubscribe_token(token)
    categories = [c for c in categories if c in Category.values]
    user = get_user_model().objects.filter(pk=user_pk).first()
    if user is None or not categories:
        raise signing.BadSignature("no such person or category")
    NotificationPreferences.objects.update_or_create(
        user=user, defaults=dict.fromkeys(categories, Frequency.NEVER)
    )
    return user, categories


def describe_token(token: str):
    """``(user, categories)`` a token would unsubscribe, without changing anything."""
    user_pk, categories = read_unsubscribe_token(token)
    categories = [c for c in categories if c in Category.values]
    user = get_user_model().objects.filter(pk=user_pk).first()
    if user is None or not categories:
        raise signing.BadSignature("no such person or category")
    return user, categories
