"""The package installs into a `wagtail start` project that has its own user model.

Only the README's install lines are applied (read from the README itself), then
the host migrates and renders the mentoring pages and admin screens.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
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
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH")
    }
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_installs_into_a_fresh_wagtail_project(tmp_path):
    site = tmp_path / "host"
    site.mkdir()
    wagtail_cli = [sys.executable, "-c", "from wagtail.bin.wagtail import main; main()"]
    _run([*wagtail_cli, "start", "acme", str(site)], cwd=tmp_path)
    accounts = site / "accounts"
    (accounts / "migrations").mkdir(parents=True)
    (accounts / "__init__.py").write_text("")
    (accounts / "migrations" / "__init__.py").write_text("")
    (accounts / "models.py").write_text(ACCOUNTS_MODELS)

    settings_block, url_line = _readme_install_lines()
    base = site / "acme" / "settings" / "base.py"
    base.write_text(
        base.read_text()
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

    manage = [sys.executable, "manage.py"]
    _run([*manage, "makemigrations", "accounts"], cwd=site)
    _run([*manage, "migrate", "--noinput"], cwd=site)
    check = (Path(__file__).parent / "fresh_host" / "render_check.py").read_text()
    output = _run([*manage, "shell"], cwd=site, input=check)
    assert "ALL OK" in output
