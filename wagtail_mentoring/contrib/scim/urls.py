"""SCIM 2.0 URLs; a host includes them, e.g. ``path("scim/v2/", include(...))``."""

from django.urls import path, re_path

from . import views

app_name = "wagtail_mentoring_scim"

urlpatterns = [
    path("Users", views.Users.as_view(), name="users"),
    path("Users/<str:pk>", views.UserDetail.as_view(), name="user"),
    path("Groups", views.Groups.as_view(), name="groups"),
    path("Groups/<str:pk>", views.GroupDetail.as_view(), name="group"),
    path(
        "ServiceProviderConfig",
        views.ServiceProviderConfigView.as_view(),
        name="service_provider_config",
    ),
    path("Schemas", views.Schemas.as_view(), name="schemas"),
    path("Schemas/<str:pk>", views.SchemaDetail.as_view(), name="schema"),
    path("ResourceTypes", views.ResourceTypes.as_view(), name="resource_types"),
    path(
        "ResourceTypes/<str:pk>",
        views.ResourceTypeDetail.as_view(),
        name="resource_type",
    ),
    path(".search", views.RootSearch.as_view(), name="search"),
    # Anything else: a SCIM error, not the host's 404 page or a redirect.
    re_path(r"^.*$", views.NotFound.as_view(), name="not_found"),
]
