"""The built package installs into a `wagtail start` project with its own user model.

The wheel is built from a source archive of this checkout (as ``python -m build``
does), installed into a new virtual environment, and only the README's install
lines are applied to a project that already lists one of the apps they add. The
host then migrates and renders the mentoring pages and admin screens, so a
template or static file missing from the package fails here.
"""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import distributions
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wagtail_mentoring"
# What a source archive is made from (see MANIFEST.in).
SOURCES = ["pyproject.toml", "MANIFEST.in", "README.md", "docs", "wagtail_mentoring"]
# Hosts like Wagtail's bakery demo already have it; the README's lines must not
# add it a second time ("Application labels aren't unique").
APP_THE_HOST_HAS = "wagtail.contrib.routable_page"
ACCOUNTS_MODELS = """
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models


class Manager(BaseUserManager):
    def create_user(self, email, password=None, **extra):
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email, password=None, **extra):
        return self.create_user(email, password, is_staff=True, is_superuser=True)


class Employee(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    USERNAME_FIELD = "email"
    objects = Manager()
"""


def _readme_install_lines() -> tuple[str, str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Install into your existing Wagtail site", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    settings_block = blocks[0].split("# urls.py")[0]
    url_line = next(
        line.strip()
        for line in blocks[0].splitlines()
        if 'include("wagtail_mentoring.urls")' in line
    )
    return settings_block, url_line


def _run(args, cwd, **kwargs):
    # The host is its own project: none of our test environment leaks in.
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV")
    }
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _build_wheel(out: Path) -> Path:
    # From a copy of the sources alone: setuptools would otherwise also take the
    # file list of a checkout's stale *.egg-info (left by `pip install -e .`),
    # which hides a file the package data rules leave out.
    source = out / "source"
    source.mkdir()
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "_build")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=junk)
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    # Without --wheel, build makes the source archive first and the wheel from
    # it, so a file the archive leaves out is missing from the wheel too.
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], cwd=out)
    (wheel,) = out.glob("wagtail_mentoring-*.whl")
    assert list(out.glob("wagtail_mentoring-*.tar.gz")), "no source archive"
    return wheel


def _same_versions_as_here(path: Path) -> Path:
    # The new environment gets the versions this test run uses (CI tests several
    # Wagtail/Django pairs), which pip also finds in its cache.
    pins = sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in distributions()
        if dist.metadata["Name"]
        and dist.metadata["Name"].lower().replace("_", "-") != "wagtail-mentoring"
    )
    path.write_text("\n".join(pins) + "\n")
    return path


def test_wheel_carries_every_file_of_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    in_checkout = {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert any(name.endswith(".html") for name in in_checkout)
    assert any("/static/" in name for name in in_checkout)
    assert in_checkout - names == set()


def test_installs_into_a_fresh_wagtail_project(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    constraints = _same_versions_as_here(tmp_path / "constraints.txt")
    _run(
        [python, "-m", "pip", "install", "-q", "-c", str(constraints), str(wheel)],
        cwd=tmp_path,
    )
    installed = _run(
        [python, "-c", "import wagtail_mentoring; print(wagtail_mentoring.__file__)"],
        cwd=tmp_path,
    )
    assert installed.startswith(str(venv)), installed

    site = tmp_path / "host"
    site.mkdir()
    _run([str(venv / "bin" / "wagtail"), "start", "acme", str(site)], cwd=tmp_path)
    accounts = site / "accounts"
    (accounts / "migrations").mkdir(parents=True)
    (accounts / "__init__.py").write_text("")
    (accounts / "migrations" / "__init__.py").write_text("")
    (accounts / "models.py").write_text(ACCOUNTS_MODELS)

    settings_block, url_line = _readme_install_lines()
    base = site / "acme" / "settings" / "base.py"
    host_settings = base.read_text()
    assert APP_THE_HOST_HAS not in host_settings
    base.write_text(
        host_settings.replace(
            "INSTALLED_APPS = [\n",
            f'INSTALLED_APPS = [\n    "{APP_THE_HOST_HAS}",\n',
            1,
        )
        + '\nINSTALLED_APPS += ["accounts"]\nAUTH_USER_MODEL = "accounts.Employee"\n'
        + settings_block
    )
    urls = site / "acme" / "urls.py"
    text = urls.read_text()
    text = text.replace(
        '    path("", include(wagtail_urls)),',
        f"    {url_line}\n" + '    path("", include(wagtail_urls)),',
        1,
    )
    urls.write_text(text)

    manage = [python, "manage.py"]
    apps = _run(
        [
            *manage,
            "shell",
            "-c",
            "from django.conf import settings; print(*settings.INSTALLED_APPS)",
        ],
        cwd=site,
    ).split()
    for app in (APP_THE_HOST_HAS, "wagtail_mentoring"):
        assert apps.count(app) == 1, apps
    _run([*manage, "makemigrations", "accounts"], cwd=site)
    _run([*manage, "migrate", "--noinput"], cwd=site)
    check = (Path(__file__).parent / "fresh_host" / "render_check.py").read_text()
    output = _run([*manage, "shell"], cwd=site, input=check)
    assert "ALL OK" in output
