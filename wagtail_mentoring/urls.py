"""Front-end URLs; the host includes them under a prefix of its choice:

path("mentoring/", include("wagtail_mentoring.urls")),
"""

from django.urls import path

from wagtail_mentoring.programs import views as program_views

app_name = "wagtail_mentoring"

urlpatterns = [
    path("", program_views.my_mentoring, name="my_mentoring"),
    path(
        "applications/<int:pk>/withdraw/",
        program_views.withdraw,
        name="withdraw_application",
    ),
]
