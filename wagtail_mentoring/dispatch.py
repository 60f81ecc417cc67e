"""Background work that always completes: every task of the package goes through here.

``enqueue(task, *args, **kwargs)`` waits for the current transaction to commit, then

- sends the task to Celery when the project has its own Celery app that is not
  eager (``WAGTAIL_MENTORING["TASKS"] = "auto"``, the default), or always
  (``"celery"``);
- otherwise runs it in this process (``"immediate"``, or no Celery app of the
  project's, or an eager one), the way Wagtail's own background tasks run without a
  worker. A task that fails there is logged, never raised into the request that
  caused it.

A broker that refuses the connection never becomes an error page: the task runs in
this process instead. Admin views wrap their service call in ``reporting(request)``
so that the person is told::

    with dispatch.reporting(request):
        services.start_run(program, request.user)

``mode()`` says how tasks run here and why (the matching panel shows it).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import _state as celery_state
from celery import current_app
from django.contrib import messages
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url

from wagtail_mentoring.conf import mentoring_settings

logger = logging.getLogger(__name__)

AUTO = "auto"
CELERY = "celery"
IMMEDIATE = "immediate"
#: Values of ``WAGTAIL_MENTORING["TASKS"]``.
TASK_MODES = (AUTO, CELERY, IMMEDIATE)

#: What publishing to an unreachable broker raises: kombu wraps the transport's
#: connection errors in ``OperationalError``; a name that does not resolve or a
#: socket timeout can surface as a bare ``OSError``.
BROKER_ERRORS = (OperationalError, OSError)

FALLBACK_MESSAGE = gettext_lazy(
    "The task queue was unreachable, so this was done here instead; "
    "it may have taken a little longer."
)


@dataclass(frozen=True)
class TaskMode:
    """How tasks run in this process: ``name`` is ``"celery"`` or ``"immediate"``."""

    name: str
    reason: str
    #: The Celery app tasks are sent with (``None`` when they run here).
    app: Any = None

    @property
    def broker(self) -> str:
        """The broker URL without its password ('' when tasks run here)."""
        if self.app is None:
            return ""
        url = self.app.conf.broker_write_url
        if not url:  # Celery's default broker; building it opens nothing
            return self.app.connection_for_write().as_uri()
        if isinstance(url, str):
            url = url.split(";")  # failover brokers
        return ";".join(maybe_sanitize_url(part) for part in url)

    @property
    def label(self) -> str:
        if self.name == CELERY:
            return _("Celery (broker %(broker)s)") % {"broker": self.broker}
        return _("in this process (%(reason)s)") % {"reason": self.reason}

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Fallback:
    """A task that could not be sent to the broker and ran in this process."""

    task: str
    error: str


def host_celery_app():
    """The project's own Celery app, or ``None``.

    Shared tasks are sent with Celery's *current* app: the one this thread made
    current, else the process default, which Celery's Django fix-up sets to the
    first app created while ``DJANGO_SETTINGS_MODULE`` is set (the usual
    ``proj/celery.py`` imported from ``proj/__init__.py``). Without such an app
    Celery falls back to an app named "default" that reads no Django setting and
    sends to ``amqp://localhost``: that one is not the project's. Both are read
    here without creating the fallback (``celery.current_app`` would create it).
    """
    app = getattr(celery_state._tls, "current_app", None) or celery_state.default_app
    if app is None or _is_celery_fallback(app):
        return None
    return app


def _is_celery_fallback(app) -> bool:
    # celery._state creates it as Celery("default", set_as_current=False).
    return app.main == "default" and not app.set_as_current


def mode() -> TaskMode:
    """The effective task mode and why, from the setting and the Celery app."""
    setting = mentoring_settings.TASKS
    if setting == IMMEDIATE:
        return TaskMode(IMMEDIATE, _('WAGTAIL_MENTORING["TASKS"] is "immediate"'))
    app = host_celery_app()
    if setting == CELERY:
        # Honour the setting even without an app of the project's (a system
        # check reports that); the send then fails over to this process.
        return TaskMode(
            CELERY,
            _('WAGTAIL_MENTORING["TASKS"] is "celery"'),
            app or current_app._get_current_object(),
        )
    if app is None:
        return TaskMode(IMMEDIATE, _("no Celery app configured"))
    if app.conf.task_always_eager:
        return TaskMode(IMMEDIATE, _("the Celery app runs tasks eagerly"))
    return TaskMode(CELERY, _("the project's Celery app"), app)


def enqueue(task, *args, **kwargs) -> None:
    """Run the Celery ``task`` with JSON-safe arguments once the transaction commits.

    ``task`` is the task or its import path (a service whose module the task
    module imports names its task, so the two modules need not import each
    other). Outside a transaction it is dispatched at once. Never raises for a
    broker that cannot be reached: the task then runs in this process (see
    ``reporting``).
    """
    transaction.on_commit(partial(_dispatch, task, args, kwargs))


def _dispatch(task, args: tuple, kwargs: dict) -> None:
    if isinstance(task, str):
        task = import_string(task)
    current = mode()
    if current.name == CELERY:
        try:
            task.apply_async(args, kwargs)
            return
        except BROKER_ERRORS as error:
            logger.warning(
                "The Celery broker %s is unreachable (%s); running %s in this process.",
                current.broker,
                error,
                task.name,
            )
            _note(Fallback(task=task.name, error=str(error)))
    run_here(task, *args, **kwargs)


def run_here(task, *args, **kwargs) -> None:
    """Run ``task`` in this process; a failure is logged, not raised."""
    try:
        task(*args, **kwargs)
    except Exception:
        logger.exception("Background task %s failed", task.name)


# --- Telling the person ---------------------------------------------------------

_collector: contextvars.ContextVar[list[Fallback] | None] = contextvars.ContextVar(
    "wagtail_mentoring_dispatch_fallbacks", default=None
)


def _note(fallback: Fallback) -> None:
    collected = _collector.get()
    if collected is not None:
        collected.append(fallback)


@contextmanager
def collecting() -> Iterator[list[Fallback]]:
    """Collect the fallbacks of the tasks dispatched inside the block.

    A task is dispatched when its transaction commits, so the block must contain
    that commit (a service call does; a view under ``ATOMIC_REQUESTS`` commits
    after the view returns, and its fallbacks are only logged).
    """
    collected: list[Fallback] = []
    token = _collector.set(collected)
    try:
        yield collected
    finally:
        _collector.reset(token)


@contextmanager
def reporting(request) -> Iterator[list[Fallback]]:
    """Like ``collecting``, then add a warning message to ``request`` if any
    task had to run in this process because the broker was unreachable."""
    with collecting() as collected:
        yield collected
    if collected:
        messages.warning(request, FALLBACK_MESSAGE)
