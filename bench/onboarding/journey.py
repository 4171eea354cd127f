"""One learner's whole onboarding, run two ways: through the emulated PostgREST request path (role
switch, claims, json_to_record, RLS) and as the owner with the same api calls and no role switch."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import asyncpg

from localapi.rest.emulator import PostgrestEmulator


def journey(role_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("set_native_language", {"native_language": "english"}),
        ("set_industry", {"industry": "banking_finance"}),
        ("select_job_role", {"job_role_id": str(role_id)}),
        ("set_communication_partners", {"partners": ["clients", "colleagues"]}),
        ("set_partner_situations", {"partner": "clients", "situations": ["meetings", "phone_calls"]}),
        ("set_partner_situations", {"partner": "colleagues", "situations": ["informal_chats"]}),
        ("onboarding_summary", {}),
        ("complete_onboarding", {}),
    ]


async def through_postgrest(api: PostgrestEmulator, users: list[uuid.UUID], role_id: uuid.UUID) -> float:
    """Seconds to walk every user's journey, one request (transaction) per step."""
    started = time.perf_counter()
    for user in users:
        client = api.as_user(user)
        for name, args in journey(role_id):
            response = await client.rpc(name, args)
            if not response.ok:
                raise RuntimeError(f"{name} failed: {response.body}")
    return time.perf_counter() - started


def _owner_statement(name: str, args: dict[str, Any]) -> tuple[str, list[Any]]:
    casts = {"job_role_id": "uuid", "partners": "text[]", "situations": "text[]"}
    placeholders = ", ".join(f"{key} => ${i}::{casts.get(key, 'text')}" for i, key in enumerate(args, start=1))
    values = [uuid.UUID(v) if key == "job_role_id" else v for key, v in args.items()]
    return f"select api.{name}({placeholders})", values


async def as_owner(conn: asyncpg.Connection, users: list[uuid.UUID], role_id: uuid.UUID) -> float:
    """The same calls, one transaction each, as the owner: only the claims auth.uid() reads are set."""
    statements = [_owner_statement(name, args) for name, args in journey(role_id)]
    started = time.perf_counter()
    for user in users:
        claims = json.dumps({"sub": str(user), "role": "authenticated"})
        for sql, params in statements:
            async with conn.transaction():
                await conn.execute("select set_config('request.jwt.claims', $1, true)", claims)
                await conn.fetchval(sql, *params)
    return time.perf_counter() - started
