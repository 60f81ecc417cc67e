"""Reasons are rendered from codes and parameters, not the engine's English."""

import pytest
from django.utils import translation

from wagtail_mentoring.matching.reasons import factor_rows, reason_text


@pytest.mark.parametrize(
    "reason, text",
    [
        (
            {"code": "shared_skills", "params": {"names": ["Python", "Leadership"]}},
            "shares Python and Leadership",
        ),
        ({"code": "seniority_gap", "params": {"levels": 2}}, "2 levels senior"),
        ({"code": "seniority_gap", "params": {"levels": 1}}, "1 level senior"),
        ({"code": "seniority_gap", "params": {"levels": -3}}, "3 levels junior"),
        (
            {"code": "cross_department", "params": {"mentor_department": "Sales"}},
            "cross-department (Sales)",
        ),
        ({"code": "cross_department", "params": {}}, "cross-department"),
        (
            {"code": "same_location", "params": {"location": "Berlin"}},
            "same location (Berlin)",
        ),
        ({"code": "time_zone", "params": {"hours": 0.0}}, "same time zone"),
        ({"code": "time_zone", "params": {"hours": 5.5}}, "5.5 h time difference"),
        (
            {"code": "shared_languages", "params": {"names": ["en", "de"]}},
            "speaks English and German",
        ),
        ({"code": "availability", "params": {"count": 1}}, "1 shared time slot"),
        ({"code": "shared_interests", "params": {"terms": []}}, "similar interests"),
        (
            {
                "code": "no_mentor_passes_rules",
                "params": {"counts": {"reporting_line": 2, "language": 1}},
            },
            "no mentor passes the rules (2 in the mentee's reporting line, "
            "1 no shared language)",
        ),
        (
            {"code": "all_compatible_full", "params": {"compatible": 3}},
            "all 3 compatible mentors are full (their places went to other mentees)",
        ),
        (
            {"code": "something_new", "params": {}, "text": "engine fallback"},
            "engine fallback",
        ),
    ],
)
def test_reason_text(reason, text):
    with translation.override("en"):
        assert reason_text(reason) == text


def test_factor_rows_are_percentage_points_largest_first():
    rows = factor_rows({"skills": 0.301, "goals": 0.1, "location": 0.0})
    assert rows[0] == ("Skills wanted and offered", 30)
    assert rows[-1][1] == 0
