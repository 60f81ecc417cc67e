"""Erasing a person keeps the discussions others took part in, and nothing of
the person's own: words, reactions, reports, memberships, search entries."""

import pytest

from tests.community_helpers import add_member, make_space
from tests.factories import make_user
from wagtail_mentoring.community import selectors, services
from wagtail_mentoring.community.models import (
    Post,
    PostReport,
    Reaction,
    SpaceMembership,
    Thread,
)
from wagtail_mentoring.community.personal_data import personal_data
from wagtail_mentoring.privacy.services import erase_personal_data


@pytest.mark.django_db
def test_erasure_removes_the_persons_words_and_keeps_the_discussion(hub, superuser):
    space = make_space(hub)
    leaving, staying = make_user("leaving"), make_user("staying")
    add_member(space, leaving)
    add_member(space, staying)
    thread = services.start_thread(
        space, leaving, "Returning from leave", "My zebracorn plan for coming back"
    )
    answer = services.reply(thread, staying, "Welcome back, here is what helped me")
    services.toggle_helpful(answer, leaving)
    services.report_post(answer, leaving, "Mentions my manager by name")
    exported = personal_data.export(leaving)
    assert exported["space_posts"][0]["text"] == "My zebracorn plan for coming back"
    assert exported["space_reports"][0]["reason"] == "Mentions my manager by name"

    erase_personal_data(leaving, superuser)

    first = Post.objects.get(thread=thread, pk__lt=answer.pk)
    assert first.author is None and "zebracorn" not in first.body + first.body_html
    assert Post.objects.get(pk=answer.pk).body.startswith("Welcome back")
    assert Thread.objects.get(pk=thread.pk).author is None
    assert not Reaction.objects.filter(user=leaving).exists()
    report = PostReport.objects.get(post=answer)
    assert report.reporter is None and "manager" not in report.reason
    assert not SpaceMembership.objects.filter(user=leaving).exists()
    # The search index forgot the words as well.
    assert not list(selectors.search(space, staying, "zebracorn"))
