"""The program admins' *At-risk pairs* screen, with *Nudge both*.

Pairs come from the Relationship policy (``permissions.py``), so a program
admin sees only the pairs of the programs they administer; a pair outside that
scope is "not found". The nudge goes through the same service as the periodic
job (``nudges.services.nudge_pair``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.nudges.at_risk import pairs_at_risk
from wagtail_mentoring.engagement.nudges.services import nudge_pair
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import administers_any_program, policy_for
from wagtail_mentoring.programs.models import Relationship


def _pairs_in_scope(user):
    return policy_for(Relationship).instances_user_has_permission_for(user, "view")


class AtRiskView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentoring/engagement/admin/at_risk.html"
    page_title = gettext_lazy("At-risk pairs")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not administers_any_program(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairs = pairs_at_risk(_pairs_in_scope(self.request.user))
        page = Paginator(pairs, mentoring_settings.PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        for item in page:
            item.names = " & ".join(
                display_name(m.user) for m in item.relationship.members.all()
            )
        context.update(page_obj=page, total=len(pairs))
        return context


@require_POST
def nudge_both(request, pk: int):
    relationship = _pairs_in_scope(request.user).filter(pk=pk).first()
    if relationship is None:
        raise Http404
    try:
        sent = nudge_pair(relationship, by=request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(request, _("Both were reminded to meet."))
        else:
            messages.warning(request, _("This pair was already reminded today."))
    return redirect(reverse("wm_at_risk:index"))


class AtRiskViewSet(MentoringViewSet):
    name = "at_risk"
    icon = "warning"
    menu_label = gettext_lazy("At-risk pairs")
    menu_order = 215

    def get_urlpatterns(self):
        return [
            path("", AtRiskView.as_view(), name="index"),
            path("<int:pk>/nudge/", nudge_both, name="nudge"),
        ]

    @cached_property
    def menu_item_class(self):
        class AtRiskMenuItem(MenuItem):
            def is_shown(self, request):
                return administers_any_program(request.user)

        return AtRiskMenuItem
