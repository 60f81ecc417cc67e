"""Keep ``EmployeeProfile.updated_at`` honest when only its tags change.

Adding or removing a skill, a wanted skill or an interest changes what matching
sees of a person without saving the profile row; caches keyed on the newest
``updated_at`` (such as *Find a mentor*'s mentor table) must see it at once.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed
from django.utils import timezone

from wagtail_mentoring.people.models import EmployeeProfile

_ACTIONS = {"post_add", "post_remove", "post_clear", "pre_clear"}


def _touch(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in _ACTIONS:
        return
    if not reverse:
        pks = [instance.pk]
    elif action == "pre_clear":
        # a tag cleared from every profile: note the profiles before they go
        field = next(
            f.name
            for f in sender._meta.get_fields()
            if getattr(f, "related_model", None) is type(instance)
        )
        pks = list(
            sender.objects.filter(**{field: instance}).values_list(
                "employeeprofile_id", flat=True
            )
        )
    else:
        pks = list(pk_set or ())
    if pks:
        EmployeeProfile.objects.filter(pk__in=pks).update(updated_at=timezone.now())


def connect() -> None:
    for through in (
        EmployeeProfile.skills.through,
        EmployeeProfile.skills_wanted.through,
        EmployeeProfile.interests.through,
    ):
        m2m_changed.connect(_touch, sender=through, dispatch_uid=f"wm-touch-{through}")
