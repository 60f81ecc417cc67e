"""Wagtail admin of the HRIS import: saved mappings, upload, dry run, apply."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn, UpdatedAtColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from wagtail_mentoring import spreadsheets
from wagtail_mentoring.admin_base import MentoringModelViewSet, StatusColumn
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.hris import services
from wagtail_mentoring.people.hris.models import (
    HrisImport,
    HrisImportStatus,
    HrisMapping,
)
from wagtail_mentoring.people.hris.presets import FIELDS, preset_columns
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import can_import_people_data


class HrisMappingForm(WagtailAdminModelForm):
    """The mapping's settings and one text box per field: the column heading."""

    class Meta:
        model = HrisMapping
        fields = [
            "name",
            "preset",
            "header_rows",
            "match_users_by",
            "create_users",
            "deactivate_missing",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = self.instance.columns or {}
        for name, label in FIELDS.items():
            self.fields[f"column_{name}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                initial=columns.get(name, ""),
                help_text=_("Leave empty to use the preset's column (if any)."),
            )

    def clean(self):
        data = super().clean()
        header_rows, preset = preset_columns(data.get("preset") or "")
        columns = {}
        for name in FIELDS:
            value = (data.get(f"column_{name}") or "").strip() or preset.get(name, "")
            if value:
                columns[name] = value
        self.instance.columns = columns
        if not self.instance.pk and preset and data.get("header_rows") == 1:
            data["header_rows"] = header_rows
            self.instance.header_rows = header_rows
        return data


class HrisMappingIndexView(generic.IndexView):
    @cached_property
    def columns(self):
        return [
            TitleColumn("name", label=_("Name"), get_url=self.get_edit_url),
            Column("preset", label=_("Preset"), accessor="get_preset_display"),
            Column(
                "match_users_by",
                label=_("Matches accounts by"),
                accessor="get_match_users_by_display",
            ),
            Column("deactivate_missing", label=_("Full import")),
            UpdatedAtColumn(),
        ]

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Upload a file"), url=reverse("wm_hris:upload"), icon_name="upload"
            ),
            HeaderButton(
                _("Past imports"), url=reverse("wm_hris:imports"), icon_name="history"
            ),
        ]


class HrisMappingViewSet(MentoringModelViewSet):
    model = HrisMapping
    name = "hris"
    icon = "doc-full-inverse"
    menu_label = _("HRIS import")
    menu_order = 120
    index_view_class = HrisMappingIndexView
    form_fields = HrisMappingForm.Meta.fields

    def get_form_class(self, for_update=False):
        return HrisMappingForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("upload/", UploadView.as_view(), name="upload"),
            path("imports/", ImportHistoryView.as_view(), name="imports"),
            path("imports/<int:pk>/", DryRunView.as_view(), name="dry_run"),
            path("imports/<int:pk>/errors.csv", ErrorsView.as_view(), name="errors"),
        ]


class _StewardsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not can_import_people_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UploadForm(forms.Form):
    mapping = forms.ModelChoiceField(
        label=_("Mapping"), queryset=HrisMapping.objects.all()
    )
    file = forms.FileField(
        label=_("HRIS export"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252) or XLSX. Nothing changes until you "
            "apply the dry run."
        ),
    )


class UploadView(_StewardsOnly, WagtailAdminTemplateMixin, FormView):
    form_class = UploadForm
    template_name = "wagtailadmin/generic/form.html"
    page_title = _("Upload an HRIS export")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.get_full_path(),
            submit_button_label=_("Dry run"),
            submit_button_active_label=_("Reading the file…"),
        )
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            services.parsing.check_size(upload.size)
            record = services.upload(
                form.cleaned_data["mapping"],
                upload.read(),
                upload.name,
                self.request.user,
            )
        except MentoringError as error:
            form.add_error("file", error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect("wm_hris:dry_run", pk=record.pk)


class DryRunView(_StewardsOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentoring/people/hris_dry_run.html"
    page_title = _("HRIS import: dry run")
    header_icon = "doc-full-inverse"

    def get_record(self):
        return get_object_or_404(
            HrisImport.objects.select_related("mapping"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.get_record()
        context.update(
            record=record,
            summary=record.summary,
            counts=record.summary.get("counts", {}),
            applied=record.status == HrisImportStatus.APPLIED,
        )
        return context

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        # The stored file is applied; nothing the browser posts but the choice.
        skip = request.POST.get("skip_bad_rows") == "on"
        try:
            counts = services.apply_import(record, request.user, skip_bad_rows=skip)
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("wm_hris:dry_run", pk=record.pk)
        messages.success(
            request,
            _(
                "Imported: %(created)s created, %(changed)s changed, "
                "%(deactivated)s deactivated."
            )
            % counts,
        )
        return redirect("wm_hris:dry_run", pk=record.pk)


class ErrorsView(_StewardsOnly, View):
    """The dry run's row errors as CSV, to hand back to whoever owns the HRIS."""

    def get(self, request, pk):
        record = get_object_or_404(HrisImport, pk=pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="hris-errors-{pk}.csv"'
        writer = spreadsheets.writer(response)
        writer.writerow([_("Line"), _("Employee id"), _("Error")])
        writer.writerows(record.summary.get("errors", []))
        return response


def _by(record) -> str:
    if record.uploaded_by is not None:
        return display_name(record.uploaded_by)
    # No uploader: the scheduled run, or an uploader since erased.
    return _("Scheduled") if (record.summary or {}).get("scheduled") else "—"


def _count(name):
    return lambda record: (record.summary or {}).get("counts", {}).get(name, "")


class ImportHistoryView(_StewardsOnly, generic.BaseListingView):
    """Every file uploaded or run on schedule, newest first, each linking to
    its report (the dry run page, which also shows what was applied)."""

    model = HrisImport
    page_title = _("Past HRIS imports")
    header_icon = "history"
    paginate_by = 25
    index_url_name = "wm_hris:imports"
    # Only the listing's columns are read: the stored files (up to the
    # upload limit each) stay in the database.
    queryset = HrisImport.objects.select_related("mapping", "uploaded_by").defer(
        "content"
    )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "file_name",
                label=_("File"),
                get_url=lambda r: reverse("wm_hris:dry_run", args=[r.pk]),
            ),
            Column("mapping", label=_("Mapping")),
            Column("uploaded_by", label=_("By"), accessor=_by),
            DateColumn("uploaded_at", label=_("Uploaded")),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda r: r.status == HrisImportStatus.APPLIED,
            ),
            Column("created", label=_("Created"), accessor=_count("created")),
            Column("changed", label=_("Changed"), accessor=_count("changed")),
            Column(
                "deactivated", label=_("Deactivated"), accessor=_count("deactivated")
            ),
            Column("errors", label=_("Errors"), accessor=_count("errors")),
            DateColumn("applied_at", label=_("Applied")),
        ]
