"""The compat layer behaves like Supabase's own objects."""

from __future__ import annotations

import uuid

from tests.support.database import TestDatabase


async def test_auth_uid_reads_the_claims_of_the_request(db: TestDatabase) -> None:
    user_id = uuid.uuid4()
    async with db.owner() as conn, conn.transaction():
        await conn.execute(
            "select set_config('request.jwt.claims', $1, true)", f'{{"sub": "{user_id}", "role": "authenticated"}}'
        )
        assert await conn.fetchval("select auth.uid()") == user_id
        assert await conn.fetchval("select auth.role()") == "authenticated"
        assert await conn.fetchval("select auth.jwt() ->> 'sub'") == str(user_id)


async def test_after_the_transaction_the_empty_setting_yields_null_not_an_error(db: TestDatabase) -> None:
    async with db.owner() as conn:
        async with conn.transaction():
            await conn.execute("select set_config('request.jwt.claims', '{\"sub\": \"x\"}', true)")
        # The setting now reads '' (not NULL): the nullif in auth.* is what keeps this from failing.
        assert await conn.fetchval("select current_setting('request.jwt.claims', true)") == ""
        assert await conn.fetchval("select auth.uid()") is None
        assert await conn.fetchval("select auth.jwt()") is None
        assert await conn.fetchval("select auth.email()") is None


async def test_per_claim_settings_win_as_realtime_sets_them(db: TestDatabase) -> None:
    user_id = uuid.uuid4()
    async with db.owner() as conn, conn.transaction():
        await conn.execute("select set_config('request.jwt.claim.sub', $1, true)", str(user_id))
        assert await conn.fetchval("select auth.uid()") == user_id


async def test_api_roles_have_supabase_attributes_and_timeouts(db: TestDatabase) -> None:
    async with db.owner() as conn:
        roles = {
            r["rolname"]: r
            for r in await conn.fetch(
                "select rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper, rolconfig from pg_roles "
                "where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'fluentpro_owner')"
            )
        }
    assert set(roles) == {"anon", "authenticated", "service_role", "authenticator", "fluentpro_owner"}
    assert not roles["anon"]["rolcanlogin"] and roles["anon"]["rolinherit"]
    assert "statement_timeout=3s" in roles["anon"]["rolconfig"]
    assert "statement_timeout=8s" in roles["authenticated"]["rolconfig"]
    assert roles["service_role"]["rolbypassrls"] and not roles["service_role"]["rolsuper"]
    assert roles["authenticator"]["rolcanlogin"] and not roles["authenticator"]["rolinherit"]
    assert "lock_timeout=8s" in roles["authenticator"]["rolconfig"]
    owner = roles["fluentpro_owner"]
    assert owner["rolbypassrls"] and not owner["rolsuper"]


async def test_migrations_run_as_the_non_superuser_owner(db: TestDatabase) -> None:
    async with db.owner() as conn:
        owners = await conn.fetch(
            "select nspname, pg_get_userbyid(nspowner) as owner from pg_namespace "
            "where nspname in ('api', 'app', 'private')"
        )
        assert {r["owner"] for r in owners} == {"fluentpro_owner"}
        # Like the locked platform schemas on a hosted project, auth is not ours to change.
        refused = await conn.fetchval("select not has_schema_privilege('fluentpro_owner', 'auth', 'create')")
        assert refused


async def test_realtime_send_writes_a_private_broadcast_and_swallows_errors(db: TestDatabase) -> None:
    async with db.owner() as conn:
        await conn.execute("select realtime.send('{\"a\": 1}'::jsonb, 'evt', 'user:x')")
        row = await conn.fetchrow("select topic, event, private, extension, payload from realtime.messages")
        assert (row["topic"], row["event"], row["private"], row["extension"]) == ("user:x", "evt", True, "broadcast")
        assert '"id"' in row["payload"]
        # anon has no insert policy: upstream swallows the failure as a warning, and so do we.
        async with conn.transaction():
            await conn.execute("set local role anon")
            await conn.execute("select realtime.send('{}'::jsonb, 'evt', 'user:y')")
        assert await conn.fetchval("select count(*) from realtime.messages") == 1


async def test_publication_and_extensions_exist(db: TestDatabase) -> None:
    async with db.owner() as conn:
        assert await conn.fetchval("select exists (select from pg_publication where pubname = 'supabase_realtime')")
        extensions = {
            r["extname"]: r["nspname"]
            for r in await conn.fetch(
                "select e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace"
            )
        }
    for name in ("pgcrypto", "pg_trgm", "citext", "unaccent"):
        assert extensions[name] == "extensions"
