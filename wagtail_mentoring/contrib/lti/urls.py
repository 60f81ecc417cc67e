"""The tool's URLs; a host includes them, e.g. ``path("lti/", include(...))``."""

from django.urls import path

from . import views

app_name = "wagtail_mentoring_lti"

urlpatterns = [
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("deep-link/", views.deep_link_return, name="deep_link"),
    path("continue/<str:token>/", views.continue_launch, name="continue"),
    path("link/", views.link_account, name="link"),
]
