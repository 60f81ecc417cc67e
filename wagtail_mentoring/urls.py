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

# Sponsorship
from wagtail_mentoring.sponsorship import views as sponsorship_views  # noqa: E402

urlpatterns += [
    path("sponsorship/", sponsorship_views.dashboard, name="sponsorship"),
    path(
        "sponsorship/nominate/",
        sponsorship_views.nominate,
        name="sponsorship_nominate",
    ),
    path(
        "sponsorship/evidence/",
        sponsorship_views.evidence,
        name="sponsorship_evidence",
    ),
    path(
        "sponsorship/opportunities/",
        sponsorship_views.opportunities,
        name="sponsorship_opportunities",
    ),
    path(
        "sponsorship/opportunities/<int:pk>/",
        sponsorship_views.opportunity,
        name="sponsorship_opportunity",
    ),
    path("sponsorship/pick/", sponsorship_views.pick, name="sponsorship_pick"),
    path(
        "sponsorship/pick/<int:program_pk>/<int:enrollment_pk>/",
        sponsorship_views.pick_sponsee,
        name="sponsorship_pick_sponsee",
    ),
    path(
        "sponsorship/<int:pk>/",
        sponsorship_views.sponsorship,
        name="sponsorship_detail",
    ),
]
