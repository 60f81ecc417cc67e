"""Helpers every front-end view uses."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import render

from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.people.users import viewer_time_zone


def base_context() -> dict:
    return frontend_context()


def render_page(request, template: str, context: dict, status: int = 200):
    """Render a front-end page; every time on it reads in the viewer's zone."""
    with viewer_time_zone(request):
        return render(request, template, {**base_context(), **context}, status=status)


def login_redirect(request):
    """Send anonymous users to the host's ``LOGIN_URL``, then back here."""
    return redirect_to_login(request.get_full_path())


class ShortListPaginator(Paginator):
    """A paginator that spares the ``COUNT`` query when the whole list fits on
    its first page, as most people's lists on their own pages do: that page is
    read with one row more than it holds, and only a longer list is counted.
    Pages and their links are the same as :class:`Paginator`'s.

    ``head(n)``, if given, reads the list's first ``n`` rows in place of
    slicing ``object_list`` (a query compiled once, :mod:`wagtail_mentoring.sql`);
    ``object_list`` may then be a function that builds the whole list, called
    only for a list longer than its first page.
    """

    def __init__(self, object_list, per_page, *, head=None, **kwargs):
        self.whole = object_list if callable(object_list) else None
        super().__init__([] if self.whole else object_list, per_page, **kwargs)
        self.head = head

    def get_page(self, number):
        try:
            first = int(number or 1) == 1
        except (TypeError, ValueError):
            first = True  # like Paginator: what is not a number is page 1
        if first and "count" not in self.__dict__:
            fits = self.per_page + self.orphans
            head = (
                self.head(fits + 1) if self.head else list(self.object_list[: fits + 1])
            )
            if len(head) <= fits and (head or self.allow_empty_first_page):
                self.__dict__["count"] = len(head)
                return self._get_page(head, 1, self)
        if self.whole:
            self.object_list, self.whole = self.whole(), None
            self._check_object_list_is_ordered()
        return super().get_page(number)
