"""Sending events to webhook endpoints, signed per the Standard Webhooks spec.

``emit()`` is called inside the transaction of the business action: it writes
one delivery per subscribed endpoint and enqueues its sending once that
transaction commits (``dispatch``). A delivery that fails is tried again with
exponential backoff by ``retry_due_deliveries`` (a periodic job); an endpoint
that keeps failing is disabled and the admins who manage webhooks are emailed.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from wagtail_mentoring import audit, dispatch
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import user_email
from wagtail_mentoring.permissions import is_active_user, policy_for, require
from wagtail_mentoring.webhooks import targets
from wagtail_mentoring.webhooks.events import EVENT_CHOICES
from wagtail_mentoring.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

DELIVER_TASK = "wagtail_mentoring.webhooks.tasks.deliver_webhook"
CHANGE_ENDPOINTS = "wagtail_mentoring.change_webhookendpoint"
USER_AGENT = "wagtail-mentoring-webhooks/1"


def emit(event_type: str, key: str, data: dict) -> list[WebhookDelivery]:
    """Queue ``event_type`` for every enabled endpoint that wants it.

    ``key`` names the event once (``relationship.started:42``): an event that
    is announced twice is still delivered once per endpoint. ``data`` holds
    ids, statuses and dates only, never what people wrote.
    """
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(enabled=True)
        if event_type in (e.events or [])
    ]
    if not endpoints:
        return []
    payload = {
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": data,
    }
    created = []
    for endpoint in endpoints:
        message_id = "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, f"{endpoint.pk}:{key}").hex
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event_type=event_type,
                    message_id=message_id,
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue  # announced before: delivered once
        dispatch.enqueue(DELIVER_TASK, delivery.pk)
        created.append(delivery)
    return created


def _sign(endpoint: WebhookEndpoint, message_id: str, body: str) -> dict:
    now = datetime.now(tz=UTC)
    signature = Webhook(endpoint.secret).sign(message_id, now, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def backoff(attempt: int) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, …): doubling."""
    return timedelta(
        seconds=mentoring_settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempt - 1)
    )


def deliver(delivery_id: int, *, now=None) -> WebhookDelivery | None:
    """Send one delivery now (a task): log the attempt, then mark it
    delivered, schedule the next try, or give up after the last one."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None or not delivery.endpoint.enabled:
            return delivery
        endpoint = delivery.endpoint
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
        headers = {
            **_sign(endpoint, delivery.message_id, body),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        number = delivery.attempts + 1
        started = time.monotonic()
        code, excerpt, error = None, "", ""
        try:
            code, response = targets.post(
                endpoint.url,
                body.encode(),
                headers,
                mentoring_settings.WEBHOOK_TIMEOUT_SECONDS,
            )
            excerpt = response.decode("utf-8", "replace")[:500]
        except MentoringError as refusal:
            error = " ".join(refusal.messages)[:500]
        except OSError as failure:  # refused, reset, timed out, TLS
            error = f"{type(failure).__name__}: {failure}"[:500]
        duration = int((time.monotonic() - started) * 1000)
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=code,
            response_excerpt=excerpt,
            error=error,
            duration_ms=duration,
        )
        now = now or timezone.now()
        delivery.attempts = number
        if code is not None and 200 <= code < 300:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                consecutive_failures=0
            )
        else:
            if number >= mentoring_settings.WEBHOOK_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + backoff(number)
            _count_failure(endpoint)
        delivery.save(
            update_fields=["attempts", "status", "delivered_at", "next_attempt_at"]
        )
    return delivery


def _count_failure(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint.refresh_from_db(fields=["consecutive_failures", "enabled"])
    limit = mentoring_settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if endpoint.enabled and endpoint.consecutive_failures >= limit:
        reason = _("%(n)d failed attempts in a row.") % {"n": limit}
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            enabled=False, disabled_reason=reason
        )
        endpoint.enabled, endpoint.disabled_reason = False, reason
        audit.record(endpoint, "wagtail_mentoring.webhook.disable", reason=reason)
        transaction.on_commit(lambda: _tell_admins(endpoint))


def webhook_admins():
    """Active people who may change webhook endpoints (they are told)."""
    return policy_for(WebhookEndpoint).users_with_permission("change")


def _tell_admins(endpoint: WebhookEndpoint) -> None:
    recipients = [a for a in (user_email(u) for u in webhook_admins()) if a]
    if not recipients:
        return
    send_mail(
        _("Webhook endpoint “%(name)s” was disabled") % {"name": endpoint.name},
        _(
            "The webhook endpoint “%(name)s” (%(url)s) was disabled: %(reason)s "
            "No more events are sent to it. Check the receiver, then enable it "
            "again in the admin (Mentoring › Webhook endpoints) and redeliver "
            "the failed events."
        )
        % {
            "name": endpoint.name,
            "url": endpoint.url,
            "reason": endpoint.disabled_reason,
        },
        mentoring_settings.FROM_EMAIL,
        recipients,
        fail_silently=True,
    )


def retry_due_deliveries(now=None) -> int:
    """Send again every waiting delivery whose backoff has passed (periodic)."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__enabled=True,
            attempts__gt=0,
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        dispatch.enqueue(DELIVER_TASK, pk)
    return len(ids)


def _require_manager(by) -> None:
    require(
        is_active_user(by) and by.has_perm(CHANGE_ENDPOINTS),
        _("Managing webhooks takes the permission to change webhook endpoints."),
    )


def redeliver(delivery: WebhookDelivery, by) -> WebhookDelivery:
    """An admin sends an event again (after fixing the receiver)."""
    _require_manager(by)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if not delivery.endpoint.enabled:
            raise MentoringError(
                _("Enable the endpoint before sending events to it again."),
                code="disabled",
            )
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at"])
        audit.record(delivery.endpoint, "wagtail_mentoring.webhook.redeliver", user=by,
                     delivery=delivery.pk)  # fmt: skip
        dispatch.enqueue(DELIVER_TASK, delivery.pk)
    return delivery


def save_endpoint(endpoint: WebhookEndpoint, by) -> WebhookEndpoint:
    """Create or change an endpoint; its URL is checked (SSRF) first."""
    _require_manager(by)
    targets.check(endpoint.url)
    unknown = set(endpoint.events or []) - {c for c, _l in EVENT_CHOICES}
    if unknown:
        raise MentoringError(_("Unknown events."), code="events")
    creating = endpoint.pk is None
    with transaction.atomic():
        if endpoint.enabled:
            # Enabling again starts a fresh count.
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = ""
        endpoint.save()
        audit.record(
            endpoint,
            "wagtail_mentoring.webhook.create"
            if creating
            else "wagtail_mentoring.webhook.change",
            user=by,
        )
    return endpoint
