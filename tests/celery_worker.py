"""A real ``celery -A intranet worker`` (solo pool) on Redis, working on the
PostgreSQL database Django is connected to: started the same way by the
services tests and by ``benchmarks/worker_memory.py``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from intranet.celery import app

ROOT = Path(__file__).resolve().parents[1]


class WorkerDidNotStart(RuntimeError):
    """The worker exited or did not answer a ping within a minute; the
    message holds what it printed when its output was captured."""


def start(
    db: dict, env: dict | None = None, loglevel: str = "warning", **popen
) -> subprocess.Popen:
    """Start a worker on the database of ``db`` (a connection's settings dict),
    with ``env`` added to its environment and ``popen`` passed to ``Popen``;
    return once it answers a ping, with tasks enqueued to Redis from then on."""
    app.control.purge()  # leftovers of an earlier run must not leak in
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "intranet",
            "worker",
            "--pool=solo",
            f"--loglevel={loglevel}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'example_site'}",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            **(env or {}),
        },
        **popen,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            printed = worker.stdout.read() if worker.stdout else ""
            raise WorkerDidNotStart(printed or "")
    app.conf.task_always_eager = False  # enqueue to Redis, for the worker
    return worker


def stop(worker: subprocess.Popen, timeout: float = 20) -> None:
    """Stop ``worker``: let it finish its task, kill it if it takes too long."""
    worker.terminate()
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
