"""Page types: where they may live, that they route, render and preview."""

import pytest
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from intranet.home.models import HomePage
from tests.factories import make_hub, make_program
from wagtail_mentoring.programs.models import MentoringHubPage, ProgramPage


class TestPageTypes(WagtailPageTestCase):
    def setUp(self):
        self.hub = make_hub()
        self.program = make_program(self.hub, title="Pairing", slug="pairing")

    def test_where_pages_may_be_created(self):
        self.assertCanCreateAt(HomePage, MentoringHubPage)
        self.assertCanCreateAt(MentoringHubPage, ProgramPage)
        self.assertCanNotCreateAt(HomePage, ProgramPage)
        self.assertCanNotCreateAt(ProgramPage, ProgramPage)

    def test_pages_route_render_and_preview(self):
        for page in (self.hub, self.program):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)
        self.assertPageIsPreviewable(
            self.hub,
            post_data=nested_form_data(
                {"title": "Hub", "slug": "hub", "intro": streamfield([])}
            ),
        )
        self.assertPageIsPreviewable(
            self.program,
            post_data=nested_form_data(
                {
                    "title": "Pairing",
                    "slug": "pairing",
                    "kind": "one_to_one",
                    "intro": streamfield([("heading", "Hello")]),
                    "application_questions": streamfield([]),
                    "duration_weeks": 26,
                    "cadence": "monthly",
                    "matching_mode": "admin_approved",
                    "requires_approval": "on",
                    "default_mentor_capacity": 2,
                    "max_mentor_capacity": 5,
                    "mentors_per_mentee": 1,
                    # The Relationships panel.
                    "max_requests": 3,
                    "request_expiry_days": 7,
                    "messages_private": "on",
                    "conversation_prompts": streamfield([("prompt", "How are you?")]),
                    "max_extensions": 1,
                    "max_extension_weeks": 12,
                    "nudge_after_days": 21,
                    "nudge_no_request_after_days": 14,
                    "nudge_sponsors_after_days": 45,
                    "nudge_profile_after_days": 3,
                }
            ),
        )
        self.assertPageIsRoutable(self.program, "apply/")

    def test_hub_lists_only_published_programs(self):
        draft = make_program(self.hub, title="Secret plan", slug="secret")
        draft.unpublish()
        response = self.client.get(self.hub.url)
        self.assertContains(response, "Pairing")
        self.assertNotContains(response, "Secret plan")

    def test_empty_hub_says_so(self):
        empty = make_hub(title="Empty", slug="empty")
        response = self.client.get(empty.url)
        self.assertContains(response, "There are no programs yet")


@pytest.mark.django_db
def test_program_validation_rejects_inverted_window(hub):
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    program = ProgramPage(
        title="Bad",
        slug="bad",
        enrollment_opens_at=timezone.now(),
        enrollment_closes_at=timezone.now() - timedelta(days=1),
        default_mentor_capacity=9,
        max_mentor_capacity=3,
    )
    with pytest.raises(ValidationError) as excinfo:
        program.clean()
    assert set(excinfo.value.message_dict) >= {
        "enrollment_closes_at",
        "default_mentor_capacity",
    }
