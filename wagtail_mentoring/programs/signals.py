"""Events the programs base announces; the domains above it react to them.

``programs`` never imports engagement, journeys, matching or sponsorship: when
something happens to an application or a relationship that they care about, it
sends one of these signals inside the same transaction, and they connect their
receivers in their own ``signals.connect()``.
"""

from django.dispatch import Signal
from wagtail.signals import page_published

from wagtail_mentoring import dispatch
from wagtail_mentoring.programs.models import ProgramPage
from wagtail_mentoring.programs.tasks import announce_program

#: An application was withdrawn (``enrollment``, ``by``). Sent inside the
#: withdrawing transaction, so receivers' writes commit or roll back with it.
enrollment_withdrawn = Signal()

#: Applications were approved (``enrollments``: a list, ``by``), inside the
#: approving transaction: at once when the program needs no review.
enrollments_approved = Signal()

#: A relationship started (``relationship``, ``by``), inside its transaction.
relationship_started = Signal()

#: A relationship changed status (``relationship``, ``previous``, ``by``),
#: inside its transaction.
relationship_status_changed = Signal()

#: A program admin created a cohort (``cohort``, ``by``), inside its transaction.
cohort_created = Signal()

#: Who takes part in these cohorts may have changed (``cohort_ids``,
#: ``user_ids``): an application was made, decided, withdrawn or moved. Sent
#: inside the transaction; receivers recompute from the enrollments, so they
#: need not know which of these happened.
cohort_participants_changed = Signal()


def program_published(sender, instance, **kwargs) -> None:
    # Only the first publication opens a program; later edits are not news.
    if instance.first_published_at == instance.last_published_at:
        dispatch.enqueue(announce_program, instance.pk)


def connect() -> None:
    page_published.connect(
        program_published, sender=ProgramPage, dispatch_uid="wm_programs_announce"
    )
