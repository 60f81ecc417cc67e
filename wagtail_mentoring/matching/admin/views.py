"""The matching panel's screens. Thin: every action is a service call.

Access: ``permissions.can_run_matching`` for the program in the URL; anyone
else gets "not found" (a program they cannot match might as well not exist).
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring import dispatch
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.admin.forms import (
    ApproveAboveForm,
    CircleTopicForm,
    ManualPairForm,
    PublishForm,
    RunForm,
    SettingsForm,
)
from wagtail_mentoring.matching.engine import MatchingError
from wagtail_mentoring.matching.models import (
    ACTIVE_RUN_STATUSES,
    MatchingRun,
    MatchProposal,
    ProposalStatus,
    RunStatus,
)
from wagtail_mentoring.matching.pools import (
    is_peer,
    load_pool,
    pool_version,
    program_roles,
)
from wagtail_mentoring.matching.reasons import (
    EXCLUSION_LABELS,
    FACTOR_LABELS,
    RULE_SETTINGS,
    factor_rows,
    reasons_text,
    rule_label,
)
from wagtail_mentoring.matching.reports import fairness_summary
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.search import person_detail
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import (
    VIEW_EQUITY_REPORTS,
    can_run_matching,
    can_see_sign_in_names,
    matching_programs,
)
from wagtail_mentoring.programs import services as program_services
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    Enrollment,
    ProgramKind,
    ProgramPage,
    Role,
)

STAGE_LABELS = {
    "pool": gettext_lazy("Reading the pool"),
    "solving": gettext_lazy("Finding the best pairs"),
    "saving": gettext_lazy("Saving proposals"),
}


def program_or_404(request, program_id) -> ProgramPage:
    program = ProgramPage.objects.filter(pk=program_id).first()
    if program is None or not can_run_matching(request.user, program):
        raise Http404
    return program


def role_labels(program) -> dict[str, str]:
    receiving, giving = program_roles(program)
    labels = dict(Role.choices)
    if is_peer(program):
        # both ends are members: the second is the first one's peer partner
        return {"mentee": str(labels[receiving]), "mentor": _("Peer partner")}
    return {"mentee": str(labels[receiving]), "mentor": str(labels[giving])}


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}
    ):
        return candidate
    return default


class ProgramView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the screens of one program's panel."""

    header_icon = "group"
    subpage_title = ""

    def dispatch(self, request, *args, **kwargs):
        self.program = program_or_404(request, kwargs["program_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.program.title

    @property
    def panel_url(self) -> str:
        return reverse("wm_matching:panel", args=[self.program.pk])

    def get_breadcrumbs_items(self):
        items = [
            {"url": reverse("wm_matching:index"), "label": _("Matching")},
            {"url": self.panel_url, "label": self.program.title},
        ]
        if self.subpage_title:
            items.append({"url": "", "label": self.subpage_title})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            program=self.program,
            panel_url=self.panel_url,
            role_labels=role_labels(self.program),
            peer=is_peer(self.program),
            circles=self.program.kind == ProgramKind.GROUP,
        )
        return context


class IndexView(WagtailAdminTemplateMixin, TemplateView):
    """Programs whose matching the user runs, with their latest run."""

    template_name = "wagtail_mentoring/matching/index.html"
    page_title = gettext_lazy("Matching")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not matching_programs(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programs = list(matching_programs(self.request.user).order_by("title"))
        latest = {}
        for run in MatchingRun.objects.filter(program__in=programs).order_by(
            "program_id", "-pk"
        ):
            latest.setdefault(run.program_id, run)
        context["programs"] = [(p, latest.get(p.pk)) for p in programs]
        return context


class PoolSection:
    """The panel's pool section. The pool is read only when the template asks
    for it, which it does only when its cached fragment (keyed on
    :func:`pool_version`) is missing: a program's whole pool is otherwise
    rebuilt on every view of the panel."""

    def __init__(self, program, reserved):
        self.program = program
        self.reserved = reserved

    @cached_property
    def version(self) -> str:
        return pool_version(self.program, reserved=self.reserved)

    @cached_property
    def _pool(self):
        return load_pool(self.program, reserved=self.reserved)

    @property
    def mentees(self):
        return self._pool.mentees

    @property
    def matched(self):
        return self._pool.matched

    @cached_property
    def mentors(self):
        """``(enrollment, places left)`` of each giver with room."""
        pool = self._pool
        return list(zip(pool.mentors, pool.mentor_remaining, strict=True))

    @cached_property
    def excluded(self):
        return [
            (e, EXCLUSION_LABELS.get(code, code)) for e, code in self._pool.excluded
        ]


class PanelView(ProgramView):
    """The program's matching panel: pool, settings, runs, unmatched, next steps."""

    template_name = "wagtail_mentoring/matching/panel.html"
    page_title = gettext_lazy("Matching")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = self.program
        runs.fail_unclaimed_runs(program)
        current = runs.current_run(program)
        latest = MatchingRun.objects.filter(program=program).order_by("-pk").first()
        counts = Counter()
        if current is not None:
            counts.update(
                dict(
                    current.proposals.values_list("status")
                    .annotate(n=Count("pk"))
                    .values_list("status", "n")
                )
            )
        settings = runs.settings_for(program)
        context.update(
            pool=PoolSection(program, runs.reserved(program)),
            current=current,
            latest=latest,
            active=latest if latest and latest.is_active else None,
            failed=latest if latest and latest.status == RunStatus.FAILED else None,
            counts=counts,
            approved=counts.get(ProposalStatus.APPROVED, 0),
            unmatched=self._unmatched(current),
            settings=settings,
            weights=[
                (FACTOR_LABELS[f], w) for f, w in runs.weights_of(settings).items()
            ],
            run_form=RunForm(program=program),
            approve_form=ApproveAboveForm(),
            can_see_fairness=self.request.user.has_perm(VIEW_EQUITY_REPORTS),
            stage_labels=STAGE_LABELS,
            task_mode=dispatch.mode(),
        )
        return context

    def _unmatched(self, run):
        """The page (``?unmatched=``) of the people the run left waiting: a
        large program leaves hundreds, and only a page of them is loaded."""
        waiting = []
        if run is not None:
            ids = [item["enrollment"] for item in run.unmatched]
            # Paired by hand since the run: no longer waiting.
            held = MatchProposal.objects.filter(
                program=self.program,
                mentee_id__in=ids,
                status__in=[ProposalStatus.APPROVED, ProposalStatus.LOCKED],
            ).values("mentee_id")
            still = set(
                Enrollment.objects.filter(pk__in=ids)
                .exclude(pk__in=held)
                .values_list("pk", flat=True)
            )
            waiting = [item for item in run.unmatched if item["enrollment"] in still]
        page = Paginator(waiting, mentoring_settings.PAGE_SIZE).get_page(
            self.request.GET.get("unmatched")
        )
        by_id = Enrollment.objects.select_related(
            "user", "user__mentoring_profile"
        ).in_bulk([item["enrollment"] for item in page])
        page.object_list = [
            (by_id[item["enrollment"]], reasons_text(item["reasons"]))
            for item in page
            if item["enrollment"] in by_id
        ]
        return page


class SettingsView(ProgramView):
    """Weights and hard rules, with a preview of how many stay matchable."""

    template_name = "wagtail_mentoring/matching/settings.html"
    page_title = gettext_lazy("Matching settings")
    subpage_title = gettext_lazy("Settings")

    def get_form(self, data=None):
        return SettingsForm(data, instance=runs.settings_for(self.program))

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            messages.validation_error(
                request, _("The settings could not be saved."), form
            )
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if "preview" in request.POST:
            settings = form.instance
            settings.weights = form.weights
            try:
                preview = runs.preview(self.program, runs.snapshot(settings))
            except MatchingError as error:
                form.add_error(None, str(error))
                return self.render_to_response(
                    self.get_context_data(form=form), status=400
                )
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    preview=preview,
                    blocked=[(rule_label(k), n) for k, n in preview.blocked_by.items()],
                    relax=self._relax(form, preview),
                )
            )
        try:
            services.save_settings(
                self.program, form.weights, form.values, request.user
            )
        except MentoringError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("Matching settings saved."))
        return redirect(self.panel_url)

    @staticmethod
    def _relax(form, preview) -> list[tuple[str, str]]:
        """``(rule, setting to relax)`` when these rules leave nobody matchable:
        each rule that does it alone, else the one blocking the most mentees."""
        if not preview.nobody_matchable:
            return []
        rules = list(preview.excludes_everyone) or list(preview.blocked_by)[:1]
        return [
            (rule_label(rule), str(form[RULE_SETTINGS[rule]].label))
            for rule in rules
            if rule in RULE_SETTINGS
        ]


class StartRunView(View):
    def post(self, request, program_id):
        program = program_or_404(request, program_id)
        form = RunForm(request.POST, program=program)
        valid = form.is_valid()
        fresh = valid and form.cleaned_data["fresh"]
        cohort = form.cleaned_data.get("cohort") if valid else None
        with dispatch.reporting(request):
            run = services.start_run(program, request.user, fresh=fresh, cohort=cohort)
        run.refresh_from_db()  # a task run in this process has finished it already
        if run.status == RunStatus.SUCCEEDED:
            messages.success(request, _("Matching finished."))
        elif run.status == RunStatus.FAILED:
            messages.error(
                request, _("Matching failed: %(error)s") % {"error": run.error}
            )
        return redirect("wm_matching:panel", program.pk)


class RunStatusView(View):
    """The run's status as JSON, polled by the ``wm-run-status`` controller."""

    def get(self, request, run_id):
        run = get_object_or_404(
            MatchingRun.objects.select_related("program"), pk=run_id
        )
        if not can_run_matching(request.user, run.program):
            raise Http404
        if run.status == RunStatus.QUEUED and runs.fail_unclaimed_runs(run.program):
            run.refresh_from_db()
        return JsonResponse(
            {
                "status": run.status,
                "label": run.get_status_display(),
                "stage": str(STAGE_LABELS.get(run.stage, "")),
                "done": run.status not in ACTIVE_RUN_STATUSES,
                "error": run.error,
            }
        )


_SINGLE = {
    "approve": services.approve_proposal,
    "lock": services.lock_proposal,
    "reject": services.reject_proposal,
    "reopen": services.reopen_proposal,
}

_DONE = {
    "approve": gettext_lazy("Approved %(pair)s."),
    "lock": gettext_lazy("Locked %(pair)s: every re-run keeps it."),
    "reject": gettext_lazy("Rejected %(pair)s: it will not be proposed again."),
    "reopen": gettext_lazy("%(pair)s is a proposal again."),
}


class ProposalActionView(View):
    def post(self, request, program_id, pk, action):
        program = program_or_404(request, program_id)
        if action not in _SINGLE:
            raise Http404
        proposal = get_object_or_404(
            MatchProposal.objects.select_related("mentee__user", "mentor__user"),
            pk=pk,
            program=program,
        )
        try:
            _SINGLE[action](program, proposal, request.user)
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _DONE[action] % {"pair": str(proposal)})
        return redirect(
            _next_url(request, reverse("wm_matching:proposals", args=[program.pk]))
        )


class ApproveAboveView(View):
    def post(self, request, program_id):
        program = program_or_404(request, program_id)
        form = ApproveAboveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a score between 0 and 100."))
            return redirect("wm_matching:panel", program.pk)
        try:
            outcome = services.approve_above(
                program, form.cleaned_data["min_score"], request.user
            )
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _report(request, outcome, "approved")
        return redirect(
            _next_url(request, reverse("wm_matching:panel", args=[program.pk]))
        )


def _report(request, outcome, verb: str) -> None:
    n = len(outcome.done)
    if verb == "approved":
        text = ngettext("%(n)d pair approved.", "%(n)d pairs approved.", n)
    else:
        text = ngettext("%(n)d pair published.", "%(n)d pairs published.", n)
    messages.success(request, text % {"n": n})
    if outcome.skipped:
        messages.warning(
            request,
            _("Left unchanged: %(items)s")
            % {"items": "; ".join(f"{p} ({why})" for p, why in outcome.skipped[:10])},
        )


MENTEE_LIST_LIMIT = 100


class ManualPairView(ProgramView):
    """Choose a mentor for a mentee, seeing capacity, score and reasons."""

    template_name = "wagtail_mentoring/matching/manual_pair.html"
    page_title = gettext_lazy("Pair by hand")
    subpage_title = gettext_lazy("Pair by hand")

    @cached_property
    def waiting(self) -> list[Enrollment]:
        """Mentees with a place left, not already paired by a held proposal."""
        pool = load_pool(self.program, reserved=runs.reserved(self.program))
        return pool.mentees

    def _mentee(self, value):
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return next((e for e in self.waiting if e.pk == pk), None)

    def _form(self, data, mentee):
        options = runs.mentor_options(self.program, mentee) if mentee else []
        # Namesakes are told apart by title, department, location (and the
        # sign-in name where the admin may see it): one query for all.
        profiles = EmployeeProfile.objects.select_related("user").in_bulk(
            [e.user_id for e in self.waiting], field_name="user_id"
        )
        sign_in = can_see_sign_in_names(self.request.user)
        words = (self.request.GET.get("q") or "").lower().split()
        mentees = []
        for e in sorted(self.waiting, key=lambda e: display_name(e.user).lower()):
            profile = profiles.get(e.user_id)
            detail = person_detail(profile, sign_in=sign_in) if profile else ""
            name = display_name(e.user)
            label = f"{name} ({detail})" if detail else name
            chosen = mentee is not None and e.pk == mentee.pk
            if chosen or all(word in label.lower() for word in words):
                mentees.append((e.pk, label))
        # A list longer than this is not read: the search narrows it.
        self.more_mentees = len(mentees) > MENTEE_LIST_LIMIT
        mentees = mentees[:MENTEE_LIST_LIMIT]
        form = ManualPairForm(
            data,
            initial={
                "mentee": mentee.pk if mentee else None,
                "q": self.request.GET.get("q", ""),
            },
            mentees=mentees,
            options=options,
            labels=role_labels(self.program),
        )
        return form, options

    def get(self, request, *args, **kwargs):
        mentee = self._mentee(request.GET.get("mentee"))
        form, options = self._form(None, mentee)
        return self.render_to_response(
            self.get_context_data(form=form, mentee=mentee, options=options)
        )

    def post(self, request, *args, **kwargs):
        mentee = self._mentee(request.POST.get("mentee"))
        form, options = self._form(request.POST, mentee)
        if mentee is not None and form.is_valid():
            mentor = next(
                o.enrollment
                for o in options
                if o.enrollment.pk == form.cleaned_data["mentor"]
            )
            try:
                proposal = services.manual_pair(
                    self.program,
                    mentee,
                    mentor,
                    request.user,
                    justification=form.cleaned_data["justification"],
                )
            except MentoringError as error:
                form.add_error(
                    "justification" if error.code == "justification" else None, error
                )
            else:
                messages.success(
                    request, _("Paired %(pair)s (approved).") % {"pair": str(proposal)}
                )
                return redirect(self.panel_url)
        elif mentee is None:
            form.add_error("mentee", _("Choose someone who is waiting for a match."))
        return self.render_to_response(
            self.get_context_data(form=form, mentee=mentee, options=options),
            status=400,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The service needs a finished run to file the pair under: say so
        # before anyone is chosen rather than refusing after the choice.
        context["needs_run"] = runs.current_run(self.program) is None
        context["more_mentees"] = getattr(self, "more_mentees", False)
        context["rows"] = [
            {
                "option": option,
                "reasons": reasons_text(option.reasons),
                "factors": [r for r in factor_rows(option.factors) if r[1] > 0],
                "rules": [rule_label(code) for code in option.rule_breaks],
                "name": display_name(option.enrollment.user),
                "profile": getattr(option.enrollment.user, "mentoring_profile", None),
            }
            for option in sorted(
                kwargs.get("options", []),
                key=lambda o: (bool(o.rule_breaks), -(o.score or 0)),
            )
        ]
        return context


class CircleTopicView(ProgramView):
    """A program admin changes the topic a group program's mentor gave."""

    template_name = "wagtail_mentoring/matching/circle_topic.html"
    page_title = gettext_lazy("Circle topic")
    subpage_title = gettext_lazy("Circle topic")

    def dispatch(self, request, *args, **kwargs):
        self.program = program_or_404(request, kwargs["program_id"])
        if self.program.kind != ProgramKind.GROUP:
            raise Http404
        self.enrollment = get_object_or_404(
            Enrollment.objects.select_related("user"),
            pk=kwargs["pk"],
            program=self.program,
            role__in=GIVING_ROLES,
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return display_name(self.enrollment.user)

    def get(self, request, *args, **kwargs):
        form = CircleTopicForm(initial={"circle_topic": self.enrollment.circle_topic})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = CircleTopicForm(request.POST)
        if form.is_valid():
            try:
                program_services.set_circle_topic(
                    self.enrollment, form.cleaned_data["circle_topic"], request.user
                )
            except MentoringError as error:
                form.add_error("circle_topic", error)
            else:
                messages.success(
                    request,
                    _("Circle topic of %(name)s saved.")
                    % {"name": display_name(self.enrollment.user)},
                )
                return redirect(self.panel_url)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["name"] = display_name(self.enrollment.user)
        return context


class PublishView(ProgramView):
    """Approved pairs become relationships; both people get the message."""

    template_name = "wagtail_mentoring/matching/publish.html"
    page_title = gettext_lazy("Publish matches")
    subpage_title = gettext_lazy("Publish")

    def approved(self):
        return list(
            MatchProposal.objects.filter(
                program=self.program, status=ProposalStatus.APPROVED
            )
            .for_listing()
            .order_by("-score", "pk")
        )

    def get(self, request, *args, **kwargs):
        form = PublishForm(initial={"message": services.default_message(self.program)})
        return self.render_to_response(
            self.get_context_data(form=form, approved=self.approved())
        )

    def post(self, request, *args, **kwargs):
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                with dispatch.reporting(request):
                    outcome = services.publish(
                        self.program,
                        request.user,
                        message=form.cleaned_data["message"],
                    )
            except MentoringError as error:
                form.add_error("message", error)
            else:
                if outcome.done or outcome.skipped:
                    _report(request, outcome, "published")
                else:
                    messages.warning(request, _("There were no approved pairs."))
                return redirect(self.panel_url)
        return self.render_to_response(
            self.get_context_data(form=form, approved=self.approved()), status=400
        )


class FairnessView(ProgramView):
    """Match rate and score by self-identified group (aggregates only)."""

    template_name = "wagtail_mentoring/matching/fairness.html"
    page_title = gettext_lazy("Fairness of the run")
    subpage_title = gettext_lazy("Fairness")

    def dispatch(self, request, *args, **kwargs):
        program = program_or_404(request, kwargs["program_id"])
        if not request.user.has_perm(VIEW_EQUITY_REPORTS):
            raise Http404
        self.program = program
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = runs.current_run(self.program)
        context["run"] = run
        context["summary"] = fairness_summary(run) if run else None
        return context
