"""How each domain declares the personal data it holds (privacy rights).

Every domain that stores something about a person declares it in its own
``<domain>/personal_data.py``: a :class:`PersonalData` that exports what it
holds about a user and erases it. The domain registers it from its
``wagtail_hooks.register()`` under :data:`PERSONAL_DATA_HOOK`; the privacy
screens and services (``wagtail_mentoring.privacy``) collect every declaration
from that hook, so a new domain plugs in without anyone editing them.

Erasure keeps aggregates: a row that reports count (an application, a
relationship, a meeting, an outcome…) stays, detached from the person (its link
becomes empty, which the product shows as "a former participant") and with the
person's own words blanked; rows that are only the person's go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

#: The Wagtail hook under which domains register their :class:`PersonalData`.
PERSONAL_DATA_HOOK = "wagtail_mentoring_personal_data"

#: What erasure does with a field that points at the user model.
DELETE = "delete"  # the row is the person's own: it is deleted
DETACH = "detach"  # the row is counted: it stays, the link is cleared, words blanked
CLEAR = "clear"  # who acted (decided, created, posted…): the link is cleared
KEEP = "keep"  # someone else's data that names the person; the reason says why

#: How the product names a person whose data was erased (or whose account the
#: host deleted) wherever their name used to be.
FORMER_PARTICIPANT = _("a former participant")
#: What replaces the words of an erased person where the product needs some
#: (a meeting's or goal's title, a message in the partner's thread).
REMOVED = _("(removed)")


class PersonalData:
    """What one domain holds about a person: export it, and erase it.

    ``user_fields`` names every field of the domain's models that points at
    the user model (``"Model.field"``) with what erasure does with it
    (:data:`DELETE`, :data:`DETACH`, :data:`CLEAR`, or ``(KEEP, reason)``); a
    test fails when a model gains such a field that no domain declares.
    """

    #: Lower runs first. Domains above ``programs`` find the person's rows
    #: through the person's memberships and applications, so they erase before
    #: ``programs`` detaches those; ``people`` (the profile) goes last.
    erase_order: int = 50
    #: The top-level sections ``export()`` returns, with their labels.
    sections: Mapping[str, Any] = {}
    user_fields: Mapping[str, Any] = {}

    def export(self, user) -> dict[str, Any]:
        """The :attr:`sections` of the export (JSON-safe values) for ``user``."""
        raise NotImplementedError

    def records(self, user) -> Mapping[type, Iterable]:
        """``{model: primary keys}`` of the objects about ``user`` whose audit
        trail names them or carries their words; read before any erasure."""
        return {}

    def erase(self, user) -> None:
        """Delete or detach everything of this domain about ``user``.

        Runs inside the erasure's transaction, after the person's open
        relationships ended and live applications were withdrawn.
        """
        raise NotImplementedError


def when(value) -> str | None:
    """A date or datetime as ISO 8601 text (``None`` stays ``None``)."""
    return value.isoformat() if value is not None else None
