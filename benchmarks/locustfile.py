"""The users of the load benchmark (``benchmarks/load.py`` starts it).

Reads the plan written by ``load.py``: per page, the people who may see it with
their signed-in session (cookies made on the server, so no password hashing is
timed) and their own URL of it. Each request is made by one of them at random.
Every user also reads the host's own home page, the anchor our pages are
compared with under the same load.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["WM_LOAD_PLAN"]) as plan_file:
    PLAN = json.load(plan_file)

WAIT = tuple(float(x) for x in os.environ.get("WM_LOAD_WAIT", "5,15").split(","))


class _Walker(HttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def get(self, page: str):
        visit = random.choice(PLAN["pages"][page])
        url = visit["url"]
        self.client.cookies.clear()
        with self.client.get(
            url,
            name=page,
            cookies={"sessionid": visit["session"]},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A redirect (to sign-in) or any error counts as a failure.
            if response.status_code != 200:
                response.failure(
                    f"{response.status_code} for {url}: {response.error or ''}"
                )

    @task(2)
    def home(self):
        self.get("home (anchor)")


class Employee(_Walker):
    weight = 9

    @task(2)
    def my_mentoring(self):
        self.get("my mentoring")

    @task(2)
    def relationship(self):
        self.get("relationship")

    @task(2)
    def journey_step(self):
        self.get("journey step")

    @task(2)
    def find_mentor(self):
        self.get("find a mentor")

    @task(1)
    def program(self):
        self.get("program page")

    @task(1)
    def community(self):
        self.get("community space")


class Admin(_Walker):
    weight = 1

    # The admin anchor is read as often as each page it anchors: its p95 is
    # the denominator of theirs, and a few dozen samples make a noisy one.
    @task(2)
    def empty_admin(self):
        self.get("empty admin (anchor)")

    @task(2)
    def proposals(self):
        self.get("proposals")

    @task(2)
    def panel(self):
        self.get("matching panel")
