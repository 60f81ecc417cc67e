"""Admin of development tracks: the stage report."""

from wagtail_mentoring.tracks.admin import TrackViewSet


def register(menu) -> None:
    menu.mentoring.append(TrackViewSet())
