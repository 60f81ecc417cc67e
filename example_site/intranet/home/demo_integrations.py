"""Demo data of the integrations: a saved HRIS mapping and a webhook endpoint.

Deterministic and idempotent. *Mentoring › HRIS import* has a BambooHR mapping
("BambooHR nightly") and a Workday one; every demo employee has an employee id
(``E`` and their number), as if an import had run. *Mentoring › Webhook
endpoints* has one endpoint, disabled and pointing at an example https
address, whose *Webhook deliveries* log shows two delivered events and one that
failed after three attempts (dated up to yesterday).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from wagtail_mentoring.people.hris.models import HrisMapping
from wagtail_mentoring.people.hris.presets import BAMBOOHR, WORKDAY, preset_columns
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.webhooks import events
from wagtail_mentoring.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


def seed_integrations(relationships=()) -> None:
    for name, preset, full in (
        ("BambooHR nightly", BAMBOOHR, True),
        ("Workday report", WORKDAY, False),
    ):
        header_rows, columns = preset_columns(preset)
        HrisMapping.objects.update_or_create(
            name=name,
            defaults={
                "preset": preset,
                "header_rows": header_rows,
                "columns": columns,
                "deactivate_missing": full,
            },
        )
    EmployeeProfile.objects.filter(employee_id=None).update(
        employee_id=Concat(Value("E"), Cast(F("user_id"), CharField()))
    )
    endpoint, created = WebhookEndpoint.objects.get_or_create(
        name="People analytics warehouse",
        defaults={
            "url": "https://hooks.example.com/mentoring",
            "events": [
                events.RELATIONSHIP_STARTED,
                events.RELATIONSHIP_ENDED,
                events.OUTCOME_RECORDED,
            ],
            "enabled": False,
            "disabled_reason": "Disabled for the demo: example.com does not answer.",
        },
    )
    if not created:
        return
    yesterday = timezone.now() - timedelta(days=1)
    ids = [r.pk for r in relationships][:3] or [1, 2, 3]
    for n, pk in enumerate(ids):
        failed = n == 2
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=events.RELATIONSHIP_STARTED,
            message_id=f"msg_demo_{pk}",
            payload={
                "type": events.RELATIONSHIP_STARTED,
                "timestamp": (yesterday - timedelta(hours=3 - n)).isoformat(),
                "data": {"relationship": {"id": pk, "status": "active"}},
            },
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.SUCCEEDED,
            attempts=3 if failed else 1,
            delivered_at=None if failed else yesterday - timedelta(hours=3 - n),
        )
        for attempt in range(1, delivery.attempts + 1):
            WebhookAttempt.objects.create(
                delivery=delivery,
                number=attempt,
                status_code=503 if failed else 200,
                response_excerpt="Service Unavailable" if failed else "ok",
                duration_ms=180 + 40 * attempt,
            )
