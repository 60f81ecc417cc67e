"""A real Celery worker on Redis, working on the PostgreSQL test database."""

from __future__ import annotations

import subprocess
import time

import pytest
from django.db import connection

from intranet.celery import app
from tests import celery_worker


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start ``celery worker`` against the test database; yield its email folder.

    The worker logs each task it receives and finishes to a file (a pipe nobody
    reads would stall it once full), printed after the test: pytest shows it
    when the test failed.
    """
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        try:
            worker = celery_worker.start(
                connection.settings_dict,
                {
                    "WM_TEST_EMAIL_BACKEND": (
                        "django.core.mail.backends.filebased.EmailBackend"
                    ),
                    "WM_TEST_EMAIL_FILE_PATH": str(outbox),
                },
                loglevel="info",
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        except celery_worker.WorkerDidNotStart:
            pytest.fail(f"Celery worker did not start:\n{log.read_text()}")
        try:
            yield outbox
        finally:
            app.conf.task_always_eager = True
            celery_worker.stop(worker)
            print(f"--- the Celery worker's log ---\n{log.read_text()}")


def wait_for(predicate, timeout: float = 90.0):
    # Returns as soon as ``predicate`` holds: the long default only matters on a
    # loaded machine (CI runs two test passes side by side), where a solo worker
    # took over 30 s for its first tasks.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
