"""Celery tasks of webhooks: JSON-safe arguments, idempotent under retry."""

from celery import shared_task

from wagtail_mentoring.webhooks import services


@shared_task(name="wagtail_mentoring.webhooks.deliver")
def deliver_webhook(delivery_id: int) -> None:
    # A delivered (or no longer waiting) delivery is left alone.
    services.deliver(delivery_id)


@shared_task(name="wagtail_mentoring.webhooks.retry_due")
def retry_webhooks() -> int:
    return services.retry_due_deliveries()
