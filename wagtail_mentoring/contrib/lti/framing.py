"""Who may frame the LTI views: the registered platforms' origins, nobody else.

Only the views decorated here are frameable (``frame-ancestors`` naming the
origins of active registrations, and no ``X-Frame-Options``); every other
response of the host keeps its own framing rules.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from lti_tool.models import LtiRegistration


def platform_origins() -> list[str]:
    origins = set()
    for issuer, auth_url in LtiRegistration.objects.active().values_list(
        "issuer", "auth_url"
    ):
        for url in (issuer, auth_url):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def frame_ancestors_header() -> str:
    origins = platform_origins()
    return "frame-ancestors " + (" ".join(origins) if origins else "'none'")


def frameable_by_platforms(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True
        response["Content-Security-Policy"] = frame_ancestors_header()
        return response

    return wrapped
