"""Prompts, in one place. Learner data goes in as a JSON block after a fixed marker, never spliced
into instructions, so a job title cannot rewrite the instructions around it."""

from __future__ import annotations

import json
from typing import Any

from core.ai.plan import MAX_MODULES, PlanContext

CONTEXT_MARKER = "INPUT (JSON):"


def _input(data: dict[str, Any]) -> str:
    return f"{CONTEXT_MARKER}\n{json.dumps(data, ensure_ascii=False, sort_keys=True)}"


def plan_messages(context: PlanContext) -> list[dict[str, str]]:
    system = (
        "You design English-for-work learning plans for professionals whose native language is not English. "
        "Write in clear, simple English. Follow the JSON schema exactly."
    )
    rules = [
        "One module per (partner, situation) pair in pairs_in_priority_order, in that order, "
        f"at most {MAX_MODULES}; use the slugs given for partner and situation.",
        "If pairs_in_priority_order is empty, choose up to 6 pairs that fit the job role and industry, using "
        "slugs from catalogue_partners and catalogue_situations.",
        "Each module: 2-5 concrete goals, 3-10 key phrases a learner would really say, 1-3 role-play scenarios "
        "set in the learner's industry and job.",
        "Mind typical difficulties of speakers of the learner's native language.",
    ]
    user = "Build the learning plan.\nRules:\n- " + "\n- ".join(rules) + "\n\n" + _input(context.as_prompt_json())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def enrichment_messages(
    title: str, description: str, industry: str | None, candidates: list[dict[str, str]]
) -> list[dict[str, str]]:
    system = (
        "You are an HR job-analysis expert. You tidy up job roles that users describe in their own words. "
        "Follow the JSON schema exactly."
    )
    rules = [
        "description_third_person: the description rewritten in the third person, present tense, plain text "
        "('I manage the team' becomes 'Manages the team'); keep every technical detail; no markdown, labels "
        "or repeated title.",
        "keywords: 5-8 search keywords (tools, technical skills, core competencies, industry knowledge).",
        "nearest_onet_code: the onet_code of the closest occupation among candidates, or 'none' if none fits.",
        "seniority: the level the description implies.",
    ]
    data = {"title": title, "description": description, "industry": industry, "candidates": candidates}
    user = "Enrich this job role.\nRules:\n- " + "\n- ".join(rules) + "\n\n" + _input(data)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def scenario_messages(context: dict[str, Any]) -> list[dict[str, str]]:
    system = (
        "You write short role-play scenarios for practising spoken English at work. Plain text, no markdown. "
        "Start with the setting in two sentences, then the learner's goal, then the partner's opening line."
    )
    user = "Write one practice scenario for this learner.\n\n" + _input(context)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def input_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON block of a prompt built here (the fake server and tests read it back)."""
    content = str(messages[-1]["content"])
    result: dict[str, Any] = json.loads(content.split(CONTEXT_MARKER, 1)[1])
    return result
