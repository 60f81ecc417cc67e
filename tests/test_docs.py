"""The README and the guides say true things about this repository.

Every relative link resolves to a file of the repository (and to a heading, when
it names one), every file and URL they name as code exists, every setting is in
the install guide's table, and the demo logins the README lists are the accounts
the demo's seed creates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import Resolver404, resolve

from wagtail_mentoring.conf import DEFAULTS
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.programs.models import (
    Enrollment,
    ProgramPage,
    RelationshipMember,
)

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "benchmarks").glob("*.md")),
]
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$", re.M)
# Code spans that name a file or folder of the repository, e.g. `matching/pools.py`.
FILE_NAME = re.compile(r"[\w./-]*\w/|[\w./-]+\.(py|html|js|css|md|png)")
# Named as code, but made by a command or relative to another address.
NOT_IN_THE_REPOSITORY = {"dist/", "docs/_build/html/", "apply/"}


def _prose(text: str) -> str:
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _links(document: Path) -> list[str]:
    """Link and image targets, and paths written as code that climb out (`../x`)."""
    text = document.read_text()
    climbing = re.findall(r"`(\.\./[^`\s]+)`", FENCE.sub("", text))
    return LINK.findall(_prose(text)) + climbing


def _anchors(document: Path) -> set[str]:
    """Heading ids as GitHub and MyST (``myst_heading_anchors``) spell them."""
    anchors = set()
    for heading in HEADING.findall(_prose(document.read_text())):
        text = re.sub(r"[*_`]", "", heading).strip().lower()
        github = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        myst = re.sub(r"[^\w]+", "-", text).strip("-")
        anchors |= {github, myst}
    return anchors


def test_the_documents_link_to_something():
    assert len(DOCUMENTS) > 5
    assert _links(ROOT / "README.md"), "the README's links were not found"


def _broken_links(document: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for target in _links(document):
        if re.match(r"^(https?|mailto):", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        if not resolved.is_relative_to(root) or not resolved.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no such heading")
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_repository(document):
    assert _broken_links(document) == [], document.relative_to(ROOT)


def test_broken_links_are_found(tmp_path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "DESIGN.md").write_text("# Design\n")
    (repo / "docs" / "other.md").write_text("# Other\n\n## The matching panel\n")
    page = repo / "docs" / "page.md"
    page.write_text(
        "The plan is [here](../../shared/DESIGN.md), [gone](gone.md), "
        "[a heading](other.md#the-matching-panel), [no heading](other.md#nowhere), "
        "[the web](https://wagtail.org/) and `[code](not-a-link.md)`; "
        "see `../../shared/DESIGN.md` for the plan.\n"
    )
    assert _broken_links(page, root=repo) == [
        "../../shared/DESIGN.md: no such file in the repository",
        "gone.md: no such file in the repository",
        "other.md#nowhere: no such heading",
        "../../shared/DESIGN.md: no such file in the repository",
    ]


def _repository_paths() -> list[str]:
    paths = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in ("_build", "__pycache__") for p in parts):
            continue
        paths.append("/".join(parts) + ("/" if path.is_dir() else ""))
    return paths


def _code_spans(document: Path) -> list[str]:
    return re.findall(r"`([^`\n]+)`", FENCE.sub("", document.read_text()))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_file_named_as_code_exists(document):
    # A name may be relative to any folder (`journeys/models.py` lives in the
    # package), so it must be the end of some path of the repository.
    paths = _repository_paths()
    missing = [
        name
        for name in _code_spans(document)
        if FILE_NAME.fullmatch(name)
        and not name.startswith("/")
        and name not in NOT_IN_THE_REPOSITORY
        and not any(path == name or path.endswith("/" + name) for path in paths)
    ]
    assert missing == [], document.relative_to(ROOT)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_address_named_as_code_exists(document):
    # The example intranet includes the package's URLs under /mentoring/, as
    # the README tells hosts to; `<id>` stands for any number. Wagtail's page
    # view answers every other address, so landing there means "no such URL".
    missing = []
    for name in _code_spans(document):
        if re.fullmatch(r"/[\w/<>-]*/", name):
            try:
                view = resolve(re.sub(r"<[^>]+>", "1", name)).url_name
            except Resolver404:
                view = None
            if view in (None, "wagtail_serve"):
                missing.append(name)
    assert missing == [], document.relative_to(ROOT)


def test_every_setting_is_in_the_install_guides_table():
    install = (ROOT / "docs" / "install.md").read_text()
    table = install.split("## Settings", 1)[1]
    documented = set()
    for row in re.findall(r"^\|([^|]*)\|", table, re.M):
        documented |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", row))
    assert documented == set(DEFAULTS)


def test_the_install_guide_shows_the_readmes_install_lines():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Install into your existing Wagtail site", 1)[1]
    lines = section.split("<!-- install-lines -->", 1)[1].split(
        "<!-- /install-lines -->", 1
    )[0]
    # The lines tests/test_fresh_host.py applies are the ones the guide includes.
    assert (
        re.findall(r"```python\n.*?```", lines, re.S)[0]
        == re.findall(r"```python\n.*?```", section, re.S)[0]
    )
    install = (ROOT / "docs" / "install.md").read_text()
    assert ":start-after: <!-- install-lines -->" in install
    assert ":end-before: <!-- /install-lines -->" in install


def _readme_logins() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Sign in to the demo", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| \*\*(\w+)\*\* \| (.*) \|$", section, re.M))


def _partners(user, role: str, program: str) -> set[str]:
    """Sign-in names of ``user``'s active partners, ``user`` having ``role``."""
    relationships = RelationshipMember.objects.filter(
        user=user,
        role=role,
        relationship__status="active",
        relationship__program__title=program,
    ).values("relationship")
    return {
        member.user.get_username()
        for member in RelationshipMember.objects.filter(relationship__in=relationships)
        .exclude(user=user)
        .select_related("user")
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_the_readmes_demo_logins_are_what_the_seed_creates():
    User = get_user_model()
    if User.USERNAME_FIELD != "username":
        pytest.skip("the demo's logins are those of Django's default user model")
    call_command("seed_demo", verbosity=0)  # the demo's own size and seed
    logins = _readme_logins()
    assert set(logins) == {
        "admin",
        "coordinator",
        "hr",
        "emp0002",
        "emp0054",
        "emp0000",
        "emp0004",
        "emp0299",
        "emp0010",
        "emp0012",
    }
    users = {name: User.objects.get(username=name) for name in logins}
    for name, user in users.items():
        assert user.is_active and user.check_password("changeme"), name
    for name in (
        "emp0002",
        "emp0054",
        "emp0000",
        "emp0004",
        "emp0299",
        "emp0010",
        "emp0012",
    ):
        assert users[name].get_full_name() in logins[name], name

    assert users["admin"].is_superuser
    assert not users["coordinator"].is_superuser and not users["hr"].is_superuser
    coordinators = Group.objects.get(name="Engineering mentoring admins")
    assert "Engineering mentoring admins" in logins["coordinator"]
    assert list(users["coordinator"].groups.all()) == [coordinators]
    assert list(
        ProgramPage.objects.filter(admin_group=coordinators).values_list(
            "title", flat=True
        )
    ) == ["Engineering Mentoring", "Engineering Mentoring 2025–26"]
    assert users["coordinator"].has_perm("wagtail_mentoring.run_matching")
    assert [group.name for group in users["hr"].groups.all()] == ["HR"]
    for permission in (
        "administer_all_programs",
        "run_matching",
        "add_careeroutcome",
        "change_careeroutcome",
        "view_equity_reports",
    ):
        assert users["hr"].has_perm(f"wagtail_mentoring.{permission}"), permission

    engineering, product, circle = (
        "Engineering Mentoring",
        "Product & Design Mentoring",
        "Sponsorship Circle",
    )
    assert _partners(users["emp0002"], "mentee", engineering) == {"emp0054"}
    asked = MentorRequest.objects.filter(
        status="pending", program__title=product
    ).select_related("mentee_enrollment__user", "mentor_enrollment__user")
    assert ("emp0002", "emp0000") in {
        (r.mentee_enrollment.user.username, r.mentor_enrollment.user.username)
        for r in asked
    }
    assert _partners(users["emp0054"], "mentor", engineering) == {"emp0002"}
    assert _partners(users["emp0054"], "sponsor", circle) == {"emp0008", "emp0062"}
    assert (
        asked.filter(mentor_enrollment__user=users["emp0000"]).count() == 3
        and "three requests" in logins["emp0000"]
    )
    assert _partners(users["emp0000"], "sponsor", circle) == {"emp0004", "emp0051"}
    assert _partners(users["emp0004"], "sponsee", circle) == {"emp0000"}
    assert not Enrollment.objects.filter(user=users["emp0299"]).exists()
    leading = "Leading Together"
    assert _partners(users["emp0010"], "mentor", leading) == {
        "emp0012",
        "emp0013",
        "emp0014",
    }
    assert _partners(users["emp0012"], "mentee", leading) >= {"emp0010"}
    peers = "Peer Coaching Exchange"
    assert MentorRequest.objects.filter(
        program__title=peers, status="pending", mentor_enrollment__user=users["emp0004"]
    ).exists()
    assert "Find a peer partner" in logins["emp0012"]
    assert Enrollment.objects.filter(
        user=users["emp0012"], program__title=peers, status="approved"
    ).exists()
    assert not _partners(users["emp0012"], "member", peers)
    for name, row in logins.items():
        for partner in re.findall(r"emp\d{4}", row):
            assert partner in _partners_of_anyone(users[name]) | {
                r.mentor_enrollment.user.username
                for r in asked.filter(mentee_enrollment__user=users[name])
            }, (name, partner)

    # "emp0005, emp0042 and every 37th after them" have left the company.
    left = set(User.objects.filter(is_active=False).values_list("username", flat=True))
    assert left == {f"emp{i:04d}" for i in range(5, 300, 37)}


def _partners_of_anyone(user) -> set[str]:
    relationships = RelationshipMember.objects.filter(user=user).values("relationship")
    return set(
        RelationshipMember.objects.filter(relationship__in=relationships)
        .exclude(user=user)
        .values_list("user__username", flat=True)
    )
