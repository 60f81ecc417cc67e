from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The intranet's own sign-in (stands in for the company's SSO).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # wagtail_mentoring's front end: before wagtail_urls.
    path("mentoring/", include("wagtail_mentoring.urls")),
    # Optional: the LTI 1.3 tool (login initiation, launch, JWKS, deep linking).
    path("lti/", include("wagtail_mentoring.contrib.lti.urls")),
    # Optional: SCIM 2.0 provisioning by the identity provider (Entra ID, Okta).
    path("scim/v2/", include("wagtail_mentoring.contrib.scim.urls")),
    # Its REST API (tokens: Mentoring → API tokens, or manage.py mentoring_token).
    path("api/mentoring/v1/", include("wagtail_mentoring.api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
