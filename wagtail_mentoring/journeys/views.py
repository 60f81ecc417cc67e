"""Journey pages as members see them: the overview and one step at a time.

Both are served by ``LearningJourneyPage`` (a routable page), so page privacy,
previews and the host's URLs work as for any page. The member's pair is picked
with ``?pair=<relationship id>`` when they follow the journey in several.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.blocks.journey import CompletionRule
from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys import progress, rules, selectors, services
from wagtail_mentoring.journeys.forms import ReflectionForm, StepGoalForm
from wagtail_mentoring.journeys.models import (
    QuizAttempt,
    ReflectionAnswer,
    StepStatus,
)
from wagtail_mentoring.people.users import first_name
from wagtail_mentoring.views import login_redirect, render_page

STEP_TEMPLATE = "wagtail_mentoring/journeys/step.html"


def _membership(request, journey):
    """The member's pair on this journey (``?pair=``), and all of them."""
    memberships = selectors.following_pairs(journey, request.user)
    wanted = request.GET.get("pair")
    if wanted:
        match = next((m for m in memberships if str(m.relationship_id) == wanted), None)
        if match is None:
            # Someone else's pair (or nonsense): not found, never "forbidden".
            raise Http404
        return match, memberships
    return (memberships[0] if memberships else None), memberships


def _query(membership, memberships) -> str:
    if membership is None or len(memberships) < 2:
        return ""
    return "?" + urlencode({"pair": membership.relationship_id})


def _step_url(journey, step_id: str, query: str = "") -> str:
    return journey.url + journey.reverse_subpage("step", args=[step_id]) + query


@dataclass
class StepRow:
    """A step in the overview, from the viewer's point of view."""

    state: progress.StepState
    url: str
    for_me: bool
    my_status: str
    partners: list = field(default_factory=list)  # (member, status)
    cohort_text: str = ""  # how many of the viewer's cohort finished it

    @property
    def step(self):
        return self.state.step


def overview_context(request, journey) -> dict:
    membership, memberships = _membership(request, journey)
    query = _query(membership, memberships)
    context = {
        "membership": membership,
        "memberships": memberships,
        "pair_query": query,
        "cohort_progress": selectors.cohort_progress(journey, request.user),
    }
    if membership is None:
        context["step_rows"] = [
            StepRow(
                state=progress.StepState(step=step, members=[]),
                url=_step_url(journey, step.id),
                for_me=True,
                my_status="",
            )
            for step in journey.journey_steps
        ]
        _add_cohort_progress(context)
        return context
    relationship = membership.relationship
    states = selectors.pair_states(relationship, journey)
    rows = []
    for state in states:
        rows.append(
            StepRow(
                state=state,
                url=_step_url(journey, state.step.id, query),
                for_me=progress.step_applies(state.step, membership),
                my_status=state.status_for(membership.user_id),
                partners=[
                    (m, state.status_for(m.user_id))
                    for m in state.applies_to
                    if m.user_id != membership.user_id
                ],
            )
        )
    done, total, _pair_current = progress.summary(states)
    mine = progress.member_part(states, membership)
    prompt_state, prompts = progress.upcoming_prompts(states)
    context.update(
        relationship=relationship,
        step_rows=rows,
        steps_done=done,
        steps_total=total,
        percent=round(100 * done / total) if total else 0,
        mine=mine,
        waiting_for=[first_name(m.user) for m in mine.waiting_for],
        # what the viewer can do next; the pair's own next step may be the partner's
        current=mine.current,
        prompt_state=prompt_state,
        prompts=prompts,
        next_meeting=Meeting.objects.filter(
            relationship=relationship,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .order_by("starts_at")
        .first(),
        history=selectors.history(relationship, journey, states),
        partners=[m for m in relationship.members.all() if m.pk != membership.pk],
    )
    _add_cohort_progress(context)
    return context


def _add_cohort_progress(context) -> None:
    cohort = context["cohort_progress"]
    for row in context["step_rows"]:
        row.cohort_text = cohort.text(row.step.id) if cohort else ""


@dataclass
class BlockState:
    """What one interactive block shows to the viewing member."""

    for_me: bool = True
    form: object = None
    error: str = ""
    answer: ReflectionAnswer | None = None
    partner_answers: list = field(default_factory=list)
    attempt: QuizAttempt | None = None
    results: dict = field(default_factory=dict)  # question id -> right?
    chosen: dict = field(default_factory=dict)  # question id -> [choice ids]
    checked: list = field(default_factory=list)
    goal: Goal | None = None


def _block_states(journey, step, membership, row, bound=None, error_block="", error=""):
    """Per body block id, the member's answers, forms and errors, and what
    they did (:class:`rules.StepWork`); ``row`` is the member's progress on the
    step (None before they open it)."""
    if membership is None:
        return {}, None
    relationship = membership.relationship
    audience = progress.audience_of(membership.role)
    value = step.value
    # each kind of block's rows only where the step has such a block
    ids = {}
    for child in value["body"]:
        ids.setdefault(child.block_type, []).append(child.id)
    answers = (
        list(
            ReflectionAnswer.objects.filter(
                relationship=relationship, block_id__in=ids["reflection"]
            ).select_related("user")
        )
        if "reflection" in ids
        else []
    )
    attempts = (
        {
            a.block_id: a
            for a in QuizAttempt.objects.filter(
                relationship=relationship,
                user=membership.user,
                block_id__in=ids["quiz"],
            )
        }
        if "quiz" in ids
        else {}
    )
    goal = (
        Goal.objects.filter(
            relationship=relationship, owner=membership.user, source_step_id=step.id
        ).first()
        if "goal" in ids
        else None
    )
    states = {}
    for child in value["body"]:
        state = BlockState()
        kind = child.block_type
        if kind == "reflection":
            state.for_me = child.value.is_for(audience)
            state.answer = next(
                (
                    a
                    for a in answers
                    if a.block_id == child.id and a.user_id == membership.user_id
                ),
                None,
            )
            state.partner_answers = [
                a
                for a in answers
                if a.block_id == child.id
                and a.user_id != membership.user_id
                and a.shared_with_pair
            ]
            initial = {"text": state.answer.text} if state.answer else None
            state.form = (
                bound
                if bound is not None and error_block == child.id
                else ReflectionForm(initial=initial, prefix=child.id)
            )
        elif kind == "goal":
            state.goal = goal
            state.form = (
                bound
                if bound is not None and error_block == child.id
                else StepGoalForm(
                    initial={"target_date": child.value.default_target_date},
                    prefix=child.id,
                )
            )
        elif kind == "quiz":
            state.attempt = attempts.get(child.id)
            if state.attempt:
                state.chosen = state.attempt.answers
                _score, state.results = child.value.grade(state.attempt.answers)
        elif kind == "checklist":
            state.checked = list(row.checked_items) if row else []
        if error_block == child.id:
            state.error = error
        states[child.id] = state
    work = rules.StepWork(
        answered={a.block_id for a in answers if a.user_id == membership.user_id},
        passed={block_id for block_id, a in attempts.items() if a.passed},
        has_goal=goal is not None,
    )
    return states, work


def _render_step(request, journey, step, membership, memberships, **extra):
    has_error = bool(extra.get("error") or extra.get("step_error"))
    query = _query(membership, memberships)
    states = {}
    context = {
        "page": journey,
        "self": journey,
        "step": step,
        "step_url": _step_url(journey, step.id, query),
        "overview_url": journey.url + query,
        "membership": membership,
        "pair": membership.relationship if membership else None,
        "pair_query": query,
    }
    if membership is not None:
        relationship = membership.relationship
        pair_states = selectors.pair_states(relationship, journey)
        state = next(s for s in pair_states if s.step.id == step.id)
        index = pair_states.index(state)
        row = state.member_rows.get(membership.user_id)
        states, work = _block_states(
            journey,
            step,
            membership,
            row,
            bound=extra.pop("bound", None),
            error_block=extra.pop("error_block", ""),
            error=extra.pop("error", ""),
        )
        my_status = state.status_for(membership.user_id)
        for_me = progress.step_applies(step, membership)
        context.update(
            state=state,
            for_me=for_me,
            my_status=my_status,
            step_done=my_status == StepStatus.COMPLETED,
            can_act=relationship.is_open and for_me,
            # Opening counts (started, or done "when opened"): the page posts it.
            record_visit=relationship.is_open
            and for_me
            and not getattr(request, "is_preview", False)
            and (
                my_status == StepStatus.NOT_STARTED
                or (
                    my_status != StepStatus.COMPLETED
                    and step.value["completion"] == CompletionRule.VIEW
                )
            ),
            missing=rules.missing_requirements(
                relationship, membership, journey, step, row, work
            )
            if for_me and my_status != StepStatus.COMPLETED
            else [],
            next_step=pair_states[index + 1].step
            if index + 1 < len(pair_states)
            else None,
        )
        if context.get("next_step"):
            context["next_url"] = _step_url(journey, context["next_step"].id, query)
    context["block_states"] = states
    context["completion_rule"] = CompletionRule(step.value["completion"])
    context.update(extra)
    return render_page(
        request, STEP_TEMPLATE, context, status=400 if has_error else 200
    )


def step_detail(request, journey, step_id: str):
    """One step in full; members act on it with POSTs to the same URL."""
    step = journey.get_step(step_id)
    if step is None:
        raise Http404
    if request.method == "POST" and not request.user.is_authenticated:
        return login_redirect(request)
    membership, memberships = _membership(request, journey)
    if request.method == "POST":
        if membership is None:
            raise Http404
        return _act(request, journey, step, membership, memberships)
    return _render_step(request, journey, step, membership, memberships)


SUCCESS = {
    "complete": _("Step completed."),
    "checklist": _("Checklist saved."),
    "reflection": _("Your reflection was saved."),
    "quiz": _("Your answers were checked."),
    "goal": _("Your goal was set. You find it in your relationship's goals."),
}


def _act(request, journey, step, membership, memberships):
    action = request.POST.get("action", "")
    block_id = request.POST.get("block", "")
    relationship, user = membership.relationship, request.user
    bound = None
    if action == "open":
        # Sent by the page itself once it is shown (mentoring.js).
        services.open_step(relationship, user, journey, step.id)
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(status=204)
        return redirect(_step_url(journey, step.id, _query(membership, memberships)))
    try:
        if action == "complete":
            services.complete_step(relationship, user, journey, step.id)
        elif action == "checklist":
            services.tick_checklist(
                relationship,
                user,
                journey,
                step.id,
                block_id,
                request.POST.getlist("item"),
            )
        elif action == "reflection":
            bound = ReflectionForm(request.POST, prefix=block_id)
            if not bound.is_valid():
                raise MentoringError(_("Please write your answer."), code="blank")
            services.save_reflection(
                relationship,
                user,
                journey,
                step.id,
                block_id,
                bound.cleaned_data["text"],
            )
        elif action == "quiz":
            answers = {
                key[2:]: request.POST.getlist(key)
                for key in request.POST
                if key.startswith("q-")
            }
            services.submit_quiz(
                relationship, user, journey, step.id, block_id, answers
            )
        elif action == "goal":
            bound = StepGoalForm(request.POST, prefix=block_id)
            if not bound.is_valid():
                raise MentoringError(
                    _("Please correct the goal below."), code="invalid_goal"
                )
            services.set_step_goal(
                relationship, user, journey, step.id, block_id, **bound.cleaned_data
            )
        else:
            raise MentoringError(_("Unknown action."), code="unknown_action")
    except MentoringError as error:
        message = " ".join(error.messages)
        extra = {"bound": bound, "error_block": block_id, "error": message}
        if action == "complete" or not block_id:
            extra = {"step_error": message}
        return _render_step(request, journey, step, membership, memberships, **extra)
    messages.success(request, SUCCESS[action])
    anchor = f"#block-{block_id}" if block_id and action != "complete" else ""
    return redirect(
        _step_url(journey, step.id, _query(membership, memberships)) + anchor
    )
