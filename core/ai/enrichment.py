"""The custom-role enrichment the model proposes: its shape, the schema sent (the nearest occupation is
an enum of the candidates we found, so the model cannot invent one), and validation of the reply."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec

from core.ai.client import OutputRejected
from core.ai.plan import strict_schema

NO_MATCH = "none"
Keyword = Annotated[str, msgspec.Meta(min_length=2, max_length=60)]
# First-person words that a third-person rewrite must not contain.
_FIRST_PERSON = re.compile(r"\b(I|I'm|I've|my|me|mine|myself)\b")


class Enrichment(msgspec.Struct, forbid_unknown_fields=True):
    description_third_person: Annotated[str, msgspec.Meta(min_length=10, max_length=4000)]
    keywords: Annotated[list[Keyword], msgspec.Meta(min_length=5, max_length=8)]
    nearest_onet_code: str
    seniority: Literal["associate", "supervisor", "manager", "director", "executive"]


def enrichment_schema(candidate_codes: list[str]) -> dict[str, Any]:
    schema = strict_schema(Enrichment)
    schema["properties"]["nearest_onet_code"] = {"type": "string", "enum": [*candidate_codes, NO_MATCH]}
    return schema


def validate_enrichment(raw: Any, candidate_codes: list[str]) -> Enrichment:
    try:
        result = msgspec.convert(raw, Enrichment, strict=True)
    except msgspec.ValidationError as exc:
        raise OutputRejected(f"schema: {exc}") from exc
    if result.nearest_onet_code not in (*candidate_codes, NO_MATCH):
        raise OutputRejected(f"nearest_onet_code {result.nearest_onet_code!r} is not one of the candidates")
    if _FIRST_PERSON.search(result.description_third_person):
        raise OutputRejected("the description is still in the first person")
    if len({k.casefold() for k in result.keywords}) != len(result.keywords):
        raise OutputRejected("duplicate keywords")
    return result
