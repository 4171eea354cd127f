"""The journey both official clients make, and what it must show, whichever client reported it.

A journey result is a JSON object (tools/supabase-js/journey.mjs prints one; the supabase-py test
builds the same): alice's and bob's profile ids, the token lifetime, the reference slugs, `me`, the
join results (alice on her topic, bob on alice's), a refused step, each step's returned state, the
plan, the state after the token refresh, and every broadcast alice's channel heard, in order.
"""

from __future__ import annotations

from typing import Any

# Each step with its arguments; select_job_role's id comes from search_job_roles("financial analyst").
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("set_native_language", {"native_language": "chinese_traditional"}),
    ("set_industry", {"industry": "banking_finance"}),
    ("select_job_role", {}),
    ("set_communication_partners", {"partners": ["clients", "senior_management"]}),
    ("set_partner_situations", {"partner": "clients", "situations": ["negotiations", "meetings"]}),
    ("set_partner_situations", {"partner": "senior_management", "situations": ["presentations"]}),
    ("complete_onboarding", {}),
]
AFTER_REFRESH: tuple[str, dict[str, Any]] = (
    "set_partner_situations",
    {"partner": "clients", "situations": ["meetings", "negotiations"]},
)
UNKNOWN_INDUSTRY = "no_such_industry"
JOB_TITLE = "financial analyst"


def journey_plan(learner: str, intruder: str) -> dict[str, Any]:
    """The journey as the Node script takes it (FLUENTPRO_JOURNEY), for two dev users of its own."""
    return {
        "learner": learner,
        "intruder": intruder,
        "steps": STEPS,
        "after_refresh": AFTER_REFRESH,
        "unknown_industry": UNKNOWN_INDUSTRY,
        "job_title": JOB_TITLE,
    }


# What the database sends on user:<alice> (derived from the triggers): one onboarding_state per step,
# onboarding_completed in the completing transaction, then the worker's transaction that stores the
# plan (learning_plan_ready) and marks its job done (job_done); then the step after the refresh.
EXPECTED_EVENTS = [
    *["onboarding_state"] * 7,
    "onboarding_completed",
    "learning_plan_ready",
    "job_done",
    "onboarding_state",
]


def check_journey(result: dict[str, Any], *, learner: str, reports_http_status: bool = True) -> None:
    """`learner`: the dev user who made the journey. `reports_http_status`: supabase-js returns an
    error's HTTP status; supabase-py raises without it."""
    alice, bob = result["alice"], result["bob"]
    assert alice != bob
    assert result["expires_in"] == 900  # ACCESS_TOKEN_TTL_SECONDS' default: refresh before it runs out

    reference = result["reference"]
    assert "chinese_traditional" in reference["native_languages"]
    assert "banking_finance" in reference["industries"]
    assert {"clients", "senior_management"} <= set(reference["communication_partners"])
    assert {"negotiations", "meetings", "presentations"} <= set(reference["situations"])
    assert result["me"]["email"] == f"{learner}@example.com"
    assert result["me"]["profile_id"] == alice

    assert result["alice_join"] == {"status": "SUBSCRIBED", "message": None}
    bob_join = result["bob_join"]
    assert bob_join["status"] == "CHANNEL_ERROR", bob_join
    assert "Unauthorized" in bob_join["message"] and f"user:{alice}" in bob_join["message"], bob_join

    refused = result["refused_step"]
    assert refused["status"] == (422 if reports_http_status else None), refused
    assert refused["data"] is None, refused
    assert refused["error"]["code"] == "onboarding.unknown_industry", refused
    assert refused["error"]["details"] == {"unknown": [UNKNOWN_INDUSTRY]}, refused
    assert refused["error"]["message"], refused

    steps = result["steps"]
    assert [s["fn"] for s in steps] == [name for name, _ in STEPS]
    states = [s["state"] for s in steps]
    versions = [state["version"] for state in states]
    assert versions == sorted(set(versions)), versions  # one bump per step
    assert all(state["profile_id"] == alice for state in states)
    assert states[0]["native_language"] == "chinese_traditional"
    assert states[1]["industry"] == "banking_finance"
    assert states[2]["job_role"]["job_role_id"]
    final = states[-1]
    assert final["status"] == "completed" and final["is_complete"] is True, final
    assert [(p["slug"], p["situations"]) for p in final["communication_partners"]] == [
        ("clients", ["negotiations", "meetings"]),
        ("senior_management", ["presentations"]),
    ]

    events = result["events"]
    assert [e["event"] for e in events] == EXPECTED_EVENTS, [e["event"] for e in events]
    for event, state in zip(events[:7], states, strict=True):
        assert event["payload"]["state"] == state  # the broadcast carries what the call returned
    assert events[7]["payload"]["state"] == final
    plan = result["plan"]
    assert plan["status"] == "ready", plan
    ready = events[8]["payload"]
    assert ready["learning_plan_id"] == plan["learning_plan_id"]
    assert ready["status"] == "ready" and ready["failure_code"] is None and ready["generated_at"], ready
    job = events[9]["payload"]
    assert job["kind"] == "learning_plans__generate" and job["status"] == "done" and job["job_id"], job
    for event in events:
        assert event["payload"]["id"], event  # realtime.send adds the message id to every payload

    assert result["refreshed_token_differs"] is True
    after = result["after_refresh"]
    assert after["version"] > final["version"] and after["status"] == "completed"
    assert events[10]["payload"]["state"] == after
    assert after["communication_partners"][0]["situations"] == AFTER_REFRESH[1]["situations"]
