"""The proposals listing: a Wagtail generic IndexView with filters, search,
sorting, pagination, per-row decisions and bulk actions.

The query count does not grow with the number of proposals: one query for the
page of rows (mentee, mentor, their users and profiles joined), one count, and
a handful for the program, run, filters and permissions.
"""

from __future__ import annotations

import functools

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn, Column
from wagtail.admin.views import generic

from wagtail_mentoring.admin_base import (
    BulkCheckboxColumn,
    ListingTable,
    ServiceBulkAction,
    StatusColumn,
)
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.admin.forms import ApproveAboveForm
from wagtail_mentoring.matching.admin.views import program_or_404
from wagtail_mentoring.matching.models import (
    MatchProposal,
    ProposalOrigin,
    ProposalStatus,
)
from wagtail_mentoring.matching.pools import program_roles
from wagtail_mentoring.matching.reasons import (
    factor_labels,
    factor_rows,
    reason_text,
    rule_label,
)
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import (
    display_name,
    name_ordering,
    name_search_fields,
    terms_query,
)
from wagtail_mentoring.permissions import can_run_matching
from wagtail_mentoring.programs.models import ProgramPage

STATUS_COLORS = {
    ProposalStatus.PROPOSED: "secondary",
    ProposalStatus.APPROVED: "success",
    ProposalStatus.LOCKED: "primary",
    ProposalStatus.REJECTED: "critical",
    ProposalStatus.PUBLISHED: "success",
}

FLAG_CHOICES = [
    ("manual", _("Paired by hand")),
    ("override", _("Breaks a rule (justified)")),
    ("new", _("New in this run")),
    ("kept", _("Kept from an earlier run")),
]


def _departments():
    values = (
        EmployeeProfile.objects.exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )
    return [(value, value) for value in values]


@functools.cache
def listed_fields() -> tuple[str, ...]:
    """What the listing's cells read. Fifty rows join seven models; loading
    only these halves the time spent building them, since enrollments and
    profiles carry JSON the listing never shows. The user is loaded whole: a
    host's user model decides which of its fields make a display name."""
    users = [
        field.attname
        for field in get_user_model()._meta.concrete_fields
        if field.name != "password"
    ]
    fields = [
        "score", "factors", "reasons", "status", "origin",
        "rule_breaks", "justification", "is_new", "program", "run",
    ]  # fmt: skip
    for side in ("mentee", "mentor"):
        fields += [f"{side}__user", f"{side}__program"]
        fields += [f"{side}__user__{name}" for name in users]
        fields += [
            f"{side}__user__mentoring_profile__{name}"
            for name in ("user", "title", "level", "department")
        ]
    return tuple(fields)


class ProposalFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in ProposalStatus.choices if c[0] != "superseded"],
    )
    min_score = django_filters.NumberFilter(
        label=_("Score at least (%)"),
        method="filter_min_score",
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    max_score = django_filters.NumberFilter(
        label=_("Score at most (%)"),
        method="filter_max_score",
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    department = django_filters.ChoiceFilter(
        label=_("Department (either person)"),
        choices=_departments,
        method="filter_department",
    )
    flag = django_filters.ChoiceFilter(
        label=_("Flag"), choices=FLAG_CHOICES, method="filter_flag"
    )

    class Meta:
        model = MatchProposal
        fields = ["status"]

    def filter_min_score(self, queryset, name, value):
        return queryset.filter(score__gte=float(value) / 100 - 1e-9)

    def filter_max_score(self, queryset, name, value):
        return queryset.filter(score__lte=float(value) / 100 + 1e-9)

    def filter_department(self, queryset, name, value):
        return queryset.filter(
            Q(mentee__user__mentoring_profile__department=value)
            | Q(mentor__user__mentoring_profile__department=value)
        )

    def filter_flag(self, queryset, name, value):
        if value == "manual":
            return queryset.filter(origin=ProposalOrigin.MANUAL)
        if value == "override":
            return queryset.filter(breaks_rules=True)
        if value == "new":
            return queryset.filter(is_new=True, origin=ProposalOrigin.ENGINE)
        if value == "kept":
            return queryset.filter(
                status__in=[ProposalStatus.APPROVED, ProposalStatus.LOCKED]
            )
        return queryset


# The listing's own cells are built with ``format_html`` rather than a
# template each: fifty rows make 200 of them, and a template render per cell
# was a third of the page's time.  Every value is escaped the same way.


class PersonColumn(BaseColumn):
    """Name, title and department of one side of the pair.

    Not a ``Column``: that would render ``str(enrollment)``, a query per row.
    """

    def __init__(self, name, side: str, **kwargs):
        super().__init__(name, **kwargs)
        self.side = side

    def render_cell_html(self, instance, parent_context):
        user = getattr(instance, self.side).user
        profile = getattr(user, "mentoring_profile", None)
        title_id = (
            f' id="matchproposal_{int(instance.pk)}_title"'
            if self.side == "mentee"
            else ""
        )
        details = ""
        if profile is not None:
            level = f"L{profile.level}" if profile.level else ""
            parts = [p for p in (profile.title, level, profile.department) if p]
            details = f'<span class="wm-muted">{escape(" · ".join(parts))}</span>'
        name = escape(display_name(user))
        # The name and details are escaped above; the id is a number.
        return mark_safe(  # noqa: S308
            f'<td><span{title_id} class="wm-name">{name}</span> {details}</td>'
        )


class ScoreColumn(Column):
    def get_value(self, instance):
        return instance.score_percent

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        return format_html(
            '<td class="wm-score"><meter min="0" max="100" value="{}" '
            'aria-hidden="true"></meter> <span>{} %</span></td>',
            value,
            value,
        )


class ReasonsColumn(BaseColumn):
    """Top reasons in words; the factor breakdown opens on demand."""

    @cached_property
    def words(self) -> dict[str, str]:
        # The column lives for one request: one language, translated and
        # escaped once. A row's own values are escaped where they go in.
        return {
            "labels": factor_labels(),
            "manual_tag": format_html(
                '<span class="w-status w-status--primary">{}</span>',
                gettext("By hand"),
            ),
            "new_tag": format_html('<span class="w-status">{}</span>', gettext("New")),
            "breaks": escape(gettext("Breaks:")),
            "breakdown": format_html(
                '<details class="wm-details"><summary>{}</summary>'
                '<table class="wm-factors"><caption class="w-sr-only">{}</caption>'
                "<tbody>",
                gettext("Factor breakdown"),
                gettext("Points each factor adds to the score"),
            ),
        }

    @cached_property
    def _said(self) -> dict:
        return {}

    def _in_words(self, reason: dict) -> str:
        # Fifty rows repeat the same reasons ("same time zone", "shares
        # Python"): each is put in words once.
        key = (reason.get("code"), repr(reason.get("params")))
        text = self._said.get(key)
        if text is None:
            text = self._said[key] = reason_text(reason)
        return text

    def render_cell_html(self, instance, parent_context):
        words = self.words
        parts = []
        if instance.reasons:
            said = ", ".join(self._in_words(reason) for reason in instance.reasons)
            parts.append(f"<span>{escape(said)}</span>")
        if instance.origin == ProposalOrigin.MANUAL:
            parts.append(words["manual_tag"])
        if (
            instance.is_new
            and instance.origin == ProposalOrigin.ENGINE
            and instance.status == ProposalStatus.PROPOSED
        ):
            parts.append(words["new_tag"])
        if instance.rule_breaks:
            rules = ", ".join(rule_label(code) for code in instance.rule_breaks)
            parts.append(
                f'<p class="wm-override"><strong>{words["breaks"]}</strong> '
                f"{escape(rules)} — <em>{escape(instance.justification)}</em></p>"
            )
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}</th><td>{points}</td></tr>'
            for label, points in factor_rows(instance.factors, words["labels"])
            if points > 0
        )
        if rows:
            parts.append(f"{words['breakdown']}{rows}</tbody></table></details>")
        # Every part is a constant escaped once in ``words`` or a value
        # escaped above.
        return mark_safe(f'<td class="wm-reasons">{" ".join(parts)}</td>')  # noqa: S308


class ActionsColumn(BaseColumn):
    """One-click decisions (POST forms), depending on the proposal's status."""

    def __init__(self, name, *, program, next_url, **kwargs):
        super().__init__(name, **kwargs)
        self.program = program
        self.next_url = next_url
        self._html = None

    def _forms(self, request) -> dict[str, tuple[str, str]]:
        """Each action's form around the proposal's pk and name, escaped once:
        fifty rows share one CSRF token (as ``{% csrf_token %}`` gives one
        page), one return URL and four labels."""
        if self._html is None:
            token = get_token(request) if request else ""
            base = reverse(
                "wm_matching:proposal_action", args=[self.program.pk, 0, "x"]
            )
            base = base.removesuffix("0/x/")
            self._html = {
                action: (
                    format_html('<form method="post" action="{}', base),
                    format_html(
                        '{}/"><input type="hidden" name="csrfmiddlewaretoken" '
                        'value="{}"><input type="hidden" name="next" value="{}">'
                        '<button type="submit" class="button {}">{}'
                        '<span class="w-sr-only"> ',
                        action,
                        token,
                        self.next_url,
                        classes,
                        label,
                    ),
                )
                for action, classes, label in (
                    ("approve", "button-small", gettext("Approve")),
                    ("lock", "button-small button-secondary", gettext("Lock")),
                    ("reject", "button-small no", gettext("Reject")),
                    ("reopen", "button-small button-secondary", gettext("Undo")),
                )
            }
        return self._html

    def render_cell_html(self, instance, parent_context):
        status = instance.status
        actions = []
        if status in (ProposalStatus.PROPOSED, ProposalStatus.LOCKED):
            actions.append("approve")
        if status in (ProposalStatus.PROPOSED, ProposalStatus.APPROVED):
            actions.append("lock")
        if status == ProposalStatus.PROPOSED:
            actions.append("reject")
        if status in (
            ProposalStatus.APPROVED,
            ProposalStatus.LOCKED,
            ProposalStatus.REJECTED,
        ):
            actions.append("reopen")
        forms = self._forms(parent_context.get("request"))
        pk, pair = int(instance.pk), escape(str(instance))
        html = "".join(
            f"{forms[action][0]}{pk}/{forms[action][1]}{pair}</span></button></form>"
            for action in actions
        )
        # The forms' parts were escaped in ``_forms``, the pair's name here.
        return mark_safe(f'<td class="wm-row-actions">{html}</td>')  # noqa: S308


class ProposalIndexView(generic.IndexView):
    """Proposals of a program's current run."""

    model = MatchProposal
    template_name = "wagtail_mentoring/matching/proposals_index.html"
    filterset_class = ProposalFilterSet
    default_ordering = "-score"
    paginate_by = 50
    table_class = ListingTable
    header_icon = "group"
    any_permission_required = []  # program-scoped: checked in dispatch
    program = None

    def dispatch(self, request, *args, **kwargs):
        self.program = program_or_404(request, kwargs["program_id"])
        return super().dispatch(request, *args, **kwargs)

    def user_has_permission(self, permission):
        return can_run_matching(self.request.user, self.program)

    def user_has_any_permission(self, permissions):
        return can_run_matching(self.request.user, self.program)

    @cached_property
    def run(self):
        return runs.current_run(self.program)

    def get_page_title(self):
        return _("Proposals")

    def get_page_subtitle(self):
        return self.program.title

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wm_matching:index"), "label": _("Matching")},
            {
                "url": reverse("wm_matching:panel", args=[self.program.pk]),
                "label": self.program.title,
            },
            {"url": "", "label": _("Proposals")},
        ]

    def get_index_url(self):
        return reverse("wm_matching:proposals", args=[self.program.pk])

    def get_index_results_url(self):
        return reverse("wm_matching:proposals_results", args=[self.program.pk])

    @property
    def search_fields(self):
        return name_search_fields("mentee__user__") + name_search_fields(
            "mentor__user__"
        )

    def search_queryset(self, queryset):
        # Every word must match some name field of either person, so that
        # "Ada Lovelace" finds her although no single field holds both words.
        if not self.is_searching:
            return queryset
        return queryset.filter(terms_query(self.search_query, self.search_fields))

    def get_base_queryset(self):
        if self.run is None:
            return MatchProposal.objects.none()
        return self.run.proposals.for_listing().only(*listed_fields())

    @cached_property
    def columns(self):
        receiving, giving = program_roles(self.program)
        labels = {
            "sponsee": _("Sponsee"),
            "sponsor": _("Sponsor"),
            "mentee": _("Mentee"),
            "mentor": _("Mentor"),
        }
        first, second = labels.get(receiving), labels.get(giving)
        if receiving == "member":  # peers: a member and their peer partner
            first, second = _("Member"), _("Peer partner")
        name_field = name_ordering()[0]
        query = self.request.GET.urlencode()
        next_url = f"{self.index_url}?{query}" if query else self.index_url
        return [
            BulkCheckboxColumn("bulk_actions", obj_type="matchproposal"),
            PersonColumn(
                "mentee",
                side="mentee",
                label=first,
                sort_key=f"mentee__user__{name_field}",
            ),
            PersonColumn(
                "mentor",
                side="mentor",
                label=second,
                sort_key=f"mentor__user__{name_field}",
            ),
            ScoreColumn("score", label=_("Score"), sort_key="score"),
            ReasonsColumn("reasons", label=_("Why")),
            StatusColumn(
                "status",
                label=_("Status"),
                # Not ``get_status_display``: Django rebuilds the choices'
                # lookup on each call, and there are fifty rows.
                accessor=lambda p: ProposalStatus(p.status).label,
                primary=lambda p: (
                    p.status in (ProposalStatus.APPROVED, ProposalStatus.PUBLISHED)
                ),
                sort_key="status",
            ),
            ActionsColumn(
                "actions",
                label=_("Decide"),
                program=self.program,
                next_url=next_url,
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)

        context.update(
            program=self.program, run=self.run, approve_form=ApproveAboveForm()
        )
        return context


# --- Bulk actions -----------------------------------------------------------------


class ProposalBulkAction(ServiceBulkAction):
    models = [MatchProposal]
    template_name = "wagtail_mentoring/matching/confirm_bulk.html"
    done_message = ""

    @classmethod
    def get_queryset(cls, model, object_ids):
        return (
            model.objects.filter(pk__in=object_ids)
            .select_related("program", "mentee__user", "mentor__user")
            .order_by("-score", "pk")
        )

    def get_all_objects_in_listing_query(self, parent_id):
        program = ProgramPage.objects.filter(pk=parent_id).first()
        if program is None or not can_run_matching(self.request.user, program):
            return MatchProposal.objects.none().values_list("pk", flat=True)
        run = runs.current_run(program)
        scope = run.proposals.all() if run else MatchProposal.objects.none()
        filters = ProposalFilterSet(
            self.request.GET, queryset=scope, request=self.request
        )
        queryset = filters.qs if filters.is_valid() else scope
        return queryset.values_list("pk", flat=True)

    def check_perm(self, obj):
        return can_run_matching(self.request.user, obj.program)

    def object_context(self, obj):
        return {"item": obj, "name": str(obj)}

    def get_execution_context(self):
        self.skipped_reasons = []
        return {"by": self.request.user, "skipped_reasons": self.skipped_reasons}

    @classmethod
    def execute_action(cls, objects, by=None, skipped_reasons=None, **kwargs):
        by_program = {}
        for proposal in objects:
            by_program.setdefault(proposal.program_id, (proposal.program, []))[
                1
            ].append(proposal)
        done = skipped = 0
        reasons = skipped_reasons if skipped_reasons is not None else []
        for program, proposals in by_program.values():
            outcome = cls.service(program, proposals, by)
            done += len(outcome.done)
            skipped += len(outcome.skipped)
            reasons += [f"{p}: {why}" for p, why in outcome.skipped]
        return done, skipped

    def get_success_message(self, num_parent_objects, num_child_objects):
        message = self.done_message(num_parent_objects)
        if num_child_objects:
            message += " " + ngettext(
                "%(n)d left unchanged (%(why)s).",
                "%(n)d left unchanged (%(why)s).",
                num_child_objects,
            ) % {"n": num_child_objects, "why": "; ".join(self.skipped_reasons[:5])}
        return message


class ApproveProposalsBulkAction(ProposalBulkAction):
    display_name = _("Approve")
    action_type = "approve"
    aria_label = _("Approve selected proposals")
    action_priority = 10
    service = staticmethod(services.approve_proposals)

    @staticmethod
    def done_message(n):
        return ngettext("%(n)d pair approved.", "%(n)d pairs approved.", n) % {"n": n}


class LockProposalsBulkAction(ProposalBulkAction):
    display_name = _("Lock")
    action_type = "lock"
    aria_label = _("Lock selected proposals")
    action_priority = 20
    service = staticmethod(services.lock_proposals)

    @staticmethod
    def done_message(n):
        return ngettext("%(n)d pair locked.", "%(n)d pairs locked.", n) % {"n": n}


class RejectProposalsBulkAction(ProposalBulkAction):
    display_name = _("Reject")
    action_type = "reject"
    aria_label = _("Reject selected proposals")
    action_priority = 30
    classes = {"serious"}
    service = staticmethod(services.reject_proposals)

    @staticmethod
    def done_message(n):
        return ngettext("%(n)d pair rejected.", "%(n)d pairs rejected.", n) % {"n": n}


BULK_ACTIONS = [
    ApproveProposalsBulkAction,
    LockProposalsBulkAction,
    RejectProposalsBulkAction,
]
