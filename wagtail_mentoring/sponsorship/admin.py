"""Wagtail admin of sponsorship: nominations, pairing, opportunities and career
outcomes. The equity and accountability reports are in ``admin_reports.py``."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from wagtail_mentoring.admin_base import (
    CalendarDateColumn,
    MentoringModelViewSet,
    ServiceFormMixin,
    SingleViewSet,
    StatusColumn,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.search import person_detail
from wagtail_mentoring.people.users import (
    display_name,
    name_ordering,
    name_search_fields,
)
from wagtail_mentoring.people.widgets import ProfileUserField
from wagtail_mentoring.permissions import (
    administered_programs,
    administers_any_program,
    can_see_sign_in_names,
    policy_for,
)
from wagtail_mentoring.programs.admin import _bulk_url
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.sponsorship import outcomes, services
from wagtail_mentoring.sponsorship.models import (
    CareerOutcome,
    Nomination,
    NominationSource,
    Opportunity,
    OpportunityNomination,
    OpportunityNominationStatus,
)


def administered_sponsorship_programs(user):
    return administered_programs(user).filter(kind=ProgramKind.SPONSORSHIP)


class PersonTitleColumn(TitleColumn):
    def __init__(self, *args, person: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def get_value(self, instance):
        return display_name(getattr(instance, self.person))


class PersonColumn(Column):
    def get_value(self, instance):
        user = super().get_value(instance)
        return display_name(user) if user else "—"


# ---------------------------------------------------------------------------
# Nominations

#: What ``Nomination.source`` means: in which capacity the nominator acted
#: (manager, HR, sponsor, or the nominee themself).
NOMINATOR_ROLE = _("Nominator's role")


class NominationFilterSet(WagtailFilterSet):
    source = django_filters.ChoiceFilter(
        label=NOMINATOR_ROLE, choices=NominationSource.choices
    )

    class Meta:
        model = Nomination
        fields = ["source"]


class NominationIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return (
            policy_for(Nomination)
            .instances_user_has_permission_for(self.request.user, "view")
            .for_listing()
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(PersonTitleColumn)(
                "nominee",
                label=_("Nominee"),
                person="nominee",
                get_url=self.get_inspect_url,
                sort_key="nominee",
            ),
            Column("program", label=_("Program"), accessor="program.title"),
            Column("source", label=NOMINATOR_ROLE, accessor="get_source_display"),
            PersonColumn("nominated_by", label=_("Nominated by")),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda obj: obj.status == EnrollmentStatus.APPROVED,
            ),
            DateColumn("created_at", label=_("Nominated"), sort_key="created_at"),
        ]

    def get_list_buttons(self, instance):
        if not instance.is_pending:
            return []
        return _accept_buttons(instance, self.index_url, ListingButton)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        buttons.append(
            HeaderButton(
                _("Pair a sponsor and a sponsee"),
                url=reverse("wm_sponsorship_pairing:index"),
                icon_name="link",
            )
        )
        return buttons


def _accept_buttons(nomination, next_url, button_class=HeaderButton):
    # One approval path: the Applications bulk actions (programs.services).
    # Wagtail sizes icons only inside its button styles: a listing row takes
    # ListingButton, a header HeaderButton.
    return [
        button_class(
            label,
            url=_bulk_url(
                action, [nomination.enrollment_id], next_url, wording="nomination"
            ),
            icon_name=icon,
            priority=priority,
        )
        for label, action, icon, priority in (
            (_("Accept"), "approve", "check", 10),
            (_("Decline"), "decline", "cross", 20),
        )
    ]


class NominationInspectView(generic.InspectView):
    def get_base_queryset(self):
        return policy_for(Nomination).instances_user_has_permission_for(
            self.request.user, "view"
        )

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_base_queryset(), pk=self.pk)

    def get_field_label(self, field_name, field):
        if field_name == "source":
            return NOMINATOR_ROLE
        return super().get_field_label(field_name, field)

    def get_nominee_display_value(self):
        return display_name(self.object.nominee)

    def get_nominated_by_display_value(self):
        return (
            display_name(self.object.nominated_by) if self.object.nominated_by else "—"
        )

    def get_program_display_value(self):
        return self.object.program.title

    def get_enrollment_display_value(self):
        return self.object.get_status_display()

    def get_evidence_display_value(self):
        items = [
            (e.achievement, e.metric or "", e.endorsed_by or "")
            for e in self.object.evidence.all()
        ]
        if not items:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{} {} {}</li>", items),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.is_pending:
            context["header_buttons"] = _accept_buttons(
                self.object, self.request.get_full_path()
            )
        return context


class NominationViewSet(MentoringModelViewSet):
    model = Nomination
    name = "nominations"
    icon = "user"
    menu_label = _("Nominations")
    index_view_class = NominationIndexView
    inspect_view_class = NominationInspectView
    inspect_view_enabled = True
    form_fields = ["reason"]
    inspect_view_fields = [
        "nominee",
        "program",
        "source",
        "nominated_by",
        "reason",
        "evidence",
        "enrollment",
        "created_at",
    ]
    filterset_class = NominationFilterSet
    list_per_page = 50

    @cached_property
    def search_fields(self):
        return name_search_fields("nominee__") + ["program__title"]


# ---------------------------------------------------------------------------
# Pairing by hand


class EnrollmentChoiceField(forms.ModelChoiceField):
    """An applicant with what tells namesakes apart (title, department,
    location, and the sign-in name to those who may see it)."""

    sign_in = False

    def label_from_instance(self, obj):
        profile = getattr(obj.user, "mentoring_profile", None)
        detail = person_detail(profile, sign_in=self.sign_in) if profile else ""
        name = (
            f"{display_name(obj.user)} ({detail})" if detail else display_name(obj.user)
        )
        return f"{name} — {obj.program.title}"


class PairForm(forms.Form):
    sponsor = EnrollmentChoiceField(
        label=_("Sponsor"), queryset=Enrollment.objects.none()
    )
    sponsee = EnrollmentChoiceField(
        label=_("Sponsee"), queryset=Enrollment.objects.none()
    )

    def __init__(self, *args, programs, sign_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].sign_in = self.fields["sponsee"].sign_in = sign_in
        accepted = (
            Enrollment.objects.filter(
                program__in=programs,
                status=EnrollmentStatus.APPROVED,
                user__is_active=True,
            )
            .select_related("user__mentoring_profile", "program")
            .order_by("program__title", *[f"user__{f}" for f in name_ordering()])
        )
        paired = RelationshipMember.objects.filter(
            role=Role.SPONSEE,
            relationship__program__in=programs,
            relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
        ).values("user_id")
        self.fields["sponsor"].queryset = accepted.filter(role=Role.SPONSOR)
        self.fields["sponsee"].queryset = accepted.filter(role=Role.SPONSEE).exclude(
            user_id__in=paired
        )

    def clean(self):
        data = super().clean()
        sponsor, sponsee = data.get("sponsor"), data.get("sponsee")
        if sponsor and sponsee and sponsor.program_id != sponsee.program_id:
            raise forms.ValidationError(
                _("Pick a sponsor and a sponsee of the same program.")
            )
        return data


class AdminFormView(WagtailAdminTemplateMixin, FormView):
    """A one-form admin screen in Wagtail's own page furniture."""

    template_name = "wagtailadmin/generic/form.html"
    submit_button_label = _("Save")

    def has_permission(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def form_invalid(self, form):
        messages.validation_error(self.request, _("The form could not be saved."), form)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.get_full_path(),
            submit_button_label=self.submit_button_label,
            submit_button_active_label=self.submit_button_label,
        )
        return context


class PairView(AdminFormView):
    form_class = PairForm
    page_title = _("Pair a sponsor and a sponsee")
    header_icon = "link"
    submit_button_label = _("Start the sponsorship")

    def has_permission(self, user):
        return administers_any_program(user, ProgramKind.SPONSORSHIP)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["programs"] = administered_sponsorship_programs(self.request.user)
        kwargs["sign_in"] = can_see_sign_in_names(self.request.user)
        return kwargs

    def form_valid(self, form):
        sponsor, sponsee = form.cleaned_data["sponsor"], form.cleaned_data["sponsee"]
        try:
            services.pair_sponsor(
                sponsor.program, sponsor.user, sponsee.user, self.request.user
            )
        except MentoringError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(sponsor)s now sponsors %(sponsee)s.")
            % {
                "sponsor": display_name(sponsor.user),
                "sponsee": display_name(sponsee.user),
            },
        )
        return redirect(self.request.path)


class PairingViewSet(SingleViewSet):
    name = "sponsorship_pairing"
    icon = "link"
    menu_label = _("Pair sponsors")
    view_class = PairView


# ---------------------------------------------------------------------------
# Opportunities


class OpportunityForm(WagtailAdminModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "program",
            "title",
            "kind",
            "description",
            "eligibility",
            "min_level",
            "deadline",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["program"].queryset = administered_sponsorship_programs(
                self.for_user
            )
        if not self.instance.pk:
            del self.fields["status"]
        else:
            # Moving an opportunity to another program would orphan nominations.
            self.fields["program"].disabled = True


class OpportunityCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        program = data.pop("program")
        return services.post_opportunity(program, self.request.user, **data)


class OpportunityEditView(ServiceFormMixin, generic.EditView):
    def get_queryset(self):
        # Another program's opportunity is "not found".
        return policy_for(Opportunity).instances_user_has_permission_for(
            self.request.user, "change"
        )

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        data.pop("program", None)
        return services.update_opportunity(
            Opportunity.objects.get(pk=self.object.pk), self.request.user, **data
        )


class OpportunityIndexView(generic.IndexView):
    default_ordering = "deadline"

    def get_base_queryset(self):
        return (
            policy_for(Opportunity)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related("program", "posted_by")
            .annotate(
                nominee_count=Count("nominations"),
                selected_count=Count(
                    "nominations",
                    filter=Q(nominations__status=OpportunityNominationStatus.SELECTED),
                ),
            )
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(TitleColumn)(
                "title",
                label=_("Opportunity"),
                get_url=self.get_inspect_url,
                sort_key="title",
            ),
            Column("program", label=_("Program"), accessor="program.title"),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            CalendarDateColumn(
                "deadline", label=_("Nominations close"), sort_key="deadline"
            ),
            Column("nominee_count", label=_("Nominated")),
            Column("selected_count", label=_("Selected")),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda obj: obj.status == "open",
            ),
        ]


class OpportunityInspectView(generic.InspectView):
    template_name = "wagtail_mentoring/sponsorship/admin/opportunity_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            policy_for(Opportunity).instances_user_has_permission_for(
                self.request.user, "view"
            ),
            pk=self.pk,
        )

    def get_program_display_value(self):
        return self.object.program.title

    def get_posted_by_display_value(self):
        return display_name(self.object.posted_by) if self.object.posted_by else "—"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Admins see who was put forward and decide; advocacy text stays out.
        context["nominations"] = self.object.nominations.select_related(
            "nominee", "nominated_by", "decided_by"
        ).order_by("created_at", "pk")
        return context


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (OpportunityNominationStatus.SELECTED, _("Selected")),
            (OpportunityNominationStatus.NOT_SELECTED, _("Not selected")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when not selected; the nominee sees it."),
    )


class DecideView(AdminFormView):
    form_class = DecisionForm
    header_icon = "check"
    submit_button_label = _("Save decision")

    def has_permission(self, user):
        return policy_for(Opportunity).user_has_permission(user, "change")

    @cached_property
    def nomination(self):
        return get_object_or_404(
            OpportunityNomination.objects.select_related("opportunity", "nominee"),
            pk=self.kwargs["pk"],
            opportunity__in=policy_for(Opportunity).instances_user_has_permission_for(
                self.request.user, "change"
            ),
        )

    def get_page_title(self):
        return _("Decide: %(name)s for %(title)s") % {
            "name": display_name(self.nomination.nominee),
            "title": self.nomination.opportunity.title,
        }

    def form_valid(self, form):
        try:
            services.decide_opportunity_nomination(
                self.nomination, self.request.user, **form.cleaned_data
            )
        except MentoringError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Decision saved."))
        return redirect("wm_opportunities:inspect", self.nomination.opportunity_id)


class OpportunityViewSet(MentoringModelViewSet):
    model = Opportunity
    name = "opportunities"
    icon = "pick"
    menu_label = _("Opportunities")
    form_fields = OpportunityForm.Meta.fields
    index_view_class = OpportunityIndexView
    add_view_class = OpportunityCreateView
    edit_view_class = OpportunityEditView
    inspect_view_class = OpportunityInspectView
    inspect_view_enabled = True
    list_filter = ["status", "kind"]
    search_fields = ["title", "description"]

    def get_form_class(self, for_update=False):
        return OpportunityForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("decide/<int:pk>/", DecideView.as_view(), name="decide")
        ]


# ---------------------------------------------------------------------------
# Career outcomes


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class CareerOutcomeForm(WagtailAdminModelForm):
    employee = ProfileUserField(label=_("Employee"))

    class Meta:
        model = CareerOutcome
        fields = ["employee", "kind", "occurred_on", "title", "from_level", "to_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Whose outcome it is does not change: show them, choose no one.
            self.fields["employee"] = PersonChoiceField(
                label=_("Employee"),
                queryset=get_user_model().objects.filter(pk=self.instance.employee_id),
                disabled=True,
            )


class CareerOutcomeCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        return outcomes.record_outcome(data.pop("employee"), self.request.user, **data)


class CareerOutcomeEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        data.pop("employee", None)
        return outcomes.update_outcome(self.object, self.request.user, **data)


class CareerOutcomeIndexView(generic.IndexView):
    default_ordering = "-occurred_on"

    def get_base_queryset(self):
        return CareerOutcome.objects.select_related(
            "employee", "relationship__program"
        ).filter(employee__is_active=True)

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(PersonTitleColumn)(
                "employee",
                label=_("Employee"),
                person="employee",
                get_url=self.get_edit_url,
                sort_key="employee",
            ),
            Column("kind", label=_("Outcome"), accessor="get_kind_display"),
            CalendarDateColumn("occurred_on", label=_("Date"), sort_key="occurred_on"),
            Column("title", label=_("New title or assignment")),
            Column(
                "relationship",
                label=_("Sponsorship"),
                accessor="relationship.program.title",
            ),
            Column("source", label=_("Source"), accessor="get_source_display"),
        ]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                HeaderButton(
                    _("Import CSV"),
                    url=reverse("wm_career_outcomes:import"),
                    icon_name="upload",
                )
            )
        return buttons


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: employee (sign-in name), outcome (promotion, new_role, "
            "lateral_move, stretch_completed), date (YYYY-MM-DD), and optionally "
            "title, from_level, to_level. A bad row stops the whole import."
        ),
    )


class ImportView(AdminFormView):
    form_class = ImportForm
    page_title = _("Import career outcomes")
    header_icon = "upload"
    submit_button_label = _("Import")

    def has_permission(self, user):
        return policy_for(CareerOutcome).user_has_permission(user, "add")

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 5 MB."))
            return self.form_invalid(form)
        try:
            created = outcomes.import_outcomes(upload.read(), self.request.user)
        except MentoringError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(n)d career outcomes imported.") % {"n": len(created)},
        )
        return redirect("wm_career_outcomes:index")


class CareerOutcomeViewSet(MentoringModelViewSet):
    model = CareerOutcome
    name = "career_outcomes"
    icon = "pick"
    menu_label = _("Career outcomes")
    form_fields = CareerOutcomeForm.Meta.fields
    index_view_class = CareerOutcomeIndexView
    add_view_class = CareerOutcomeCreateView
    edit_view_class = CareerOutcomeEditView
    list_filter = ["kind", "source"]
    list_export = [
        "employee_name",
        "get_kind_display",
        "occurred_on",
        "title",
        "from_level",
        "to_level",
    ]
    export_headings = {
        "employee_name": _("Employee"),
        "get_kind_display": _("Outcome"),
    }
    export_filename = "career-outcomes"

    @cached_property
    def search_fields(self):
        return name_search_fields("employee__") + ["title"]

    def get_form_class(self, for_update=False):
        return CareerOutcomeForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", ImportView.as_view(), name="import")
        ]
