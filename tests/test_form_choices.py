"""Every choice field of every form renders the options it accepts.

A widget replaced after its field was built keeps no options: the page shows
an empty box and the browser submits nothing, which a form that accepts an
empty list saves as erasing the person's data. The test finds every form class
in the package's ``forms.py`` modules, so a new form is checked (or this test
names it) without anyone remembering to.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse

import wagtail_mentoring
from tests.factories import make_enrollment, make_program, make_user
from tests.form_html import form_fields, select_options
from wagtail_mentoring.matching.models import ProgramMatchingSettings
from wagtail_mentoring.people.models import (
    LANGUAGE_CHOICES,
    EmployeeProfile,
    Interest,
    Skill,
)
from wagtail_mentoring.programs.models import Cohort, Enrollment, ProgramPage
from wagtail_mentoring.sponsorship.models import ReadinessEvidence

pytestmark = pytest.mark.django_db

APPLY = "apply/"


def _form_modules():
    for info in pkgutil.walk_packages(
        wagtail_mentoring.__path__, wagtail_mentoring.__name__ + "."
    ):
        if info.name.rsplit(".", 1)[-1] == "forms":
            yield importlib.import_module(info.name)


def _form_classes():
    found = {}
    for module in _form_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__.split('.', 1)[1]}.{name}"] = cls
    return found


@pytest.fixture
def world(hub):
    person = make_user("chooser", profile={"level": 3, "department": "Eng"})
    Skill.objects.create(name="Python")
    Interest.objects.create(name="Chess")
    program = make_program(
        hub,
        application_questions=[
            (
                "choice",
                {
                    "label": "Cadence?",
                    "required": True,
                    "choices": ["Weekly", "Monthly"],
                    "multiple": False,
                },
            ),
            (
                "choice",
                {
                    "label": "Topics?",
                    "required": False,
                    "choices": ["Design", "Career"],
                    "multiple": True,
                },
            ),
        ],
    )
    sponsorship = make_program(hub, kind="sponsorship")
    mentee = make_enrollment(person, program)
    Cohort.objects.create(
        program=program, name="Spring 2027", starts_on=date(2027, 3, 1)
    )
    evidence = ReadinessEvidence.objects.create(owner=person, achievement="Shipped")
    users = get_user_model().objects.filter(pk=person.pk)
    return {
        "programs": ProgramPage.objects.filter(pk=sponsorship.pk),
        "program": program,
        "users": users,
        "evidence": ReadinessEvidence.objects.filter(pk=evidence.pk),
        "mentee": mentee,
        "settings": ProgramMatchingSettings(program=program),
    }


class _Option:
    def __init__(self, enrollment):
        self.enrollment = enrollment


#: How each form is built by the view that shows it.
def _survey(program):
    from wagtail_mentoring.surveys.models import Survey

    return Survey.objects.create(
        program=program,
        title="Every question",
        questions=[
            {"type": "rating", "id": "rating", "value": {"label": "Rate"}},
            {
                "type": "scale",
                "id": "scale",
                "value": {"label": "Scale", "minimum": 0, "maximum": 10},
            },
            {"type": "nps", "id": "nps", "value": {"label": "Recommend"}},
            {
                "type": "choice",
                "id": "choice",
                "value": {"label": "Pick", "choices": ["A", "B"], "multiple": True},
            },
        ],
    )


BUILDERS = {
    "surveys.forms.SurveyAnswerForm": lambda w: {"survey": _survey(w["program"])},
    "programs.forms.ProfileForm": lambda w: {"prefix": "profile"},
    "programs.forms.ApplicationForm": lambda w: {"program": w["program"]},
    "sponsorship.forms.NominationForm": lambda w: {
        "programs": w["programs"],
        "candidates": w["users"],
        "evidence": w["evidence"],
    },
    "sponsorship.forms.AdvocacyForm": lambda w: {"evidence": w["evidence"]},
    "sponsorship.forms.OpportunityForm": lambda w: {"programs": w["programs"]},
    "sponsorship.forms.OpportunityNominationForm": lambda w: {"sponsees": w["users"]},
    "engagement.forms.ExtendForm": lambda w: {"max_weeks": 8},
    "matching.admin.forms.SettingsForm": lambda w: {"instance": w["settings"]},
    "matching.admin.forms.RunForm": lambda w: {"program": w["program"]},
    "matching.admin.forms.ManualPairForm": lambda w: {
        "mentees": [(w["mentee"].pk, "Chooser")],
        "options": [_Option(w["mentee"])],
    },
}


def _option_values(field) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an <optgroup> and its options
            values += [str(v) for v, _label in label if str(v) != ""]
        elif str(value) != "":
            values.append(str(value))
    return values


def test_every_choice_field_of_every_form_renders_its_options(world):
    classes = _form_classes()
    assert "programs.forms.ProfileForm" in classes  # the discovery works
    checked = []
    for dotted, cls in sorted(classes.items()):
        kwargs = BUILDERS.get(dotted, lambda w: {})(world)
        form = cls(**kwargs)
        for bound in form:
            field = bound.field
            if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                continue
            values = _option_values(field)
            assert values, f"{dotted}.{bound.name} offers no choices in this world"
            rendered = str(bound)
            missing = [v for v in values if f'value="{v}"' not in rendered]
            assert not missing, (
                f"{dotted}.{bound.name} renders without the options {missing[:5]}"
            )
            checked.append(f"{dotted}.{bound.name}")
    # The fields this test exists for; the list grows with the forms.
    for name in (
        "programs.forms.ProfileForm.languages",
        "programs.forms.ProfileForm.timezone",
        "programs.forms.ProfileForm.availability",
        "programs.forms.ApplicationForm.role",
        "engagement.forms.MeetingForm.timezone",
        "engagement.forms.FeedbackForm.rating",
        "sponsorship.forms.NominationForm.nominee",
        "surveys.forms.SurveyAnswerForm.q_rating",
        "surveys.forms.SurveyAnswerForm.q_nps",
    ):
        assert name in checked


def test_apply_form_offers_every_language_and_keeps_the_applicants(
    client, employee, program
):
    """Submitting the apply page as rendered keeps the languages already saved."""
    EmployeeProfile.objects.filter(user=employee).update(languages=["en", "de"])
    client.force_login(employee)
    response = client.get(program.url + APPLY)
    options = select_options(response.content, "profile-languages")
    assert options == [code for code, _name in LANGUAGE_CHOICES]
    data = form_fields(response.content, "role")
    assert data["profile-languages"] == ["de", "en"]
    data.update({"role": ["mentee"]})
    response = client.post(program.url + APPLY, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EmployeeProfile.objects.get(user=employee).languages == ["de", "en"]
    assert Enrollment.objects.filter(user=employee, program=program).exists()


def test_host_user_without_profile_applies_with_every_list_populated(client, program):
    """A host user the package has never seen: no profile row yet, and a host
    that has no skills or interests taxonomy yet (no empty lists are shown)."""
    newcomer = make_user("newcomer")
    assert not EmployeeProfile.objects.filter(user=newcomer).exists()
    client.force_login(newcomer)
    response = client.get(program.url + APPLY)
    assert response.status_code == 200
    for name in ("profile-languages", "profile-timezone"):
        assert len(select_options(response.content, name)) > 10, name
    body = response.content.decode()
    for name in ("profile-skills", "profile-skills_wanted", "profile-interests"):
        assert f'name="{name}"' not in body, name
    assert "Skills" not in body  # no heading over an empty list either
    # Reading the form wrote nothing.
    assert not EmployeeProfile.objects.filter(user=newcomer).exists()
    data = form_fields(response.content, "role")
    data.update(
        {
            "role": ["mentee"],
            "profile-level": ["2"],
            "profile-department": ["Support"],
            "profile-timezone": ["Asia/Tokyo"],
            "profile-languages": ["ja", "en"],
        }
    )
    response = client.post(program.url + APPLY, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtail_mentoring:my_mentoring")
    profile = EmployeeProfile.objects.get(user=newcomer)
    assert profile.languages == ["ja", "en"]
    assert profile.timezone == "Asia/Tokyo"
