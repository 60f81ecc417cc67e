"""The API's OpenAPI 3.1 document and its interactive page.

The document covers this package's URLs only (``urlconf``), whatever else the
host serves; the page loads Swagger UI from ``drf-spectacular-sidecar``'s
static files, never from a CDN.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from wagtail_mentoring.api.authentication import (
    BearerTokenAuthentication,
    SessionAuthentication,
)
from wagtail_mentoring.api.base import MAX_ID


def ids_are_not_negative(result, generator, request, public):
    """An id in a path is digits (Django's ``int`` converter): say so, so that
    clients (and the fuzzer) know ``-1`` is no address of the API."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema["minimum"] = 0
                    schema["maximum"] = MAX_ID
    return result


SETTINGS = {
    "OAS_VERSION": "3.1.0",
    "TITLE": "wagtail_mentoring API",
    "DESCRIPTION": (
        "Programs, applications, relationships, journeys, community spaces and "
        "program administration of the intranet's mentoring platform. Errors "
        'are always {"error": {"code", "message", "fields"?}}.'
    ),
    "VERSION": "1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or a "role": each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "EnrollmentStatusEnum": "wagtail_mentoring.programs.models.EnrollmentStatus",
        "RoleEnum": "wagtail_mentoring.programs.models.Role",
        "GoalStatusEnum": "wagtail_mentoring.engagement.models.GoalStatus",
        "StepStatusEnum": "wagtail_mentoring.journeys.models.StepStatus",
        "MentorRequestStatusEnum": (
            "wagtail_mentoring.engagement.models.MentorRequestStatus"
        ),
        "OpportunityNominationStatusEnum": (
            "wagtail_mentoring.sponsorship.models.OpportunityNominationStatus"
        ),
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "wagtail_mentoring.api.schema.ids_are_not_negative",
        "wagtail_mentoring.api.schema_links.add_links",
    ],
}


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class SchemaView(SpectacularAPIView):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes: list = []
    urlconf = "wagtail_mentoring.api.urls"
    schema = None  # not an operation of the API itself
    custom_settings = SETTINGS
    renderer_classes = [JSONRenderer]

    def get(self, request, *args, **kwargs):
        # Paths are relative to where the host mounted the API: say where.
        prefix = reverse("wm_api:schema").removesuffix("schema/").rstrip("/")
        self.custom_settings = {**SETTINGS, "SERVERS": [{"url": prefix}]}
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its script served apart, for hosts with a strict CSP."""

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes: list = []
    url_name = "wm_api:schema"
    title = SETTINGS["TITLE"]
    template_name = "wagtail_mentoring/api/swagger_ui.html"
    schema = None

    def get(self, request, *args, **kwargs):
        # Swagger UI's files from drf-spectacular-sidecar, whatever the host's
        # SPECTACULAR_SETTINGS say.
        with patched_settings(SETTINGS):
            return super().get(request, *args, **kwargs)

    custom_settings = SETTINGS
