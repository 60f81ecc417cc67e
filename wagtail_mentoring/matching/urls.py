"""Front-end URLs of matching: self-select suggestions."""

from django.urls import path

from wagtail_mentoring.matching import views

urlpatterns = [
    path(
        "applications/<int:pk>/find-a-mentor/",
        views.find_mentor,
        name="find_mentor",
    ),
]
