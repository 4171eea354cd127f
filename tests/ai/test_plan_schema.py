"""The learning-plan schema sent to the model, and validation of what comes back."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.ai.client import OutputRejected
from core.ai.plan import PLAN_SCHEMA, Pair, PlanContext, validate_plan
from tests.ai.plans import module

CONTEXT = PlanContext(
    native_language="Traditional Chinese",
    industry="Banking & Finance",
    job_role_title="Financial Analyst",
    job_role_description="Analyses numbers.",
    pairs=(
        Pair("senior_management", "Senior Management", "meetings", "Meetings"),
        Pair("senior_management", "Senior Management", "briefings", "Briefings"),
        Pair("clients", "Clients", "negotiations", "Negotiations"),
    ),
    catalogue_partners=("clients", "senior_management"),
    catalogue_situations=("meetings", "briefings", "negotiations"),
)


def good_plan() -> dict[str, Any]:
    modules = [module(p.partner, p.situation) for p in CONTEXT.pairs]
    return {"title": "English for analysts", "summary": "Three modules for your work.", "modules": modules}


def walk(schema: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            found.append(schema)
        for value in schema.values():
            found += walk(value)
    elif isinstance(schema, list):
        for value in schema:
            found += walk(value)
    return found


def test_schema_is_strict_structured_output() -> None:
    assert PLAN_SCHEMA["type"] == "object"  # an object at the root, not a $ref
    objects = walk(PLAN_SCHEMA)
    assert len(objects) == 3  # plan, module, scenario
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])


def test_a_plan_that_fits_schema_and_choices_is_accepted() -> None:
    plan = validate_plan(good_plan(), CONTEXT)
    assert [(m.partner, m.situation) for m in plan.modules] == [(p.partner, p.situation) for p in CONTEXT.pairs]


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        (lambda p: p.pop("summary"), "schema"),
        (lambda p: p.update(extra=1), "schema"),
        (lambda p: p["modules"][0].update(goals=["only one"]), "schema"),
        (lambda p: p["modules"][0]["scenarios"][0].update(difficulty="expert"), "schema"),
        (lambda p: p["modules"][0].update(partner="Senior Management"), "schema"),
        (lambda p: p["modules"].reverse(), "priority order"),
        (lambda p: p["modules"].pop(), "priority order"),
        (lambda p: p["modules"][2].update(partner="suppliers"), "did not choose"),
        (lambda p: p["modules"].append(copy.deepcopy(p["modules"][0])), "twice"),
    ],
)
def test_output_that_breaks_schema_or_choices_is_rejected(breakage: Any, reason: str) -> None:
    plan = good_plan()
    breakage(plan)
    with pytest.raises(OutputRejected, match=reason):
        validate_plan(plan, CONTEXT)


def test_without_chosen_pairs_modules_must_use_catalogue_slugs() -> None:
    context = PlanContext("English", "Retail", "Clerk", "Sells.", (), ("clients",), ("meetings",))
    plan = {"title": "Plan", "summary": "A general plan.", "modules": [module("clients", "meetings")]}
    assert validate_plan(plan, context).modules[0].partner == "clients"
    plan["modules"] = [module("aliens", "meetings")]
    with pytest.raises(OutputRejected, match="unknown partners"):
        validate_plan(plan, context)
