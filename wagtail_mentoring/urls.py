"""Front-end URLs; the host includes them under a prefix of its choice::

    path("mentoring/", include("wagtail_mentoring.urls")),

Each domain keeps its own ``urls.py``; this module only puts them together.
"""

from wagtail_mentoring.community import urls as community
from wagtail_mentoring.community.events import urls as space_events
from wagtail_mentoring.engagement import urls as engagement
from wagtail_mentoring.matching import urls as matching
from wagtail_mentoring.notifications import urls as notifications
from wagtail_mentoring.privacy import urls as privacy
from wagtail_mentoring.programs import urls as programs
from wagtail_mentoring.sponsorship import urls as sponsorship
from wagtail_mentoring.surveys import urls as surveys

app_name = "wagtail_mentoring"

urlpatterns = [
    *engagement.urlpatterns,
    *programs.urlpatterns,
    *matching.urlpatterns,
    *sponsorship.urlpatterns,
    *privacy.urlpatterns,
    *notifications.urlpatterns,
    *community.urlpatterns,
    *space_events.urlpatterns,
    *surveys.urlpatterns,
]
