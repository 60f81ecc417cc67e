"""System checks: whatever the README asks of a host, ``manage.py check`` names.

Each problem a host can make while installing (a missing app, the URL include,
the sign-in URL, the base template, the task mode, a misspelt setting) is a check
with an id and a hint pointing at the README line, instead of an error page later.
"""

from __future__ import annotations

import difflib
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.shortcuts import resolve_url
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends.django import Template as DjangoBackendTemplate
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode
from django.urls import NoReverseMatch, Resolver404, get_resolver, resolve, reverse

from wagtail_mentoring import dispatch
from wagtail_mentoring.conf import DEFAULTS, mentoring_settings

APP_LABEL = "wagtail_mentoring"
INSTALL = 'docs/install.md, "Add it to your site"'
SETTINGS = 'docs/install.md, "Settings"'

#: Apps the package uses beyond Wagtail's core, and what for.
REQUIRED_APPS = {
    "wagtail.contrib.routable_page": "program pages serve their apply form with it",
    "wagtail.snippets": "skills and interests are edited as snippets",
    "wagtail.images": "page content and journey steps show images",
    "wagtail.documents": "page content and journey steps link documents",
    "wagtail.embeds": "page content and journey steps embed media",
}

#: Wagtail's catch-all URL that serves pages.
WAGTAIL_SERVE = "wagtail_serve"


def _ours(app_configs) -> bool:
    return app_configs is None or any(c.label == APP_LABEL for c in app_configs)


@register()
def check_required_apps(app_configs=None, **kwargs):
    if not _ours(app_configs):
        return []
    return [
        Error(
            f"{app!r} is not in INSTALLED_APPS; wagtail_mentoring needs it: {why}.",
            hint=f'Add "{app}" to INSTALLED_APPS ({INSTALL}, settings.py lines).',
            id="wagtail_mentoring.E001",
        )
        for app, why in REQUIRED_APPS.items()
        if not apps.is_installed(app)
    ]


@register(Tags.urls)
def check_url_include(app_configs=None, **kwargs):
    if not _ours(app_configs):
        return []
    hint = (
        'Add path("mentoring/", include("wagtail_mentoring.urls")) to your '
        f"ROOT_URLCONF, before the wagtail_urls include ({INSTALL}, urls.py lines)."
    )
    try:
        url = reverse("wagtail_mentoring:my_mentoring")
    except NoReverseMatch:
        return [
            Error(
                "The URLs of wagtail_mentoring are not included in ROOT_URLCONF.",
                hint=hint,
                id="wagtail_mentoring.E002",
            )
        ]
    try:
        match = resolve(url)
    except Resolver404:
        match = None
    if match is None or APP_LABEL not in match.app_names:
        served_by = match.url_name if match else None
        return [
            Error(
                f"{url} is served by {served_by or 'nothing'}, not by "
                "wagtail_mentoring: its URL include comes after a pattern that "
                "matches first (usually wagtail_urls).",
                hint=hint,
                id="wagtail_mentoring.E003",
            )
        ]
    return []


@register(Tags.urls)
def check_login_url(app_configs=None, **kwargs):
    if not _ours(app_configs):
        return []
    login_url = str(resolve_url(settings.LOGIN_URL))
    parts = urlsplit(login_url)
    if parts.scheme or parts.netloc:
        return []  # an external sign-in (SSO): nothing here to resolve
    hint = (
        "Set LOGIN_URL to your sign-in page (a path or URL name), e.g. "
        f'LOGIN_URL = "wagtailadmin_login" ({INSTALL}, "Users and sign-in").'
    )
    try:
        match = resolve(parts.path)
    except Resolver404:
        problem = "matches no URL pattern"
    else:
        if match.url_name != WAGTAIL_SERVE:
            return []
        problem = (
            "is only matched by Wagtail's page catch-all; unless a page lives "
            "there, it answers 'not found'"
        )
    return [
        Warning(
            f"LOGIN_URL {login_url!r} {problem}: people who are not signed in "
            "are sent there by wagtail_mentoring.",
            hint=hint,
            id="wagtail_mentoring.W001",
        )
    ]


def _block_names(template, seen: set[str]) -> set[str]:
    """Names of the blocks in a Django template and in the templates it extends
    (when their names are literal)."""
    names = {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    for extends in template.nodelist.get_nodes_by_type(ExtendsNode):
        parent = extends.parent_name.var
        if not isinstance(parent, str) or parent in seen:
            continue
        seen.add(parent)
        try:
            names |= _block_names(template.engine.get_template(parent), seen)
        except (TemplateDoesNotExist, TemplateSyntaxError):
            continue  # Django's own rendering will say so
    return names


@register(Tags.templates)
def check_base_template(app_configs=None, **kwargs):
    if not _ours(app_configs):
        return []
    name = mentoring_settings.BASE_TEMPLATE
    hint = (
        'Set WAGTAIL_MENTORING["BASE_TEMPLATE"] to your site\'s base template, '
        f"which must define {{% block content %}} ({SETTINGS}, BASE_TEMPLATE)."
    )
    try:
        template = get_template(name)
    except (TemplateDoesNotExist, TemplateSyntaxError) as error:
        return [
            Error(
                f"The base template {name!r} cannot be loaded "
                f"({type(error).__name__}: {error}).",
                hint=hint,
                id="wagtail_mentoring.E004",
            )
        ]
    if not isinstance(template, DjangoBackendTemplate):
        return []  # another template engine: its blocks cannot be read here
    if "content" not in _block_names(template.template, {name}):
        return [
            Error(
                f"The base template {name!r} has no {{% block content %}}: every "
                "front-end page of wagtail_mentoring would render empty.",
                hint=hint,
                id="wagtail_mentoring.E005",
            )
        ]
    return []


@register()
def check_tasks(app_configs=None, **kwargs):
    if not _ours(app_configs):
        return []
    value = mentoring_settings.TASKS
    hint = (
        'WAGTAIL_MENTORING["TASKS"] is "auto" (Celery when your project has a '
        'Celery app, else in this process), "celery" or "immediate" '
        f"({SETTINGS}, TASKS)."
    )
    if value not in dispatch.TASK_MODES:
        return [
            Error(
                f'WAGTAIL_MENTORING["TASKS"] is {value!r}.',
                hint=hint,
                id="wagtail_mentoring.E006",
            )
        ]
    app = dispatch.host_celery_app()
    if value == dispatch.CELERY and app is None:
        return [
            Error(
                'WAGTAIL_MENTORING["TASKS"] is "celery" but the project has no '
                "Celery app: tasks would go to Celery's default app, which reads "
                "no Django setting.",
                hint=(
                    "Create the app in your project's celery.py and import it "
                    "from the project's __init__.py (Celery's Django guide), or "
                    'set "TASKS" to "auto". ' + hint
                ),
                id="wagtail_mentoring.E007",
            )
        ]
    current = dispatch.mode()
    if current.name == dispatch.CELERY and not app.conf.broker_write_url:
        return [
            Warning(
                "The project's Celery app has no broker URL, so tasks go to "
                f"{current.broker}.",
                hint=(
                    "Set CELERY_BROKER_URL (or your app's broker_url), or run "
                    'tasks in this process with WAGTAIL_MENTORING["TASKS"] = '
                    f'"immediate" ({SETTINGS}, TASKS).'
                ),
                id="wagtail_mentoring.W003",
            )
        ]
    return []


@register()
def check_setting_names(app_configs=None, **kwargs):
    if not _ours(app_configs):
        return []
    configured = getattr(settings, "WAGTAIL_MENTORING", None) or {}
    problems = []
    for key in sorted(set(configured) - set(DEFAULTS)):
        close = difflib.get_close_matches(key, DEFAULTS, n=1)
        did_you_mean = f' Did you mean "{close[0]}"?' if close else ""
        problems.append(
            Warning(
                f'WAGTAIL_MENTORING has an unknown key "{key}"; it is ignored.'
                + did_you_mean,
                hint=f"The keys wagtail_mentoring reads are listed in {SETTINGS}.",
                id="wagtail_mentoring.W002",
            )
        )
    return problems


#: Apps the REST API needs when a host includes ``wagtail_mentoring.api.urls``.
API_APPS = {
    "rest_framework": "the API is built on Django REST framework",
    "drf_spectacular": "its OpenAPI schema and the interactive page's template",
    "drf_spectacular_sidecar": "the interactive page's Swagger UI static files",
}


def _includes_api(patterns) -> bool:
    for pattern in patterns:
        module = getattr(pattern, "urlconf_module", None)
        name = getattr(module, "__name__", module)
        if name == "wagtail_mentoring.api.urls":
            return True
        if hasattr(pattern, "url_patterns") and _includes_api(pattern.url_patterns):
            return True
    return False


@register(Tags.urls)
def check_api_apps(app_configs=None, **kwargs):
    """A host that mounts the API must install what it runs on."""
    if not _ours(app_configs):
        return []
    if not _includes_api(get_resolver().url_patterns):
        return []
    return [
        Error(
            f"{app!r} is not in INSTALLED_APPS, but the ROOT_URLCONF includes "
            f"wagtail_mentoring.api.urls: {why}.",
            hint=f'Add "{app}" to INSTALLED_APPS (docs/api.md, "Install").',
            id="wagtail_mentoring.E008",
        )
        for app, why in API_APPS.items()
        if not apps.is_installed(app)
    ]
