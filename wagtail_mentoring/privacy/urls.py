"""Front-end URLs of privacy rights."""

from django.urls import path

from wagtail_mentoring.privacy import views

urlpatterns = [
    path("my-data/export/", views.export_my_data, name="export_my_data"),
    path(
        "my-data/self-identification/",
        views.self_identification,
        name="self_identification",
    ),
]
