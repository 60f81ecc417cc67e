"""schemathesis fuzzes the API against its own OpenAPI schema, through the
Django WSGI application (real views, real database), as an employee and as a
program admin: no server error, no response the schema does not describe.

Short by default (``WM_FUZZ_EXAMPLES`` examples per operation, 5 unless set);
CI's long run sets e.g. ``WM_FUZZ_EXAMPLES=200``.

The stateful phase follows the schema's OpenAPI links (``api/schema_links.py``):
schedule a meeting → read, cancel it; start a run → its status; list → act on
the first row. ``WM_FUZZ_SCENARIOS`` scenarios (10 unless set) of at most
``WM_FUZZ_STEPS`` calls (10 unless set). The run is derandomized, so which
links it tries depends on the whole schema; that the links lead to real rows is
checked apart, deterministically (the last test).
"""

from __future__ import annotations

import contextlib
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.authorization_world import ADMIN, MENTEE, build_world
from tests.journey_data import STEP_REFLECT
from wagtail_mentoring.api import tokens

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = int(os.environ.get("WM_FUZZ_EXAMPLES", "5"))
SCENARIOS = int(os.environ.get("WM_FUZZ_SCENARIOS", "10"))
STEPS = int(os.environ.get("WM_FUZZ_STEPS", "10"))
PREFIX = "/api/mentoring/v1"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(autouse=True)
def _test_connection_kept():
    """The WSGI handler closes the database connection after each request,
    which on PostgreSQL ends the test's transaction; Django's test client
    disconnects the same handlers for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role, scope", [(MENTEE, "api"), (ADMIN, "api:admin")])
def test_fuzz_the_api_against_its_schema(role, scope):
    world = build_world()
    user = world.users[role]
    secret = tokens.create_token(user, user, name="fuzz", scope=scope).secret
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/schema/?format=json", app)
    # Ids of the world's objects, so that generated requests reach real rows
    # (where the ids are the caller's) as well as missing ones.
    known = {
        "id": world.relationship.pk,
        "meeting_pk": world.meeting.pk,
        "goal_pk": world.goal.pk,
        "space_id": world.space.pk,
        "thread_id": world.thread.pk,
        "post_id": world.post.pk,
        "program_id": world.program.pk,
        "journey_id": world.journey.pk,
        "step_id": STEP_REFLECT,
    }
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        fixed = {k: v for k, v in known.items() if k in names}
        for path_parameters in ({}, fixed) if fixed else ({},):
            strategy = operation.as_strategy(path_parameters=path_parameters or None)

            @given(case=strategy)  # noqa: B023 - run at once, in this iteration
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                try:
                    case.call_and_validate(
                        base_url=PREFIX,
                        headers={"Authorization": f"Bearer {secret}"},
                        checks=CHECKS,
                    )
                except Exception as error:  # collect every operation's failure
                    failures.append(f"{operation.label}: {error}")  # noqa: B023
                    raise

            with contextlib.suppress(Exception):  # recorded in failures above
                run()
    assert not failures, "\n\n".join(failures[:10])


@pytest.mark.parametrize("role, scope", [(MENTEE, "api"), (ADMIN, "api:admin")])
def test_fuzz_chains_of_calls_along_the_schemas_links(role, scope):
    world = build_world()
    user = world.users[role]
    secret = tokens.create_token(user, user, name="fuzz", scope=scope).secret
    schema = schemathesis.openapi.from_wsgi(
        f"{PREFIX}/schema/?format=json", get_wsgi_application()
    )
    # Where a chain starts: ids no response links to (the world's program and
    # space); everything after comes from the responses.
    roots = {"program_id": world.program.pk, "space_id": world.space.pk}
    links = [
        link
        for item in schema.raw_schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
        for link in response.get("links", {})
    ]
    # Chains to follow (where they lead is the next test's): which ones a
    # derandomized run tries depends on the whole schema and the data, so the
    # run itself is held only to its checks.
    assert len(links) >= 20, links

    class Workflow(schema.as_state_machine()):
        def before_call(self, case):
            for name, value in roots.items():
                if name in (case.path_parameters or {}):
                    case.path_parameters[name] = value

        def get_call_kwargs(self, case):
            return {
                "base_url": PREFIX,
                "headers": {"Authorization": f"Bearer {secret}"},
            }

        def validate_response(self, response, case, additional_checks=None, **kw):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kw)

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )


def _pointer(expression: str, body):
    """The value ``$response.body#/results/0/id`` names in ``body``, or None."""
    prefix = "$response.body#"
    if not expression.startswith(prefix):
        return None
    value = body
    for part in expression[len(prefix) :].strip("/").split("/"):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def test_the_links_of_every_list_lead_to_real_rows():
    """Each link from a list's response to a read, followed by hand for an
    employee and an admin on the world's rows: the schema's links are right,
    whatever the fuzzer happens to try."""
    world = build_world()
    clients = [
        Client(
            HTTP_AUTHORIZATION="Bearer "
            + tokens.create_token(u, u, scope=scope, name="links").secret
        )
        for u, scope in (
            (world.users[MENTEE], "api"),
            (world.users[ADMIN], "api:admin"),
        )
    ]
    schema = clients[0].get(f"{PREFIX}/schema/?format=json").json()
    where = {
        operation["operationId"]: (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    reached = []
    for path, item in schema["paths"].items():
        links = item.get("get", {}).get("responses", {}).get("200", {}).get("links")
        if not links or "{" in path:  # lists reached without an id of their own
            continue
        for client in clients:
            response = client.get(PREFIX + path)
            if response.status_code != 200:
                continue
            body = response.json()
            for name, link in links.items():
                target, method = where[link["operationId"]]
                values = {
                    key: _pointer(expression, body)
                    for key, expression in link.get("parameters", {}).items()
                }
                if method != "get":
                    continue  # an action: the fuzzer's
                if None in values.values():
                    # only an empty list may leave a link unresolved
                    if body.get("results"):
                        reached.append((path, name, "unresolved"))
                    continue
                status = client.get(PREFIX + target.format(**values)).status_code
                reached.append((path, name, status))
    assert len(reached) >= 5, reached
    assert all(status == 200 for *_where, status in reached), reached
