"""Export and erase a person's mentoring data (GDPR articles 15, 17 and 20).

Both are business actions: they authorize their actor (``by``) and write an
audit entry. A refusal is a :class:`MentoringError` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import ModelLogEntry

from wagtail_mentoring import audit
from wagtail_mentoring.engagement.leaving import end_participation
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import (
    can_erase_personal_data,
    can_export_personal_data,
    require,
)
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK, PersonalData, when

#: Names the export's format; ``SCHEMA_VERSION`` grows when a section changes
#: incompatibly (docs/privacy.md describes every section).
SCHEMA = "wagtail-mentoring/personal-data"
SCHEMA_VERSION = 1


def declarations() -> list[PersonalData]:
    """Every domain's declaration, in erasure order."""
    return sorted(hooks.get_hooks(PERSONAL_DATA_HOOK), key=lambda d: d.erase_order)


def subject_label(user) -> str:
    """How audit entries about a person name them: by id only, so that an
    entry outlives their erasure without naming them."""
    return _("person %(id)s") % {"id": user.pk}


def personal_data(user) -> dict:
    """Everything the package holds about ``user``, as JSON-safe data.

    The header (``schema``, ``schema_version``, ``exported_at``, ``person``)
    comes first, then each domain's sections, profile first.
    """
    data = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "exported_at": when(timezone.now()),
        "person": {
            "id": str(user.pk),
            "name": display_name(user),
            "login": user.get_username(),
        },
    }
    for declaration in sorted(declarations(), key=lambda d: -d.erase_order):
        sections = declaration.export(user)
        name = type(declaration).__name__
        if sections.keys() != declaration.sections.keys():
            raise ImproperlyConfigured(
                f"{name} exports {sorted(sections)}, "
                f"but declares {sorted(declaration.sections)}"
            )
        clash = data.keys() & sections.keys()
        if clash:
            raise ImproperlyConfigured(
                f"{name} exports sections another declaration has: {sorted(clash)}"
            )
        data.update(sections)
    return data


def section_labels() -> dict[str, str]:
    """Each section of the export → its label, as people read it."""
    return {
        key: label
        for declaration in declarations()
        for key, label in declaration.sections.items()
    }


def export_personal_data(subject, by) -> dict:
    """``subject``'s data for ``by``: themselves, or HR with
    ``export_personal_data``."""
    require(
        can_export_personal_data(by, subject),
        _("Only the person themselves or HR can export this data."),
    )
    data = personal_data(subject)
    audit.record(
        subject,
        "wagtail_mentoring.privacy.export",
        user=by,
        label=subject_label(subject),
        by_themselves=by.pk == subject.pk,
    )
    return data


def erase_personal_data(subject, by, *, account_deleted: bool = False) -> None:
    """Erase ``subject``'s mentoring data, in one transaction.

    HR with ``erase_personal_data`` runs it (``by``); the host deleting the
    account runs it first (``by=None``, ``account_deleted``). The person stops
    taking part (open relationships end, partners are told, live applications
    are withdrawn); then every domain deletes what is only theirs and detaches
    what reports count, blanking their words; the audit trail of those objects
    keeps no name or words of theirs. Partners see "a former participant".
    """
    if by is not None:
        require(
            can_erase_personal_data(by),
            _("Only HR can erase a person's mentoring data."),
        )
    with transaction.atomic():
        # Read first: once detached, the person's rows cannot be found again.
        records = {}
        for declaration in declarations():
            for model, pks in declaration.records(subject).items():
                records.setdefault(model, set()).update(pks)
        end_participation(
            subject, reason=_("A member no longer takes part in the program.")
        )
        for declaration in declarations():
            declaration.erase(subject)
        scrub_audit_trail(subject, records)
        audit.record(
            subject,
            "wagtail_mentoring.privacy.erase",
            user=by,
            label=subject_label(subject),
            account_deleted=account_deleted,
        )


def scrub_audit_trail(user, records: dict[type, Iterable]) -> int:
    """Entries about the objects in ``records`` forget ``user``: their titles
    are written again from what is left (or the object's kind and id when it
    is gone), the words of :data:`audit.CONTENT_KEYS` go, and ``user`` no
    longer shows as the one who acted. Returns the number of entries."""
    changed = 0
    for model, pks in records.items():
        ids = [str(pk) for pk in pks]
        if not ids:
            continue
        content_type = ContentType.objects.get_for_model(
            model, for_concrete_model=False
        )
        entries = list(
            ModelLogEntry.objects.filter(content_type=content_type, object_id__in=ids)
        )
        if not entries:
            continue
        remaining = model._default_manager.in_bulk(
            {entry.object_id for entry in entries}
        )
        remaining = {str(pk): obj for pk, obj in remaining.items()}
        kind = str(model._meta.verbose_name)
        for entry in entries:
            current = remaining.get(entry.object_id)
            entry.label = str(current) if current else f"{kind} {entry.object_id}"
            entry.data = {
                key: value
                for key, value in (entry.data or {}).items()
                if key not in audit.CONTENT_KEYS
            }
            if str(entry.user_id) == str(user.pk):
                entry.user_id = None
        ModelLogEntry.objects.bulk_update(entries, ["label", "data", "user"])
        changed += len(entries)
    return changed
