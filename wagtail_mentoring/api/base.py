"""What every API view shares, set on the views themselves: the host's
``REST_FRAMEWORK`` settings change nothing here, and ours change nothing of the
host's other APIs.

Errors have one shape, whatever raised them::

    {"error": {"code": "closed", "message": "Applications for … are closed.",
               "fields": {"rating": ["A valid integer is required."]}}}

``code`` is the service's code (``MentoringError.code``) or DRF's, ``message``
the sentence to show a person, ``fields`` (only for invalid input) what is
wrong with which field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from wagtail_mentoring.api.authentication import (
    BearerTokenAuthentication,
    ProgramAdminScope,
    SessionAuthentication,
    SignedIn,
)
from wagtail_mentoring.errors import MentoringError

#: The largest request body the API reads; larger ones are refused unread.
MAX_BODY_BYTES = 64 * 1024
#: The largest id a database column holds; a larger one names nothing.
MAX_ID = 2**63 - 1


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _fields(detail) -> dict:
    if not isinstance(detail, dict):
        return {}
    return {
        key: [str(v) for v in (value if isinstance(value, list) else [value])]
        for key, value in detail.items()
        if key != "non_field_errors"
    }


def error_response(code: str, message: str, status_code: int, fields=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return Response(body, status=status_code)


@csrf_exempt
def unknown_address(request, *args, **kwargs):
    """Any other address under the API's prefix: the API's own 404, in its
    error shape, instead of the host's page tree (an HTML page, and for a
    POST a CSRF refusal, neither of which an API client can read)."""
    body = {"error": {"code": "not_found", "message": _("No such address.")}}
    return JsonResponse(body, status=404)


def exception_handler(exc, context):
    """Every refusal in the one documented shape."""
    if isinstance(exc, MentoringError):
        code = exc.code or "refused"
        return error_response(
            code,
            " ".join(exc.messages),
            status.HTTP_403_FORBIDDEN if code == "forbidden" else 400,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        response = error_response(
            "invalid",
            _first_message(exc.detail) or _("The request is not valid."),
            exc.status_code,
            _fields(exc.detail),
        )
    else:
        codes = exc.get_codes()
        response = error_response(
            codes if isinstance(codes, str) else "error",
            _first_message(exc.detail),
            exc.status_code,
        )
    for key, value in headers.items():
        response[key] = value
    return response


def documented(**kwargs):
    """``extend_schema`` for a view method, based on drf-spectacular's schema
    class whatever the host's ``DEFAULT_SCHEMA_CLASS`` says."""

    def decorator(method):
        method.kwargs = {"schema": AutoSchema}
        return extend_schema(**kwargs)(method)

    return decorator


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class StrictSerializer(serializers.Serializer):
    """Input serializers refuse fields they do not know (a typo is an error,
    not a silently ignored wish)."""

    def to_internal_value(self, data):
        # DRF turns 42 into "42" for a text field; a wrong type is an error,
        # reported with every other field's.
        wrong = {}
        if isinstance(data, dict):
            wrong = {
                name: [_("Not a valid string.")]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and name in data
                and not isinstance(data[name], str)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError({**detail, **wrong} or error.detail)
        if wrong:
            raise serializers.ValidationError(wrong)
        return value

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field.")] for name in unknown}
                )
        return attrs


class APIBase(APIView):
    """Session (with CSRF) or bearer token; JSON in, JSON out; our errors."""

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [SignedIn]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends: list = []
    throttle_classes: list = []
    content_negotiation_class = DefaultContentNegotiation
    metadata_class = SimpleMetadata
    versioning_class = None
    schema = AutoSchema()

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise BodyTooLarge(
                _("The request body is larger than %(max)d KB.")
                % {"max": MAX_BODY_BYTES // 1024}
            )
        if any(isinstance(v, int) and v > MAX_ID for v in kwargs.values()):
            raise exceptions.NotFound()
        # A number no database column holds (a filter's id, a page): refused
        # here, the same on every database.
        too_large = {
            key: [_("Out of range.")]
            for key, values in request.GET.lists()
            if any(
                v.strip().lstrip("-").isdigit() and abs(int(v)) > MAX_ID for v in values
            )
        }
        if too_large:
            raise exceptions.ValidationError(too_large)
        super().initial(request, *args, **kwargs)

    def input(self, serializer_class, **kwargs):
        """The request's body, validated by ``serializer_class``."""
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ListBase(APIBase, generics.ListAPIView):
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]


class DetailBase(APIBase, generics.RetrieveAPIView):
    pass


class AdminMixin:
    permission_classes = [ProgramAdminScope]
