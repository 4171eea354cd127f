"""POST /v1/job-roles/search with the job-title encoder on: the fused ranking, the title vectors kept
in PostgreSQL, privacy of custom roles, changes searchable without a restart, and the lexical
fallback when the encoder is missing, unreadable or off."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY

from core.search.settings import SHIPPED_ENCODER, SemanticSearchSettings
from sidecar.search.semantic_index import SemanticIndex
from sidecar.services import services_of
from tests.fakes.auth0 import FakeAuth0Server
from tests.sidecar.conftest import SidecarFactory, sidecar_settings
from tests.sidecar.test_acting_as import our_token
from tests.support.database import TestDatabase
from tests.support.job_roles import submit_custom_role
from tests.support.users import create_user

Client = AsyncTestClient[Any]
# A few occupations (about 500 titles), so each test encodes its catalogue in about a second.
KEPT = ("29-1141.00", "15-1252.00", "23-1011.00", "35-1011.00", "53-3032.00", "13-2011.00", "47-2031.00")
NURSES, DEVELOPERS, CHEFS = "29-1141.00", "15-1252.00", "35-1011.00"
BUILD_TIMEOUT = 120.0  # a guard against a hang, not a speed limit


@pytest.fixture
async def small_catalogue(db: TestDatabase) -> None:
    async with db.owner() as conn, conn.transaction():
        await conn.execute("select pg_catalog.set_config('fluentpro.bulk_seed', 'on', true)")
        await conn.execute("delete from app.job_roles where onet_code <> all($1::text[])", list(KEPT))
        await conn.execute("select private.rebuild_job_role_search_index()")


StartSidecar = Callable[..., Awaitable[Client]]


@pytest.fixture
def semantic_sidecar(
    make_sidecar: SidecarFactory, db: TestDatabase, auth0_server: FakeAuth0Server, small_catalogue: None
) -> StartSidecar:
    async def start(encoder: Path | None = SHIPPED_ENCODER) -> Client:
        settings = sidecar_settings(db.url, auth0_server.url)
        return await make_sidecar(settings=dataclasses.replace(settings, semantic=SemanticSearchSettings(encoder)))

    return start


def semantic_index(sidecar: Client) -> SemanticIndex | None:
    return services_of(sidecar.app.state).job_role_search.semantic


async def built(sidecar: Client, builds: int = 1) -> SemanticIndex:
    """The sidecar's index once it has finished `builds` builds (it runs on the test client's own loop:
    polled, since an asyncio.Event there cannot be awaited here)."""
    index = semantic_index(sidecar)
    assert index is not None
    async with asyncio.timeout(BUILD_TIMEOUT):
        while index.builds < builds:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return index


async def search(sidecar: Client, user: uuid.UUID, title: str, **body: Any) -> Any:
    response = await sidecar.post(
        "/v1/job-roles/search", json={"title": title, **body}, headers={"Authorization": f"Bearer {our_token(user)}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def lexical_codes(db: TestDatabase, user: uuid.UUID, title: str) -> list[str | None]:
    response = await db.as_user(user).rpc("search_job_roles", {"title": title})
    assert response.status == 200, response.body
    return [row["onet_code"] for row in response.body]


async def result_ids(sidecar: Client, user: uuid.UUID, title: str) -> list[str]:
    return [hit["job_role_id"] for hit in (await search(sidecar, user, title))["results"]]


def fallbacks(reason: str) -> float:
    value = REGISTRY.get_sample_value("fluentpro_job_role_search_lexical_fallbacks_total", {"reason": reason})
    return value or 0.0


async def test_the_fused_ranking_finds_a_role_by_meaning(semantic_sidecar: StartSidecar, db: TestDatabase) -> None:
    user = await create_user(db, "ana")
    sidecar = await semantic_sidecar()
    await built(sidecar)
    ready = (await sidecar.get("/health/ready")).json()
    assert ready["checks"]["job_role_search"] == "fused"
    # No title of the nurses' shares a word with it: the lexical ranker alone does not put them first.
    assert (await lexical_codes(db, user, "ward sister"))[:1] != [NURSES]
    body = await search(sidecar, user, "ward sister")
    assert body["engine"] == "fused"
    assert body["results"][0]["onet_code"] == NURSES
    assert all(hit["engine"] == "fused" for hit in body["results"])
    # Words still count: an exact title is first, with itself as the matched title.
    exact = await search(sidecar, user, "Software Developers")
    assert (exact["results"][0]["onet_code"], exact["results"][0]["matched_title"]) == (
        DEVELOPERS,
        "Software Developers",
    )


async def stored_vectors(db: TestDatabase, version: str) -> dict[str, Any]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select title, created_at from private.job_role_title_vectors where model_version = $1", version
        )
    return {row["title"]: row["created_at"] for row in rows}


async def test_each_title_is_encoded_once_per_model_version(semantic_sidecar: StartSidecar, db: TestDatabase) -> None:
    index = await built(await semantic_sidecar())
    vectors = await stored_vectors(db, index.encoder.version)
    async with db.owner() as conn:
        titles = set(await conn.fetchval("select array_agg(distinct title) from private.job_role_search_titles"))
    assert set(vectors) == titles
    assert index.index is not None and len(index.index) >= len(titles)  # a title shared by roles is a row each
    # A restart reads the stored vectors back and encodes nothing.
    restarted = await built(await semantic_sidecar())
    assert restarted.last_encoded == 0
    assert await stored_vectors(db, index.encoder.version) == vectors


async def test_a_pending_custom_role_is_never_reached_by_meaning_and_its_approval_is_searchable_at_once(
    semantic_sidecar: StartSidecar, db: TestDatabase
) -> None:
    author, other = await create_user(db, "alice"), await create_user(db, "bob")
    reviewer = await create_user(db, "rita", roles=["job_role_reviewer"])
    sidecar = await semantic_sidecar()
    index = await built(sidecar)
    role_id = await submit_custom_role(db, author, "Dog Groomer", "Washes, clips and styles dogs.")
    index = await built(sidecar, index.builds + 1)  # the new title was announced and the index rebuilt
    # By meaning, only its author reaches a pending role; by its very name, those the lexical path
    # lets see it (its author and reviewers).
    assert (await result_ids(sidecar, author, "pet stylist"))[:1] == [role_id]
    for user in (other, reviewer):
        assert role_id not in await result_ids(sidecar, user, "pet stylist")
    assert role_id not in await result_ids(sidecar, other, "Dog Groomer")
    assert role_id in await result_ids(sidecar, reviewer, "Dog Groomer")
    assert (await result_ids(sidecar, author, "Dog Groomer"))[:1] == [role_id]
    # Approved, it is everyone's, and found by meaning (no title of it says "pet" or "stylist").
    builds = index.builds
    approval = await db.as_user(reviewer).rpc("approve_custom_job_role", {"job_role_id": role_id})
    assert approval.ok, approval.body
    await built(sidecar, builds + 1)
    found = await search(sidecar, other, "pet stylist")
    assert found["results"][0]["job_role_id"] == role_id
    assert found["results"][0]["matched_title"] == "Dog Groomer"


async def test_a_new_alternate_title_is_searchable_by_meaning_without_a_restart(
    semantic_sidecar: StartSidecar, db: TestDatabase
) -> None:
    user = await create_user(db, "ana")
    sidecar = await semantic_sidecar()
    index = await built(sidecar)
    assert (await search(sidecar, user, "bee farmer"))["results"][0]["onet_code"] != CHEFS
    async with db.owner() as conn:
        await conn.execute(
            "insert into app.job_role_alternate_titles (job_role_id, title) "
            "select job_role_id, 'Beekeeper' from app.job_roles where onet_code = $1",
            CHEFS,
        )
    await built(sidecar, index.builds + 1)
    assert index.last_encoded == 1  # only the new title
    assert (await lexical_codes(db, user, "bee farmer"))[:1] != [CHEFS]  # words alone do not find it
    top = (await search(sidecar, user, "bee farmer"))["results"][0]
    assert (top["onet_code"], top["matched_title"]) == (CHEFS, "Beekeeper")


def broken_copy(tmp_path: Path) -> Path:
    """The shipped model with its encoder cut short, as a failed copy would leave it."""
    folder = tmp_path / "role_encoder"
    shutil.copytree(SHIPPED_ENCODER, folder)
    onnx = folder / "encoder.onnx"
    onnx.write_bytes(onnx.read_bytes()[:1000])
    return folder


@pytest.mark.parametrize("model", ["missing", "corrupt"])
async def test_without_a_readable_model_search_is_lexical_logged_and_counted(
    semantic_sidecar: StartSidecar,
    db: TestDatabase,
    tmp_path: Path,
    model: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = await create_user(db, "ana")
    before = fallbacks("encoder_unavailable")
    sidecar = await semantic_sidecar(tmp_path / "nowhere" if model == "missing" else broken_copy(tmp_path))
    assert semantic_index(sidecar) is None
    assert any("job-title encoder unavailable" in record.getMessage() for record in caplog.records)
    body = await search(sidecar, user, "Software Developers")
    assert (body["engine"], body["results"][0]["onet_code"]) == ("postgres", DEVELOPERS)
    assert fallbacks("encoder_unavailable") == before + 1
    ready = await sidecar.get("/health/ready")  # degraded search, still ready
    assert (ready.status_code, ready.json()["checks"]["job_role_search"]) == (200, "lexical: encoder unavailable")


class FailingEncoder:
    def __init__(self, version: str, dimensions: int) -> None:
        self.version, self.dimensions = version, dimensions

    def encode(self, titles: list[str]) -> Any:
        raise RuntimeError("onnxruntime failed")


async def test_an_encoder_failure_during_a_search_answers_lexically(
    semantic_sidecar: StartSidecar, db: TestDatabase
) -> None:
    user = await create_user(db, "ana")
    sidecar = await semantic_sidecar()
    index = await built(sidecar)
    index.encoder = FailingEncoder(index.encoder.version, index.encoder.dimensions)  # type: ignore[assignment]
    before = fallbacks("semantic_failed")
    body = await search(sidecar, user, "Software Developers")
    assert (body["engine"], body["results"][0]["onet_code"]) == ("postgres", DEVELOPERS)
    assert fallbacks("semantic_failed") == before + 1


async def test_until_its_index_is_built_search_is_lexical_and_counted(
    semantic_sidecar: StartSidecar, db: TestDatabase
) -> None:
    user = await create_user(db, "ana")
    async with db.owner() as conn:  # every build fails, so the index is never built
        await conn.execute("revoke execute on function private.semantic_job_role_titles(text) from service_role")
    before = fallbacks("index_not_built")
    sidecar = await semantic_sidecar()
    body = await search(sidecar, user, "Software Developers")
    assert (body["engine"], body["results"][0]["onet_code"]) == ("postgres", DEVELOPERS)
    assert fallbacks("index_not_built") == before + 1
    index = semantic_index(sidecar)
    assert index is not None and index.index is None
    ready = (await sidecar.get("/health/ready")).json()
    assert ready["checks"]["job_role_search"] == "lexical: semantic index not built yet"


async def test_with_the_encoder_off_search_is_lexical_and_nothing_is_counted(
    semantic_sidecar: StartSidecar, db: TestDatabase
) -> None:
    user = await create_user(db, "ana")
    before = {reason: fallbacks(reason) for reason in ("encoder_unavailable", "index_not_built", "semantic_failed")}
    sidecar = await semantic_sidecar(encoder=None)
    body = await search(sidecar, user, "Software Developers")
    assert (body["engine"], body["results"][0]["onet_code"]) == ("postgres", DEVELOPERS)
    assert {reason: fallbacks(reason) for reason in before} == before
    assert (await sidecar.get("/health/ready")).json()["checks"]["job_role_search"] == "lexical"


async def as_service_role(db: TestDatabase, sql: str, *args: Any) -> Any:
    async with db.owner() as conn, conn.transaction():
        await conn.execute("set local role service_role")
        return await conn.fetchval(sql, *args)


@pytest.mark.parametrize(
    ("titles", "embeddings", "dimensions"),
    [
        (["a", "b"], [0.1, 0.2, 0.3], 2),  # one number short
        (["a"], [0.1, None], 2),  # a hole
        (["a"], [0.1, 0.2], 0),  # no dimensions
    ],
)
async def test_malformed_vectors_are_refused_whole(
    db: TestDatabase, titles: list[str], embeddings: list[float | None], dimensions: int
) -> None:
    with pytest.raises(asyncpg.PostgresError) as refused:  # SQLSTATE PGRST, as raise_error raises
        await as_service_role(
            db, "select private.store_job_role_title_vectors('v', $1, $2, $3)", titles, embeddings, dimensions
        )
    assert json.loads(refused.value.args[0])["code"] == "job_roles.invalid_vectors"
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.job_role_title_vectors") == 0


async def test_vectors_are_kept_per_version_and_never_overwritten(db: TestDatabase) -> None:
    store = "select private.store_job_role_title_vectors($1, $2, $3, 2)"
    assert await as_service_role(db, store, "v1", ["nurse", "coder"], [1.0, 0.0, 0.0, 1.0]) == 2
    assert await as_service_role(db, store, "v1", ["nurse"], [0.0, 1.0]) == 0  # kept as it was
    assert await as_service_role(db, store, "v2", ["nurse"], [0.6, 0.8]) == 1
    async with db.owner() as conn:
        rows = await conn.fetch("select model_version, title, embedding from private.job_role_title_vectors")
    assert {(r["model_version"], r["title"]): list(r["embedding"]) for r in rows} == {
        ("v1", "nurse"): [1.0, 0.0],
        ("v1", "coder"): [0.0, 1.0],
        ("v2", "nurse"): pytest.approx([0.6, 0.8]),
    }


@pytest.mark.parametrize(
    "call",
    [
        "select * from private.semantic_job_role_titles('v')",
        "select private.store_job_role_title_vectors('v', array['a'], array[1.0]::real[], 1)",
        "select * from private.job_role_title_vectors",
    ],
)
async def test_signed_in_users_cannot_read_or_write_the_vectors(db: TestDatabase, call: str) -> None:
    async with db.owner() as conn, conn.transaction():
        await conn.execute("set local role authenticated")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(call)


async def test_vectors_no_title_needs_are_pruned(db: TestDatabase, small_catalogue: None) -> None:
    store = "select private.store_job_role_title_vectors($1, $2, $3, 1)"
    await as_service_role(db, store, "current", ["Registered Nurses", "Gone Title"], [1.0, 1.0])
    await as_service_role(db, store, "old", ["Registered Nurses"], [1.0])
    await as_service_role(db, store, "recent", ["Registered Nurses"], [1.0])
    async with db.owner() as conn:
        await conn.execute(
            "update private.job_role_title_vectors set created_at = now() - interval '8 days' "
            "where model_version = 'old'"
        )
    assert await as_service_role(db, "select private.prune_job_role_title_vectors('current')") == 2
    async with db.owner() as conn:
        kept = await conn.fetch("select model_version, title from private.job_role_title_vectors")
    assert {(r["model_version"], r["title"]) for r in kept} == {
        ("current", "Registered Nurses"),  # still searchable
        ("recent", "Registered Nurses"),  # another model, maybe still serving elsewhere
    }


async def test_a_rejected_role_leaves_the_index_and_its_vector_is_dropped(
    semantic_sidecar: StartSidecar, db: TestDatabase
) -> None:
    author = await create_user(db, "alice")
    reviewer = await create_user(db, "rita", roles=["job_role_reviewer"])
    sidecar = await semantic_sidecar()
    index = await built(sidecar)
    role_id = await submit_custom_role(db, author, "Dog Groomer")
    index = await built(sidecar, index.builds + 1)
    assert "Dog Groomer" in await stored_vectors(db, index.encoder.version)
    builds = index.builds
    rejection = await db.as_user(reviewer).rpc("reject_custom_job_role", {"job_role_id": role_id})
    assert rejection.ok, rejection.body
    await built(sidecar, builds + 1)
    assert "Dog Groomer" not in await stored_vectors(db, index.encoder.version)
    assert index.index is not None and role_id not in set(index.index.keys)


async def test_the_callers_industry_boosts_the_fused_ranking(semantic_sidecar: StartSidecar, db: TestDatabase) -> None:
    plain, nurse = await create_user(db, "alice"), await create_user(db, "bob")
    choice = await db.as_user(nurse).rpc("set_industry", {"industry": "healthcare"})
    assert choice.ok, choice.body
    sidecar = await semantic_sidecar()
    await built(sidecar)
    plain_hits = (await search(sidecar, plain, "hospital lawyer", max_results=7))["results"]
    boosted_hits = (await search(sidecar, nurse, "hospital lawyer", max_results=7))["results"]
    plain_scores = {hit["onet_code"]: hit["score"] for hit in plain_hits}
    boosted_scores = {hit["onet_code"]: hit["score"] for hit in boosted_hits}
    assert set(boosted_scores) == set(plain_scores) == set(KEPT)  # a boost, never a filter
    assert plain_hits[0]["onet_code"] == boosted_hits[0]["onet_code"] == "23-1011.00"
    # Registered nurses are core to healthcare (relevance 3): x 1.3 at least (their lexical share grows too).
    assert boosted_scores[NURSES] >= 1.3 * plain_scores[NURSES] - 1e-6
    assert boosted_hits[1]["onet_code"] == NURSES
