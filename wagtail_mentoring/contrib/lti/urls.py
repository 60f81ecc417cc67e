"""The tool's URLs; a host includes them, e.g. ``path("lti/", include(...))``."""

from django.apps import apps
from django.urls import path

app_name = "wagtail_mentoring_lti"

# Without django-lti there is nothing to serve; ``manage.py check`` says why
# (wagtail_mentoring_lti.E001) instead of the URL conf failing to import.
urlpatterns = []
if apps.is_installed("lti_tool"):
    from . import views

    urlpatterns = [
        path("login/", views.oidc_login, name="login"),
        path("launch/", views.launch, name="launch"),
        path("jwks/", views.jwks, name="jwks"),
        path("deep-link/", views.deep_link_return, name="deep_link"),
        path("continue/<str:token>/", views.continue_launch, name="continue"),
        path("link/", views.link_account, name="link"),
        path("course/<int:context_pk>/", views.course_report, name="course"),
    ]
