"""The demo's integrations: a saved HRIS mapping and a webhook endpoint with a log."""

import pytest

from intranet.home.demo_integrations import seed_integrations
from tests.factories import make_user
from wagtail_mentoring.people.hris.models import HrisMapping
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db


def test_demo_integrations_are_seeded_once():
    user = make_user("ada", profile={"level": 3})
    seed_integrations()
    seed_integrations()
    assert set(HrisMapping.objects.values_list("name", flat=True)) == {
        "BambooHR nightly",
        "Workday report",
    }
    assert EmployeeProfile.objects.get(user=user).employee_id == f"E{user.pk}"
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.enabled and endpoint.url.startswith("https://")
    statuses = sorted(WebhookDelivery.objects.values_list("status", flat=True))
    assert statuses == [
        DeliveryStatus.FAILED,
        DeliveryStatus.SUCCEEDED,
        DeliveryStatus.SUCCEEDED,
    ]
