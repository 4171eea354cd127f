"""What a well-behaved model would answer to our learning-plan prompt: a valid plan, one module per
pair in the order given (or two catalogue pairs when the learner chose none). The fake server calls it."""

from __future__ import annotations

import json
from typing import Any

from core.ai.prompts import input_of


def module(partner: str, situation: str) -> dict[str, Any]:
    return {
        "title": f"{situation.replace('_', ' ').title()} with {partner.replace('_', ' ')}",
        "partner": partner,
        "situation": situation,
        "goals": ["Open the conversation politely", "State your point clearly"],
        "key_phrases": ["Could we go over", "From my side", "Let me summarise"],
        "scenarios": [
            {
                "title": "Quarterly review",
                "setting": "A short meeting at the end of the quarter.",
                "learner_role": "You present your results.",
                "partner_role": "They ask probing questions.",
                "difficulty": "intermediate",
            }
        ],
    }


def plan_for(body: dict[str, Any]) -> dict[str, Any]:
    data = input_of(body["messages"])
    pairs = [(p["partner"], p["situation"]) for p in data["pairs_in_priority_order"]]
    if not pairs:
        pairs = [
            (data["catalogue_partners"][0], data["catalogue_situations"][0]),
            (data["catalogue_partners"][1], data["catalogue_situations"][1]),
        ]
    return {
        "title": f"English for {data['job_role']['title']}",
        "summary": f"A plan for a {data['job_role']['title']} in {data['industry']}.",
        "modules": [module(a, b) for a, b in pairs[:12]],
    }


def plan_responder(body: dict[str, Any]) -> str:
    return json.dumps(plan_for(body))
