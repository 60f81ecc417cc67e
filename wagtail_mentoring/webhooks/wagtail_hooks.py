"""Admin of webhooks: endpoints and their delivery log, in the Mentoring menu."""

from wagtail_mentoring.webhooks.admin import DeliveryViewSet, EndpointViewSet


def register(menu) -> None:
    menu.mentoring += [EndpointViewSet(), DeliveryViewSet()]
