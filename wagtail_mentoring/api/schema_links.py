"""OpenAPI links between the API's operations: what a response gives the next
call (the meeting just scheduled → read it, cancel it; the run just started →
its status). Clients follow them, and the fuzzer's stateful phase chains
calls along them instead of guessing ids.

Each link names its operations by ``operationId``; a link whose operation is
missing is left out, so the table can name operations a host has not mounted.
"""

from __future__ import annotations

ID = "$response.body#/id"
FIRST = "$response.body#/results/0/id"


def _path(name: str) -> str:
    return f"$request.path.{name}"


#: A journey's first step, from its steps (the path names the journey).
FIRST_STEP = {
    "id": _path("id"),
    "journey_id": _path("journey_id"),
    "step_id": "$response.body#/steps/0/id",
}
IN_SPACE = {"space_id": _path("space_id")}
POST_ACTIONS = (
    ("EditPost", "edit"),
    ("ReportPost", "report"),
    ("MarkHelpful", "helpful"),
    ("MarkAnswer", "answer"),
)

#: (source operation, status) → [(link name, target operation, parameters)]
LINKS: dict[tuple[str, str], list[tuple[str, str, dict]]] = {
    ("programs_list", "200"): [("GetProgram", "programs_retrieve", {"id": FIRST})],
    ("me_applications_create", "201"): [
        ("GetApplication", "me_applications_retrieve", {"id": ID}),
        ("WithdrawApplication", "me_applications_withdraw_create", {"id": ID}),
    ],
    ("me_applications_list", "200"): [
        ("GetApplication", "me_applications_retrieve", {"id": FIRST}),
        ("WithdrawApplication", "me_applications_withdraw_create", {"id": FIRST}),
    ],
    ("me_relationships_list", "200"): [
        ("GetRelationship", "me_relationships_retrieve", {"id": FIRST}),
        ("ListMeetings", "me_relationships_meetings_list", {"id": FIRST}),
        ("ScheduleMeeting", "me_relationships_meetings_create", {"id": FIRST}),
        ("ListGoals", "me_relationships_goals_list", {"id": FIRST}),
        ("CreateGoal", "me_relationships_goals_create", {"id": FIRST}),
        ("ListMessages", "me_relationships_messages_list", {"id": FIRST}),
    ],
    ("me_relationships_meetings_create", "201"): [
        (
            "GetMeeting",
            "me_relationships_meetings_retrieve",
            {"id": _path("id"), "meeting_pk": ID},
        ),
        (
            "CancelMeeting",
            "me_relationships_meetings_cancel_create",
            {"id": _path("id"), "meeting_pk": ID},
        ),
        (
            "GiveMeetingFeedback",
            "me_relationships_meetings_feedback_create",
            {"id": _path("id"), "meeting_pk": ID},
        ),
    ],
    ("me_relationships_meetings_list", "200"): [
        (
            "GetMeeting",
            "me_relationships_meetings_retrieve",
            {"id": _path("id"), "meeting_pk": FIRST},
        ),
    ],
    ("me_relationships_goals_create", "201"): [
        (
            "CheckIn",
            "me_relationships_goals_check_ins_create",
            {"id": _path("id"), "goal_pk": ID},
        ),
    ],
    ("me_journeys_list", "200"): [
        (
            "ListSteps",
            "me_relationships_journeys_steps_retrieve",
            {
                "id": "$response.body#/results/0/relationship",
                "journey_id": "$response.body#/results/0/journey/id",
            },
        ),
    ],
    # A quiz's or a goal's block id is the step page's, not in this response:
    # a link to those would send a made-up block.
    ("me_relationships_journeys_steps_retrieve", "200"): [
        ("CompleteStep", "me_relationships_journeys_steps_complete_create", FIRST_STEP),
    ],
    ("spaces_threads_create", "201"): [
        (
            "ListPosts",
            "spaces_threads_posts_list",
            {"space_id": _path("space_id"), "thread_id": ID},
        ),
        (
            "Reply",
            "spaces_threads_posts_create",
            {"space_id": _path("space_id"), "thread_id": ID},
        ),
    ],
    ("spaces_threads_posts_list", "200"): [
        (name, f"spaces_posts_{action}_create", {**IN_SPACE, "post_id": FIRST})
        for name, action in POST_ACTIONS
    ],
    ("spaces_threads_posts_create", "201"): [
        (name, f"spaces_posts_{action}_create", {**IN_SPACE, "post_id": ID})
        for name, action in POST_ACTIONS
    ],
    # Program admins
    ("admin_applications_list", "200"): [
        ("DecideApplication", "admin_applications_decide_create", {"id": FIRST}),
    ],
    ("admin_programs_runs_create", "202"): [
        ("GetRun", "admin_runs_retrieve", {"id": ID}),
        (
            "ListProposals",
            "admin_programs_proposals_list",
            {"program_id": _path("program_id")},
        ),
    ],
    ("admin_programs_runs_list", "200"): [
        ("GetRun", "admin_runs_retrieve", {"id": FIRST}),
    ],
    ("admin_programs_proposals_list", "200"): [
        ("DecideProposal", "admin_proposals_decide_create", {"id": FIRST}),
        (
            "Publish",
            "admin_programs_publish_create",
            {"program_id": _path("program_id")},
        ),
    ],
    ("admin_programs_pairs_create", "201"): [
        ("DecideProposal", "admin_proposals_decide_create", {"id": ID}),
    ],
    ("admin_mentor_requests_list", "200"): [
        ("AcceptRequest", "admin_mentor_requests_accept_create", {"id": FIRST}),
    ],
    ("admin_opportunity_nominations_list", "200"): [
        (
            "DecideNomination",
            "admin_opportunity_nominations_decide_create",
            {"id": FIRST},
        ),
    ],
}


def add_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: the table above as OpenAPI links."""
    operation_ids = {
        operation.get("operationId")
        for operations in result.get("paths", {}).values()
        for operation in operations.values()
        if isinstance(operation, dict)
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                links = {
                    name: {"operationId": target, "parameters": dict(parameters)}
                    for name, target, parameters in LINKS.get(
                        (operation.get("operationId"), status), []
                    )
                    if target in operation_ids
                }
                if links:
                    response.setdefault("links", {}).update(links)
    return result
