"""The learning plan: its shape (msgspec structs, from which the JSON schema sent to the model is
derived), and its validation against the schema AND the learner's own choices before anything is stored.

A plan is a list of modules, one per (partner, situation) pair the learner chose, in their priority
order; each module has goals, key phrases and role-play scenarios. Without chosen pairs (they are
optional), the model picks pairs from the catalogue that fit the job role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from core.ai.client import OutputRejected

SCHEMA_VERSION = 1
MAX_MODULES = 12
Text = Annotated[str, msgspec.Meta(min_length=2, max_length=600)]
Title = Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
Slug = Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{1,62}$")]


class Scenario(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    setting: Text  # where and why the conversation happens
    learner_role: Text
    partner_role: Text
    difficulty: Literal["beginner", "intermediate", "advanced"]


class Module(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    partner: Slug
    situation: Slug
    goals: Annotated[list[Text], msgspec.Meta(min_length=2, max_length=5)]
    key_phrases: Annotated[list[Title], msgspec.Meta(min_length=3, max_length=10)]
    scenarios: Annotated[list[Scenario], msgspec.Meta(min_length=1, max_length=3)]


class LearningPlan(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    summary: Annotated[str, msgspec.Meta(min_length=10, max_length=1500)]
    modules: Annotated[list[Module], msgspec.Meta(min_length=1, max_length=MAX_MODULES)]


def strict_schema(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """msgspec's JSON schema, with the root inlined (structured output wants an object at the root)."""
    raw = msgspec.json.schema(struct)
    defs: dict[str, Any] = raw["$defs"]
    root_name = raw["$ref"].rsplit("/", 1)[-1]
    root = dict(defs[root_name])
    others = {name: value for name, value in defs.items() if name != root_name}
    if others:
        root["$defs"] = others
    return root


PLAN_SCHEMA = strict_schema(LearningPlan)


@dataclass(frozen=True, slots=True)
class Pair:
    partner: str  # slug
    partner_name: str
    situation: str  # slug
    situation_name: str


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the plan is fitted to: the learner's onboarding choices, pairs in priority order."""

    native_language: str
    industry: str
    job_role_title: str
    job_role_description: str
    pairs: tuple[Pair, ...]
    catalogue_partners: tuple[str, ...] = field(default=())
    catalogue_situations: tuple[str, ...] = field(default=())

    def as_prompt_json(self) -> dict[str, Any]:
        return {
            "native_language": self.native_language,
            "industry": self.industry,
            "job_role": {"title": self.job_role_title, "description": self.job_role_description},
            "pairs_in_priority_order": [
                {
                    "partner": p.partner,
                    "partner_name": p.partner_name,
                    "situation": p.situation,
                    "situation_name": p.situation_name,
                }
                for p in self.pairs
            ],
            "catalogue_partners": list(self.catalogue_partners),
            "catalogue_situations": list(self.catalogue_situations),
        }


def validate_plan(raw: Any, context: PlanContext) -> LearningPlan:
    """The plan if it fits the schema and the learner's choices; else `OutputRejected` saying why."""
    try:
        plan = msgspec.convert(raw, LearningPlan, strict=True)
    except msgspec.ValidationError as exc:
        raise OutputRejected(f"schema: {exc}") from exc
    pairs = [(m.partner, m.situation) for m in plan.modules]
    if len(set(pairs)) != len(pairs):
        raise OutputRejected("a (partner, situation) pair appears twice")
    if context.pairs:
        rank = {(p.partner, p.situation): i for i, p in enumerate(context.pairs)}
        unknown = [f"{a}/{b}" for a, b in pairs if (a, b) not in rank]
        if unknown:
            raise OutputRejected(f"modules for pairs the learner did not choose: {', '.join(unknown)}")
        wanted = [(p.partner, p.situation) for p in context.pairs[:MAX_MODULES]]
        if pairs != wanted:
            raise OutputRejected("modules must cover the learner's pairs, once each, in priority order")
    else:
        bad = [
            f"{a}/{b}" for a, b in pairs if a not in context.catalogue_partners or b not in context.catalogue_situations
        ]
        if bad:
            raise OutputRejected(f"modules for unknown partners or situations: {', '.join(bad)}")
    return plan


def plan_to_json(plan: LearningPlan) -> str:
    return msgspec.json.encode(plan).decode()
