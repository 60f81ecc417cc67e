from django.urls import path

from wagtail_mentoring.surveys import views

urlpatterns = [
    path("surveys/", views.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", views.answer, name="survey_answer"),
]
