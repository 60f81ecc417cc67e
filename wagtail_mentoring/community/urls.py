"""Front-end URLs of community spaces (the space itself is a Wagtail page)."""

from django.urls import path

from wagtail_mentoring.community import views

S = "spaces/<int:space_id>/"

urlpatterns = [
    path("spaces/", views.my_spaces, name="community_my_spaces"),
    path(S + "join/", views.join, name="community_join"),
    path(S + "ask/", views.ask_to_join, name="community_ask"),
    path(S + "leave/", views.leave, name="community_leave"),
    path(
        S + "invitation/decline/",
        views.decline_invitation,
        name="community_decline_invitation",
    ),
    path(S + "members/", views.members, name="community_members"),
    path(
        S + "members/<int:membership_id>/",
        views.manage_member,
        name="community_manage_member",
    ),
    path(S + "threads/new/", views.new_thread, name="community_new_thread"),
    path(S + "threads/<int:thread_id>/", views.thread, name="community_thread"),
    path(
        S + "threads/<int:thread_id>/reply/",
        views.post_reply,
        name="community_reply",
    ),
    path(
        S + "threads/<int:thread_id>/moderate/",
        views.moderate_thread,
        name="community_moderate_thread",
    ),
    path(S + "posts/<int:post_id>/edit/", views.edit_post, name="community_edit_post"),
    path(S + "posts/<int:post_id>/hide/", views.hide_post, name="community_hide_post"),
    path(
        S + "posts/<int:post_id>/report/",
        views.report_post,
        name="community_report_post",
    ),
    path(S + "posts/<int:post_id>/helpful/", views.helpful, name="community_helpful"),
    path(S + "posts/<int:post_id>/answer/", views.mark_answer, name="community_answer"),
    path(S + "search/", views.search, name="community_search"),
]
