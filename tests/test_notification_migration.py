"""Upgrading keeps what was sent: the receipts of earlier emails become sent
deliveries under the keys the tasks now use, so a retried task sends nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("wagtail_mentoring", "0009_journey_member_progress")]
AFTER = [("wagtail_mentoring", "0010_notifications_and_nudges")]


def test_receipts_become_sent_deliveries():
    user = make_user("ada")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Receipt = old.get_model("wagtail_mentoring", "NotificationReceipt")
    Receipt.objects.create(key=f"meeting:3:0:{user.pk}")
    Receipt.objects.create(key=f"message:9:{user.pk}")
    Receipt.objects.create(key="message:9:no-such-person")
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Delivery = new.get_model("wagtail_mentoring", "Delivery")
        rows = set(Delivery.objects.values_list("key", "status", "recipient_id"))
        assert rows == {
            (f"meeting:3:0:{user.pk}", "sent", user.pk),
            (f"message:9:new:{user.pk}", "sent", user.pk),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
