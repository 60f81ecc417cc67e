"""The network map's admin screen (``/admin/mentoring/network/``) and its CSV.

Who sees it, and which programs it counts, comes from ``permissions.py``:
people-data stewards every program, program admins the programs they
administer. The numbers come from ``analytics.network`` (two aggregated
queries); this module only reads the switch and the program filter.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.analytics import network
from wagtail_mentoring.permissions import can_view_network, network_programs
from wagtail_mentoring.programs.models import ProgramPage


class NetworkFilterForm(forms.Form):
    dimension = forms.ChoiceField(
        label=_("Show"),
        choices=[(key, label) for key, (label, _field) in network.DIMENSIONS.items()],
        required=False,
    )
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=_("All my programs"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = network_programs(user)
        self.scope = scope
        queryset = ProgramPage.objects.all() if scope is None else scope
        self.fields["program"].queryset = queryset.order_by("title")

    def network(self) -> network.NetworkMap:
        data = self.cleaned_data if self.is_valid() else {}
        dimension = data.get("dimension") or "department"
        programs = self.scope
        if data.get("program") is not None:
            programs = [data["program"].pk]
        elif programs is not None:
            programs = programs.values("pk")
        return network.build_map(programs, dimension=dimension)


class NetworkAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_network(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def form(self):
        return NetworkFilterForm(self.request.GET or None, user=self.request.user)


class NetworkMapView(NetworkAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentoring/analytics/network.html"
    page_title = _("Network map")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = self.form.network()
        context.update(
            form=self.form,
            network=result,
            drawing=network.layout(result),
            query=self.request.GET.urlencode(),
            min=result.min_size,
        )
        return context


class NetworkExportView(NetworkAccessMixin, View):
    def get(self, request):
        result = self.form.network()
        response = HttpResponse(
            network.to_csv(result), content_type="text/csv; charset=utf-8"
        )
        name = f"network-{result.dimension}-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class _NetworkMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_network(request.user)


class NetworkViewSet(MentoringViewSet):
    """Mentoring → Network map."""

    name = "network"
    icon = "site"
    menu_label = _("Network map")
    menu_order = 240
    menu_item_class = _NetworkMenuItem

    def get_urlpatterns(self):
        return [
            path("", NetworkMapView.as_view(), name="index"),
            path("export/", NetworkExportView.as_view(), name="export"),
        ]
