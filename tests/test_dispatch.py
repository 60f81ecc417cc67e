"""How background tasks run: the mode, in-process runs, an unreachable broker,
and matching runs that no worker picks up.

The broker tests point the example intranet's real Celery app at a closed port,
so kombu really refuses the connection; nothing is mocked.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from celery import _state as celery_state
from celery import shared_task
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from intranet.celery import app as intranet_app
from tests.factories import make_enrollment, make_user
from wagtail_mentoring import dispatch
from wagtail_mentoring.matching import services as matching_services
from wagtail_mentoring.matching.models import MatchingRun, RunStatus
from wagtail_mentoring.matching.runs import execute_run
from wagtail_mentoring.matching.tasks import fail_unclaimed_matching_runs
from wagtail_mentoring.programs import services as program_services
from wagtail_mentoring.programs.models import EnrollmentStatus
from wagtail_mentoring.tasks import beat_schedule

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"
NO_WORKER = "No worker picked this run up; is a Celery worker running?"
RUN_MATCHING = "wagtail_mentoring.run_matching"
PROFILE = {"level": 3, "department": "Eng", "timezone": "UTC", "languages": ["en"]}


@shared_task
def explode() -> None:
    raise RuntimeError("boom")


def _tasks(value):
    return override_settings(WAGTAIL_MENTORING={"TASKS": value})


@pytest.fixture
def no_project_app(monkeypatch):
    """A process whose project created no Celery app: Celery's own state as it
    is then (no current app, no default app)."""
    monkeypatch.setattr(celery_state._tls, "current_app", None)
    monkeypatch.setattr(celery_state, "default_app", None)


@pytest.fixture
def worker_mode():
    """The intranet's app as in production: not eager."""
    eager = intranet_app.conf.task_always_eager
    intranet_app.conf.task_always_eager = False
    try:
        yield
    finally:
        intranet_app.conf.task_always_eager = eager


def _reset_pools(app):
    # The app keeps a connection pool for the broker it first connected to.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker(monkeypatch, worker_mode):
    """The intranet's app, not eager, pointed at a port nothing listens on."""
    # The environment variable wins over settings in Celery's broker_url.
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_PORT_BROKER)
    _reset_pools(intranet_app)
    yield
    _reset_pools(intranet_app)


# --- The mode ---------------------------------------------------------------


def test_without_a_project_app_auto_runs_tasks_here(no_project_app):
    assert dispatch.host_celery_app() is None
    current = dispatch.mode()
    assert current.name == "immediate"
    assert current.label == "in this process (no Celery app configured)"


def test_celerys_fallback_app_is_not_the_projects(no_project_app):
    # What Celery creates when a shared task is used without any app.
    fallback = celery_state.get_current_app()
    assert fallback.main == "default"
    assert dispatch.host_celery_app() is None
    assert dispatch.mode().name == "immediate"


def test_an_eager_project_app_runs_tasks_here():
    assert intranet_app.conf.task_always_eager  # tests/settings.py
    assert dispatch.host_celery_app() is intranet_app
    assert (
        dispatch.mode().label == "in this process (the Celery app runs tasks eagerly)"
    )


def test_a_project_app_with_a_broker_gets_the_tasks(monkeypatch, worker_mode):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://:secret@broker.example:6379/3")
    current = dispatch.mode()
    assert current.name == "celery"
    assert current.label == "Celery (broker redis://:**@broker.example:6379/3)"


def test_the_project_app_is_found_from_any_thread():
    # Celery's "current app" is per thread; request threads must see the
    # project's app too (Celery's Django fix-up makes it the default).
    seen = []
    thread = threading.Thread(target=lambda: seen.append(dispatch.host_celery_app()))
    thread.start()
    thread.join()
    assert seen == [intranet_app]


def test_the_setting_overrides_auto(worker_mode, no_project_app):
    with _tasks("immediate"):
        assert dispatch.mode().name == "immediate"
    with _tasks("celery"):
        current = dispatch.mode()
        # Explicit: sent with Celery's own default app, which reads no
        # Django setting.
        assert current.name == "celery"
        assert current.app.main == "default"


def test_immediate_setting_beats_a_worker_ready_app(worker_mode):
    with _tasks("immediate"):
        current = dispatch.mode()
    assert current.label == (
        'in this process (WAGTAIL_MENTORING["TASKS"] is "immediate")'
    )


# --- Running in this process ---------------------------------------------------


@pytest.mark.django_db
def test_a_task_runs_after_commit_not_before(
    employee, program, program_admin, django_capture_on_commit_callbacks
):
    enrollment = make_enrollment(employee, program)
    with django_capture_on_commit_callbacks() as callbacks:
        program_services.approve_enrollment(enrollment, program_admin)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[employee.email]]
    enrollment.refresh_from_db()
    assert enrollment.decision_emailed_at is not None


@pytest.mark.django_db
def test_a_failing_task_is_logged_not_raised(
    caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.enqueue(explode)
    failure = [r for r in caplog.records if r.name == "wagtail_mentoring.dispatch"]
    assert len(failure) == 1
    assert "tests.test_dispatch.explode failed" in failure[0].getMessage()
    assert "boom" in failure[0].exc_text


# --- An unreachable broker -------------------------------------------------------


@pytest.mark.django_db
def test_an_unreachable_broker_runs_the_task_here(
    unreachable_broker,
    caplog,
    employee,
    program,
    program_admin,
    django_capture_on_commit_callbacks,
):
    assert dispatch.mode().name == "celery"
    enrollment = make_enrollment(employee, program)
    # The callbacks run when the inner block ends, inside the outer one.
    with (
        dispatch.collecting() as fallbacks,
        django_capture_on_commit_callbacks(execute=True),
    ):
        program_services.approve_enrollment(enrollment, program_admin)
    assert [f.task for f in fallbacks] == [
        "wagtail_mentoring.programs.tasks.send_decision_emails"
    ]
    assert "127.0.0.1:1" in fallbacks[0].error
    assert [m.to for m in mail.outbox] == [[employee.email]]
    assert any("is unreachable" in r.getMessage() for r in caplog.records)


@pytest.fixture
def matcher(program):
    return make_user(
        "mattie", admin_access=True, groups=[program.admin_group], perms=[RUN_MATCHING]
    )


@pytest.fixture
def pool(program):
    for i in range(2):
        make_enrollment(
            make_user(f"mentor{i}", profile=dict(PROFILE, level=6)),
            program,
            "mentor",
            status=EnrollmentStatus.APPROVED,
            capacity=2,
        )
    for i in range(3):
        make_enrollment(
            make_user(f"mentee{i}", profile=PROFILE),
            program,
            "mentee",
            status=EnrollmentStatus.APPROVED,
        )


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_admin_still_works_and_is_told(
    unreachable_broker, client, program, pool, matcher, employee
):
    client.force_login(matcher)
    response = client.post(reverse("wm_matching:run", args=[program.pk]))
    assert response.status_code == 302
    run = MatchingRun.objects.get(program=program)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.proposals.count() == 3
    panel = client.get(response["Location"]).content.decode()
    assert str(dispatch.FALLBACK_MESSAGE) in panel
    assert "Matching finished." in panel

    # Approving an application: the decision email goes out all the same.
    enrollment = make_enrollment(employee, program)
    bulk = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "enrollment", "approve")
    )
    response = client.post(f"{bulk}?id={enrollment.pk}", {"note": ""})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.APPROVED
    assert enrollment.decision_emailed_at is not None
    assert [m.to for m in mail.outbox] == [[employee.email]]
    listing = client.get(reverse("wm_applications:index")).content.decode()
    assert str(dispatch.FALLBACK_MESSAGE) in listing


@pytest.mark.django_db(transaction=True)
def test_without_a_project_app_the_run_completes_here(
    no_project_app, client, program, pool, matcher
):
    # A host that never made a Celery app (Wagtail's bakerydemo): no broker
    # is tried at all, the run is done when the page comes back.
    client.force_login(matcher)
    response = client.post(reverse("wm_matching:run", args=[program.pk]), follow=True)
    page = response.content.decode()
    assert "Matching finished." in page
    assert str(dispatch.FALLBACK_MESSAGE) not in page
    assert "Background tasks: in this process (no Celery app configured)" in page
    run = MatchingRun.objects.get(program=program)
    assert (run.status, run.proposals.count()) == (RunStatus.SUCCEEDED, 3)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_configured_nothing_is_said(client, program, pool, matcher):
    client.force_login(matcher)
    response = client.post(reverse("wm_matching:run", args=[program.pk]), follow=True)
    assert response.status_code == 200
    assert str(dispatch.FALLBACK_MESSAGE) not in response.content.decode()
    assert MatchingRun.objects.get(program=program).status == RunStatus.SUCCEEDED


# --- Runs no worker picks up -------------------------------------------------------


def _queued_run(program, by, *, age: timedelta) -> MatchingRun:
    run = matching_services.start_run(program, by, enqueue=False)
    MatchingRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - age)
    return run


@pytest.mark.django_db
def test_a_run_no_worker_picks_up_fails_when_polled(client, program, matcher):
    run = _queued_run(program, matcher, age=timedelta(seconds=181))
    client.force_login(matcher)
    data = client.get(reverse("wm_matching:run_status", args=[run.pk])).json()
    assert data["status"] == "failed"
    assert data["done"] is True
    assert data["error"] == NO_WORKER
    entry = ModelLogEntry.objects.get(
        action="wagtail_mentoring.matching.run_failed", object_id=str(run.pk)
    )
    assert entry.data == {"reason": "not_picked_up"}
    panel = client.get(reverse("wm_matching:panel", args=[program.pk]))
    assert NO_WORKER in panel.content.decode()


@pytest.mark.django_db
def test_a_run_no_worker_picks_up_never_blocks_the_next(program, matcher):
    stuck = _queued_run(program, matcher, age=timedelta(seconds=181))
    fresh = matching_services.start_run(program, matcher, enqueue=False)
    assert fresh.pk != stuck.pk
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == (RunStatus.FAILED, NO_WORKER)


@pytest.mark.django_db
def test_a_run_within_the_pickup_time_still_counts(client, program, matcher):
    waiting = _queued_run(program, matcher, age=timedelta(seconds=170))
    assert matching_services.start_run(program, matcher, enqueue=False) == waiting
    client.force_login(matcher)
    data = client.get(reverse("wm_matching:run_status", args=[waiting.pk])).json()
    assert data["status"] == "queued"
    with override_settings(WAGTAIL_MENTORING={"MATCHING_RUN_PICKUP_SECONDS": 60}):
        data = client.get(reverse("wm_matching:run_status", args=[waiting.pk])).json()
    assert data["status"] == "failed"


def _run(program, status, *, age: timedelta) -> MatchingRun:
    return MatchingRun.objects.create(
        program=program, status=status, created_at=timezone.now() - age
    )


@pytest.mark.django_db
def test_the_periodic_job_fails_only_unclaimed_runs(program, other_program):
    stuck = _run(program, RunStatus.QUEUED, age=timedelta(minutes=5))
    other_stuck = _run(other_program, RunStatus.QUEUED, age=timedelta(minutes=4))
    running = _run(program, RunStatus.RUNNING, age=timedelta(minutes=5))
    recent = _run(other_program, RunStatus.QUEUED, age=timedelta(minutes=1))

    assert fail_unclaimed_matching_runs() == 2
    assert dict(MatchingRun.objects.values_list("pk", "status")) == {
        stuck.pk: RunStatus.FAILED,
        other_stuck.pk: RunStatus.FAILED,
        running.pk: RunStatus.RUNNING,
        recent.pk: RunStatus.QUEUED,
    }


@pytest.mark.django_db
def test_a_worker_arriving_after_the_failure_changes_nothing(program, matcher):
    run = _queued_run(program, matcher, age=timedelta(seconds=200))
    assert fail_unclaimed_matching_runs() == 1
    execute_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.error, run.proposals.count()) == (
        RunStatus.FAILED,
        NO_WORKER,
        0,
    )


@pytest.mark.django_db
def test_the_panel_says_how_tasks_run(client, program, matcher):
    client.force_login(matcher)
    panel = client.get(reverse("wm_matching:panel", args=[program.pk]))
    assert (
        "Background tasks: in this process (the Celery app runs tasks eagerly)"
        in panel.content.decode()
    )


def test_the_beat_schedule_has_the_pickup_job():
    tasks = {entry["task"] for entry in beat_schedule().values()}
    assert "wagtail_mentoring.matching.tasks.fail_unclaimed_matching_runs" in tasks
