"""Front-end URLs of sponsorship: the dashboard, nominations, evidence,
opportunities, picking a sponsee and one sponsorship's page."""

from django.urls import path

from wagtail_mentoring.sponsorship import views

urlpatterns = [
    path("sponsorship/", views.dashboard, name="sponsorship"),
    path("sponsorship/nominate/", views.nominate, name="sponsorship_nominate"),
    path(
        "sponsorship/nominate/people/",
        views.nominee_search,
        name="sponsorship_nominee_search",
    ),
    path("sponsorship/evidence/", views.evidence, name="sponsorship_evidence"),
    path(
        "sponsorship/opportunities/",
        views.opportunities,
        name="sponsorship_opportunities",
    ),
    path(
        "sponsorship/opportunities/<int:pk>/",
        views.opportunity,
        name="sponsorship_opportunity",
    ),
    path("sponsorship/pick/", views.pick, name="sponsorship_pick"),
    path(
        "sponsorship/pick/<int:program_pk>/<int:enrollment_pk>/",
        views.pick_sponsee,
        name="sponsorship_pick_sponsee",
    ),
    path("sponsorship/<int:pk>/", views.sponsorship, name="sponsorship_detail"),
]
