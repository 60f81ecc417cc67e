"""Front-end screens of sponsorship: dashboard, nominate, evidence, a
sponsorship's page, the opportunities board and sponsors picking sponsees.

Views are thin: they pick what the person may see (selectors), hand input to
one service call and show its error. Someone else's sponsorship, opportunity or
advocacy is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.search import find_people, person_option
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import shared_until
from wagtail_mentoring.programs.models import Role
from wagtail_mentoring.sponsorship import selectors, services
from wagtail_mentoring.sponsorship.forms import (
    AdvocacyForm,
    CommitmentForm,
    EvidenceForm,
    NominationForm,
    OpportunityForm,
    OpportunityNominationForm,
    OutcomeForm,
)
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    OpportunityNomination,
    ReadinessEvidence,
    SponsorshipCommitment,
)
from wagtail_mentoring.sponsorship.reports import quarter_start
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/sponsorship/"


def _error(form, error: MentoringError):
    form.add_error(None, error)


def dashboard(request):
    """Sponsor dashboard and sponsee dashboard, whichever roles the person has."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    user = request.user
    as_sponsor = [
        r
        for r in selectors.sponsorships(user, Role.SPONSOR)
        if r.status != "ended_early"
    ]
    as_sponsee = list(selectors.sponsorships(user, Role.SPONSEE))
    for relationship in as_sponsor + as_sponsee:
        relationship.other = selectors.other_member(relationship, user)
        commitments = list(relationship.commitments.all())
        relationship.current_commitment = commitments[0] if commitments else None
    since = quarter_start(timezone.localdate())
    sponsee_ids = [r.other.user_id for r in as_sponsor if r.other]
    evidence_by_sponsee: dict = {}
    for item in ReadinessEvidence.objects.filter(owner_id__in=sponsee_ids).order_by(
        "-achieved_on", "-created_at", "-pk"
    ):
        evidence_by_sponsee.setdefault(item.owner_id, []).append(item)
    for relationship in as_sponsor:
        if relationship.other:
            until = shared_until(relationship)
            relationship.evidence = [
                item
                for item in evidence_by_sponsee.get(relationship.other.user_id, [])
                if until is None or item.created_at <= until
            ][:3]
    return render_page(
        request,
        T + "dashboard.html",
        {
            "as_sponsor": as_sponsor,
            "as_sponsee": as_sponsee,
            "advocacy_this_quarter": list(
                selectors.advocacy_given_since(user, since)[:20]
            ),
            "quarter_start": since,
            "advocacy_received": list(selectors.advocacy_received(user)[:10]),
            "opportunities": list(selectors.opportunity_board(user)[:10]),
            "nominated_for": list(selectors.nominations_received(user)[:20]),
            "can_pick": selectors.pick_programs(user).exists(),
            "my_evidence_count": selectors.evidence_of(user).count(),
        },
    )


def nominate(request):
    """Nominate a colleague (or yourself, with evidence) for sponsorship."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    user = request.user
    form_kwargs = dict(
        programs=selectors.nomination_programs(user),
        candidates=selectors.nomination_candidates(user),
        evidence=selectors.evidence_of(user),
        search_url=reverse("wagtail_mentoring:sponsorship_nominee_search"),
    )
    status = 200
    if request.method == "POST" and NominationForm.searching(request.POST):
        # The picker's search without JavaScript: show who matches, keep
        # what was typed, and judge nothing yet.
        form = NominationForm(
            initial={"evidence": request.POST.getlist("evidence")}
            | {k: request.POST.get(k) for k in ("program", "nominee", "reason")},
            **form_kwargs,
        )
        form.fields["nominee"].offer(
            "nominee", request.POST, search_url=form_kwargs["search_url"]
        )
    elif request.method == "POST":
        form = NominationForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                nomination = services.nominate(
                    data["program"],
                    data["nominee"],
                    user,
                    reason=data["reason"],
                    evidence=data["evidence"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: %(name)s is nominated for %(program)s. "
                        "The program admins will review it."
                    )
                    % {
                        "name": display_name(nomination.nominee),
                        "program": nomination.program.title,
                    },
                )
                return redirect("wagtail_mentoring:sponsorship")
        status = 400
    else:
        form = NominationForm(
            initial={"nominee": request.GET.get("nominee")}, **form_kwargs
        )
    return render_page(request, T + "nominate.html", {"form": form}, status=status)


def nominee_search(request):
    """People the user may nominate matching ``q``: a short JSON list for the
    nominee picker (the form checks the choice again)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    found, more = find_people(
        request.GET.get("q", "")[:200], selectors.nomination_candidates(request.user)
    )
    options = [person_option(profile) for profile in found]
    return JsonResponse(
        {
            "results": [
                {"id": str(o.user_id), "name": o.name, "detail": o.detail}
                for o in options
            ],
            "more": more,
        }
    )


def evidence(request):
    """The employee's readiness evidence: list and add."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST)
        if form.is_valid():
            try:
                services.add_evidence(request.user, **form.cleaned_data)
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Your evidence was added."))
                return redirect("wagtail_mentoring:sponsorship_evidence")
        status = 400
    else:
        form = EvidenceForm()
    return render_page(
        request,
        T + "evidence.html",
        {"form": form, "items": selectors.evidence_of(request.user)},
        status=status,
    )


def _member_relationship(request, pk):
    for role in (Role.SPONSOR, Role.SPONSEE):
        relationship = selectors.sponsorships(request.user, role).filter(pk=pk).first()
        if relationship is not None:
            return relationship, role
    raise Http404


def sponsorship(request, pk: int):
    """One sponsorship as its sponsor or its sponsee sees it."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    relationship, role = _member_relationship(request, pk)
    other = selectors.other_member(relationship, request.user)
    sponsee_user = request.user if role == Role.SPONSEE else other.user
    commitment_form = CommitmentForm(prefix="commitment")
    shared_evidence = selectors.evidence_shared_in(relationship, sponsee_user)
    advocacy_form = AdvocacyForm(prefix="advocacy", evidence=shared_evidence)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            with transaction.atomic():
                if action == "commitment" and role == Role.SPONSOR:
                    commitment_form = CommitmentForm(request.POST, prefix="commitment")
                    if not commitment_form.is_valid():
                        raise _Invalid
                    services.write_commitment(
                        relationship, request.user, **commitment_form.cleaned_data
                    )
                    done = _(
                        "Commitment saved; your sponsee is asked to acknowledge it."
                    )
                elif action == "advocacy" and role == Role.SPONSOR:
                    advocacy_form = AdvocacyForm(
                        request.POST,
                        prefix="advocacy",
                        evidence=shared_evidence,
                    )
                    if not advocacy_form.is_valid():
                        raise _Invalid
                    services.log_advocacy(
                        relationship, request.user, **advocacy_form.cleaned_data
                    )
                    done = _("The action was added to your advocacy log.")
                elif action == "acknowledge":
                    commitment = get_object_or_404(
                        SponsorshipCommitment,
                        pk=request.POST.get("commitment"),
                        relationship=relationship,
                    )
                    services.acknowledge_commitment(commitment, request.user)
                    done = _("You acknowledged the commitment.")
                elif action == "outcome" and role == Role.SPONSOR:
                    item = get_object_or_404(
                        AdvocacyAction,
                        pk=request.POST.get("advocacy"),
                        relationship=relationship,
                        sponsor=request.user,
                    )
                    form = OutcomeForm(request.POST, prefix=f"outcome-{item.pk}")
                    if not form.is_valid():
                        raise MentoringError(_("Please describe the outcome."))
                    services.record_advocacy_outcome(
                        item, request.user, outcome=form.cleaned_data["outcome"]
                    )
                    done = _("The outcome was recorded.")
                else:
                    raise Http404
        except _Invalid:
            status = 400
        except MentoringError as error:
            status = 400
            target = {
                "commitment": commitment_form,
                "advocacy": advocacy_form,
            }.get(action)
            if target is not None:
                _error(target, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
        else:
            messages.success(request, done)
            return redirect(request.path)
    advocacy = list(selectors.advocacy_for(relationship, request.user, role))
    for item in advocacy:
        item.outcome_form = OutcomeForm(prefix=f"outcome-{item.pk}")
    return render_page(
        request,
        T + "sponsorship.html",
        {
            "relationship": relationship,
            "role": role,
            "is_sponsor": role == Role.SPONSOR,
            "other": other,
            "commitments": list(relationship.commitments.all()),
            "advocacy": advocacy,
            "evidence": list(shared_evidence),
            "commitment_form": commitment_form,
            "advocacy_form": advocacy_form,
            "opportunities": list(
                selectors.opportunity_board(request.user).filter(
                    program=relationship.program
                )
            )
            if role == Role.SPONSOR
            else [],
        },
        status=status,
    )


class _Invalid(Exception):
    """A form did not validate: show it again with its errors."""


def opportunities(request):
    """The opportunities board; sponsors and program admins may post."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    user = request.user
    postable = selectors.participant_programs(user).filter(
        pk__in=[
            p.pk
            for p in selectors.participant_programs(user)
            if services.can_post_opportunity(user, p)
        ]
    )
    can_post = postable.exists()
    form = OpportunityForm(prefix="post", programs=postable) if can_post else None
    status = 200
    if request.method == "POST":
        if not can_post:
            raise Http404
        form = OpportunityForm(request.POST, prefix="post", programs=postable)
        if form.is_valid():
            data = dict(form.cleaned_data)
            program = data.pop("program")
            try:
                opportunity = services.post_opportunity(program, user, **data)
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request,
                    _("%(title)s is on the board.") % {"title": opportunity.title},
                )
                return redirect(
                    "wagtail_mentoring:sponsorship_opportunity", opportunity.pk
                )
        status = 400
    return render_page(
        request,
        T + "opportunities.html",
        {"opportunities": selectors.opportunity_board(user), "form": form},
        status=status,
    )


def opportunity(request, pk: int):
    """An opportunity: sponsors nominate their sponsees; the poster sees who."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    user = request.user
    item = selectors.visible_opportunity(user, pk)
    if item is None:
        raise Http404
    sponsees = selectors.my_open_sponsees(user, item.program)
    form = None
    if sponsees.exists() and item.takes_nominations():
        form = OpportunityNominationForm(prefix="nominate", sponsees=sponsees)
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        form = OpportunityNominationForm(
            request.POST, prefix="nominate", sponsees=sponsees
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.nominate_for_opportunity(
                    item,
                    data["nominee"],
                    user,
                    note=data["note"],
                    confidential=data["confidential"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is nominated for %(title)s.")
                    % {"name": display_name(data["nominee"]), "title": item.title},
                )
                return redirect(request.path)
        status = 400
    # The poster and the program's admins see every nomination; a sponsor sees
    # the ones they made; a sponsee sees only their own, non-confidential one.
    nominations = OpportunityNomination.objects.filter(opportunity=item)
    if not services.can_decide_opportunity(user, item):
        nominations = nominations.filter(
            Q(nominated_by=user) | Q(nominee=user, confidential=False)
        )
    return render_page(
        request,
        T + "opportunity.html",
        {
            "opportunity": item,
            "form": form,
            "nominations": nominations.select_related(
                "nominee", "nominated_by"
            ).order_by("created_at", "pk"),
        },
        status=status,
    )


def pick(request):
    """Sponsors with room pick an accepted sponsee of their program."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    user = request.user
    programs = list(selectors.pick_programs(user).order_by("title"))
    if not programs:
        raise Http404
    for program in programs:
        program.load = services.sponsor_load(user, program)
        enrollment = program.enrollments.filter(
            user=user, role=Role.SPONSOR, status="approved"
        ).first()
        program.capacity = (
            enrollment.capacity
            if enrollment and enrollment.capacity
            else program.default_mentor_capacity
        )
        program.candidates = list(selectors.pickable_sponsees(program))
    return render_page(request, T + "pick.html", {"programs": programs})


@require_POST
def pick_sponsee(request, program_pk: int, enrollment_pk: int):
    if not request.user.is_authenticated:
        return login_redirect(request)
    program = next(
        (p for p in selectors.pick_programs(request.user) if p.pk == program_pk), None
    )
    if program is None:
        raise Http404
    enrollment = get_object_or_404(
        selectors.pickable_sponsees(program), pk=enrollment_pk
    )
    try:
        relationship = services.pair_sponsor(
            program, request.user, enrollment.user, request.user
        )
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wagtail_mentoring:sponsorship_pick")
    messages.success(
        request,
        _("You now sponsor %(name)s. Start with your commitment.")
        % {"name": display_name(enrollment.user)},
    )
    return redirect(
        reverse("wagtail_mentoring:sponsorship_detail", args=[relationship.pk])
    )
