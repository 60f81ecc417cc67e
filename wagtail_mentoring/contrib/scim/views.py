"""SCIM 2.0 endpoints (RFC 7644): Users, Groups and the discovery resources.

Token-only (a ``scim``-scoped personal access token); every error is a SCIM
error response (status, scimType, detail).
"""

from __future__ import annotations

import json
import re

from django.http import HttpResponse
from pydantic import ValidationError
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import APIView
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    Error,
    Filter,
    Group,
    ListResponse,
    Patch,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimPolicy,
    ServiceProviderConfig,
)
from scim2_models import ETag as ETagConfig
from scim2_models.resources.service_provider_config import Sort

from wagtail_mentoring.errors import MentoringError

from . import services
from .authentication import HasScimToken, ScimTokenAuthentication

CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200
#: Identity providers send attributes no schema declares (Entra's own
#: extensions); they are ignored rather than refused.
#: Entra ID replaces ``emails[type eq "work"].value`` on a user whose email
#: has no type: the filter creates the entry instead of failing.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
_FILTER = re.compile(
    r'^\s*(?P<attr>[A-Za-z][\w.:]*)\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$',
    re.IGNORECASE,
)


def _json(payload, status=200, headers=None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, default=str), status=status, content_type=CONTENT_TYPE
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return _json(error.model_dump(), status=status)


class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [HasScimToken]

    def handle_exception(self, exc):
        if isinstance(exc, SCIMException):
            error = exc.to_error()
            return _json(error.model_dump(), status=error.status or 400)
        if isinstance(exc, ValidationError):
            return _error(400, _validation_detail(exc), "invalidValue")
        if isinstance(
            exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed
        ):
            response = _error(401, str(exc.detail))
            response["WWW-Authenticate"] = (
                ScimTokenAuthentication().authenticate_header(self.request)
            )
            return response
        if isinstance(exc, drf_exceptions.PermissionDenied):
            if not getattr(self.request, "auth", None):
                response = _error(401, "SCIM takes a bearer token with the scim scope.")
                response["WWW-Authenticate"] = (
                    ScimTokenAuthentication().authenticate_header(self.request)
                )
                return response
            return _error(403, "This token does not reach SCIM.")
        if isinstance(exc, MentoringError):
            # A service refusing its actor (the view's permission asks first).
            return _error(403, " ".join(exc.messages))
        if isinstance(exc, drf_exceptions.MethodNotAllowed):
            return _error(405, str(exc.detail))
        if isinstance(
            exc, drf_exceptions.ParseError | drf_exceptions.UnsupportedMediaType
        ):
            return _error(400, str(exc.detail), "invalidSyntax")
        if isinstance(exc, drf_exceptions.APIException):
            return _error(exc.status_code, str(exc.detail))
        raise exc

    # -- helpers -----------------------------------------------------------
    def body(self) -> dict:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise drf_exceptions.ParseError("The body is not JSON.")
        if not isinstance(data, dict):
            raise drf_exceptions.ParseError("The body is not a JSON object.")
        return data

    def url(self, name: str, pk=None) -> str:
        from django.urls import reverse

        args = [pk] if pk is not None else []
        return self.request.build_absolute_uri(
            reverse(f"wagtail_mentoring_scim:{name}", args=args)
        )

    def page(self):
        try:
            start = int(self.request.GET.get("startIndex", 1))
            count = int(self.request.GET.get("count", MAX_RESULTS))
        except ValueError:
            raise drf_exceptions.ParseError("startIndex and count are integers.")
        return max(start, 1), min(max(count, 0), MAX_RESULTS)

    def list_response(self, queryset, dump, model):
        start, count = self.page()
        total = queryset.count()
        items = list(queryset[start - 1 : start - 1 + count]) if count else []
        response = ListResponse[model](
            total_results=total,
            start_index=start,
            items_per_page=len(items),
            resources=[dump(item) for item in items],
        )
        return _json(
            response.model_dump(
                scim_ctx=Context.SEARCH_RESPONSE,
                response_parameters=self._params(model),
            )
        )

    def _params(self, model):
        from scim2_models import ResponseParameters

        attributes = self._attrs("attributes")
        excluded = self._attrs("excludedAttributes")
        if not (attributes or excluded):
            return None
        return ResponseParameters[model](
            attributes=attributes, excluded_attributes=excluded
        )

    def _attrs(self, name):
        value = self.request.GET.get(name)
        return [a.strip() for a in value.split(",") if a.strip()] if value else None

    def resource_response(
        self, resource, status=200, ctx=Context.RESOURCE_QUERY_RESPONSE
    ):
        payload = resource.model_dump(
            scim_ctx=ctx,
            response_parameters=self._params(type(resource)),
        )
        headers = {"Location": resource.meta.location} if status == 201 else None
        return _json(payload, status=status, headers=headers)


def _validation_detail(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
        for e in exc.errors()
    )[:500]


def _filtered(queryset, raw: str | None, fields: dict):
    if not raw:
        return queryset
    match = _FILTER.match(raw)
    if not match:
        return _bad_filter(raw)
    attr = match["attr"].lower()
    if attr.startswith("urn:"):
        attr = attr.rsplit(":", 1)[-1]
    lookup = fields.get(attr)
    if lookup is None:
        return _bad_filter(raw)
    value = match["value"].replace('\\"', '"').replace("\\\\", "\\")
    if callable(lookup):
        return lookup(queryset, value)
    return queryset.filter(**{lookup: value})


def _bad_filter(raw):
    from scim2_models import InvalidFilterException

    raise InvalidFilterException(
        detail=f'Filter {raw!r} is not supported: use attribute eq "value".'
    )


def _user_filters():
    from django.contrib.auth import get_user_model

    User_ = get_user_model()
    fields = {
        "username": f"{User_.USERNAME_FIELD}__iexact",
        "externalid": "mentoring_scim__external_id",
        "id": lambda qs, v: qs.filter(pk=services._pk(v)),
        "employeenumber": "mentoring_profile__employee_id",
    }
    email = services._email_field()
    if email:
        fields["emails.value"] = f"{email}__iexact"
        fields["emails"] = f"{email}__iexact"
    return fields


class Users(ScimView):
    def get(self, request):
        queryset = _filtered(
            services.users(), request.GET.get("filter"), _user_filters()
        )
        return self.list_response(
            queryset,
            lambda user: services.user_resource(user, self.url("user", user.pk)),
            services.ScimUserModel,
        )

    def post(self, request):
        resource = services.ScimUserModel.model_validate(
            _lenient_user(self.body(), self.url("users")),
            scim_ctx=Context.RESOURCE_CREATION_REQUEST,
            scim_policy=POLICY,
        )
        user = services.create_user(resource, by=request.user)
        return self.resource_response(
            services.user_resource(user, self.url("user", user.pk)),
            status=201,
            ctx=Context.RESOURCE_CREATION_RESPONSE,
        )


class UserDetail(ScimView):
    def get(self, request, pk):
        user = services.get_user(pk)
        return self.resource_response(
            services.user_resource(user, self.url("user", pk))
        )

    def put(self, request, pk):
        user = services.get_user(pk)
        resource = services.ScimUserModel.model_validate(
            _lenient_user(self.body(), self.url("users")),
            scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
            scim_policy=POLICY,
        )
        services.replace_user(user, resource, by=request.user)
        user = services.get_user(pk)
        return self.resource_response(
            services.user_resource(user, self.url("user", pk)),
            ctx=Context.RESOURCE_REPLACEMENT_RESPONSE,
        )

    def patch(self, request, pk):
        user = services.get_user(pk)
        patch = PatchOp[services.ScimUserModel].model_validate(
            _lenient_patch(self.body(), self.url("users")),
            scim_ctx=Context.RESOURCE_PATCH_REQUEST,
            scim_policy=POLICY,
        )
        resource = services.user_resource(user, self.url("user", pk))
        patch.patch(resource, scim_policy=POLICY)
        services.replace_user(user, resource, by=request.user)
        user = services.get_user(pk)
        return self.resource_response(
            services.user_resource(user, self.url("user", pk)),
            ctx=Context.RESOURCE_PATCH_RESPONSE,
        )

    def delete(self, request, pk):
        services.delete_user(services.get_user(pk), by=request.user)
        return HttpResponse(status=204)


_BOOLEANS = {"true": True, "false": False}


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _manager(value, users_url: str):
    """Entra ID and Okta send a manager as ``{"value": id}`` or the bare id;
    the schema requires ``$ref``, which the id gives."""
    if isinstance(value, str | int):
        value = {"value": str(value)}
    if isinstance(value, dict) and value.get("value") and not value.get("$ref"):
        value = {**value, "$ref": f"{users_url}/{value['value']}"}
    return value


def _lenient_user(body: dict, users_url: str) -> dict:
    extension = body.get(ENTERPRISE)
    if isinstance(extension, dict) and extension.get("manager"):
        extension["manager"] = _manager(extension["manager"], users_url)
    return body


def _lenient_patch(body: dict, users_url: str) -> dict:
    """Entra ID sends ``"active": "False"`` (a string) in PATCH values, and a
    manager as its bare id."""
    for operation in body.get("Operations") or []:
        if not isinstance(operation, dict):
            continue
        path = str(operation.get("path") or "")
        if path.lower() == f"{ENTERPRISE}:manager".lower() and operation.get("value"):
            operation["value"] = _manager(operation["value"], users_url)
        elif isinstance(operation.get("value"), dict):
            value = operation["value"]
            for key in list(value):
                if key.lower() == f"{ENTERPRISE}:manager".lower() and value[key]:
                    value[key] = _manager(value[key], users_url)
                elif key == ENTERPRISE and isinstance(value[key], dict):
                    _lenient_user(value, users_url)
    for operation in body.get("Operations") or []:
        if not isinstance(operation, dict):
            continue
        value = operation.get("value")
        path = str(operation.get("path") or "").lower()
        if path == "active" and isinstance(value, str) and value.lower() in _BOOLEANS:
            operation["value"] = _BOOLEANS[value.lower()]
        elif isinstance(value, dict):
            for key, inner in list(value.items()):
                if (
                    key.lower() == "active"
                    and isinstance(inner, str)
                    and inner.lower() in _BOOLEANS
                ):
                    value[key] = _BOOLEANS[inner.lower()]
    return body


class Groups(ScimView):
    def get(self, request):
        queryset = _filtered(
            services.groups(),
            request.GET.get("filter"),
            {
                "displayname": "name__iexact",
                "externalid": "mentoring_scim__external_id",
                "id": lambda qs, v: qs.filter(pk=int(v) if v.isdigit() else None),
            },
        )
        return self.list_response(queryset, self.dump, Group)

    def dump(self, group):
        return services.group_resource(
            group, self.url("group", group.pk), lambda pk: self.url("user", pk)
        )

    def post(self, request):
        resource = Group.model_validate(
            self.body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY
        )
        group = services.create_group(resource, by=request.user)
        return self.resource_response(
            self.dump(group), status=201, ctx=Context.RESOURCE_CREATION_RESPONSE
        )


class GroupDetail(Groups):
    def get(self, request, pk):
        return self.resource_response(self.dump(services.get_group(pk)))

    def post(self, request, pk):
        raise drf_exceptions.MethodNotAllowed("POST")

    def put(self, request, pk):
        group = services.get_group(pk)
        resource = Group.model_validate(
            self.body(),
            scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
            scim_policy=POLICY,
        )
        services.replace_group(group, resource, by=request.user)
        return self.resource_response(
            self.dump(services.get_group(pk)), ctx=Context.RESOURCE_REPLACEMENT_RESPONSE
        )

    def patch(self, request, pk):
        group = services.get_group(pk)
        patch = PatchOp[Group].model_validate(
            self.body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        resource = self.dump(group)
        patch.patch(resource, scim_policy=POLICY)
        services.replace_group(group, resource, by=request.user)
        return self.resource_response(
            self.dump(services.get_group(pk)), ctx=Context.RESOURCE_PATCH_RESPONSE
        )

    def delete(self, request, pk):
        services.delete_group(services.get_group(pk), by=request.user)
        return HttpResponse(status=204)


# --- discovery ------------------------------------------------------------------


class ServiceProviderConfigView(ScimView):
    def get(self, request):
        config = ServiceProviderConfig(
            documentation_uri="https://wagtail-mentoring.readthedocs.io/en/latest/scim.html",
            patch=Patch(supported=True),
            bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
            filter=Filter(supported=True, max_results=MAX_RESULTS),
            change_password=ChangePassword(supported=False),
            sort=Sort(supported=False),
            etag=ETagConfig(supported=False),
            authentication_schemes=[
                AuthenticationScheme(
                    type="oauthbearertoken",
                    name="Bearer token",
                    description="A personal access token with the scim scope "
                    "(manage.py mentoring_token create USER --scope scim).",
                    primary=True,
                )
            ],
        )
        config.meta = None
        payload = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        payload["meta"] = {
            "resourceType": "ServiceProviderConfig",
            "location": self.url("service_provider_config"),
        }
        return _json(payload)


#: What the service stores, and so publishes (RFC 7643 §7): attribute →
#: the sub-attributes kept (None: a simple attribute).
SUPPORTED = {
    "urn:ietf:params:scim:schemas:core:2.0:User": {
        "userName": None,
        "name": {"givenName", "familyName"},
        "emails": {"value"},
        "active": None,
        "title": None,
        # Read-only: membership is written through /Groups.
        "groups": {"value", "$ref", "display", "type"},
    },
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
        "employeeNumber": None,
        "department": None,
        "manager": {"value", "$ref"},
    },
    "urn:ietf:params:scim:schemas:core:2.0:Group": {
        "displayName": None,
        "members": {"value", "$ref", "type"},
    },
}


def _schemas():
    from scim2_models import Required, User

    schemas = []
    for schema in (User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema()):
        kept = SUPPORTED[schema.id]
        attributes = []
        for attribute in schema.attributes or []:
            if attribute.name not in kept:
                continue
            subs = kept[attribute.name]
            if subs is not None and attribute.sub_attributes:
                attribute.sub_attributes = [
                    a for a in attribute.sub_attributes if a.name in subs
                ]
            if attribute.name == "active":
                # Every account has a state: it cannot be removed, only set.
                attribute.required = Required.true
            attributes.append(attribute)
        schema.attributes = attributes
        schemas.append(schema)
    return schemas


def _resource_types():
    return [
        ResourceType.from_resource(services.ScimUserModel),
        ResourceType.from_resource(Group),
    ]


class Schemas(ScimView):
    def get(self, request):
        items = []
        for schema in _schemas():
            payload = schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
            payload["meta"] = {
                "resourceType": "Schema",
                "location": self.url("schema", schema.id),
            }
            items.append(payload)
        return _list(items)


class SchemaDetail(ScimView):
    def get(self, request, pk):
        for schema in _schemas():
            if schema.id == pk:
                payload = schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
                payload["meta"] = {
                    "resourceType": "Schema",
                    "location": self.url("schema", schema.id),
                }
                return _json(payload)
        return _error(404, f"Schema {pk} not found")


class ResourceTypes(ScimView):
    def get(self, request):
        return _list([self.dump(rt) for rt in _resource_types()])

    def dump(self, resource_type):
        payload = resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        payload["meta"] = {
            "resourceType": "ResourceType",
            "location": self.url("resource_type", resource_type.id),
        }
        return payload


class ResourceTypeDetail(ResourceTypes):
    def get(self, request, pk):
        for resource_type in _resource_types():
            if resource_type.id == pk:
                return _json(self.dump(resource_type))
        return _error(404, f"ResourceType {pk} not found")


class RootSearch(ScimView):
    """POST /.search across resource types: optional (RFC 7644 §3.4.3), not
    offered; filter each resource type's list instead."""

    def post(self, request):
        return _error(501, "Searching several resource types at once is not supported.")


class NotFound(ScimView):
    """Any other address under the SCIM root: a SCIM 404, not a redirect."""

    def _missing(self, request, *args, **kwargs):
        return _error(404, "No SCIM resource at this address.")

    get = post = put = patch = delete = _missing


def _list(items):
    return _json(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(items),
            "startIndex": 1,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )
