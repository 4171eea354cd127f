"""Seed loader for the job-role catalogue: O*NET occupations, their alternate titles, and the curated
relevance of occupations to industries (seeds/occupations/*.csv, see SOURCE.md for the attribution).

Idempotent: occupations are upserted by O*NET code, alternate titles and industry relevance are made
to equal the files, and the search index is rebuilt once at the end. A `keep` predicate leaves
alternate titles out (the benchmark holds some back to measure matching on titles never seen).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

OCCUPATIONS = "seeds/occupations/occupations.csv"
ALTERNATE_TITLES = "seeds/occupations/alternate_titles_public.csv"
INDUSTRY_RELEVANCE = "seeds/occupations/industry_relevance.csv"

KeepTitle = Callable[[str, str], bool]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def load_occupations(conn: asyncpg.Connection, rows: list[dict[str, str]]) -> int:
    await conn.execute("create temp table seed_occupations (code text, title text, description text) on commit drop")
    await conn.copy_records_to_table(
        "seed_occupations", records=[(r["code"], r["title"], r["description"]) for r in rows]
    )
    status = await conn.execute(
        """
        insert into app.job_roles (onet_code, title, description, source, status)
        select code, title, description, 'onet', 'active' from seed_occupations
        on conflict (onet_code) do update
        set title = excluded.title, description = excluded.description
        where (app.job_roles.title, app.job_roles.description) is distinct from (excluded.title, excluded.description)
        """
    )
    return int(status.split()[-1])


async def load_alternate_titles(conn: asyncpg.Connection, rows: list[tuple[str, str]]) -> tuple[int, int]:
    await conn.execute("create temp table seed_alternate_titles (code text, title text) on commit drop")
    await conn.copy_records_to_table("seed_alternate_titles", records=rows)
    unknown = await conn.fetchval(
        "select string_agg(distinct s.code, ', ') from seed_alternate_titles s "
        "where not exists (select from app.job_roles r where r.onet_code = s.code)"
    )
    if unknown:
        raise ValueError(f"{ALTERNATE_TITLES}: codes not in {OCCUPATIONS}: {unknown}")
    deleted = await conn.execute(
        """
        delete from app.job_role_alternate_titles a
        using app.job_roles r
        where r.job_role_id = a.job_role_id and a.source = 'onet'
          and not exists (select from seed_alternate_titles s where s.code = r.onet_code and s.title = a.title)
        """
    )
    inserted = await conn.execute(
        """
        insert into app.job_role_alternate_titles (job_role_id, title, source)
        select r.job_role_id, s.title, 'onet'
        from seed_alternate_titles s join app.job_roles r on r.onet_code = s.code
        on conflict (job_role_id, title) do nothing
        """
    )
    return int(inserted.split()[-1]), int(deleted.split()[-1])


async def load_industry_relevance(
    conn: asyncpg.Connection, rows: list[dict[str, str]], log: Callable[[str], None]
) -> int:
    if not await conn.fetchval("select exists (select from app.industries)"):
        log("  job roles: no industries seeded yet, industry relevance skipped")
        return 0
    await conn.execute(
        "create temp table seed_industry_relevance (slug text, code text, relevance smallint) on commit drop"
    )
    await conn.copy_records_to_table(
        "seed_industry_relevance",
        records=[(r["industry_slug"], r["onet_code"], int(r["relevance"])) for r in rows],
    )
    missing = await conn.fetchval(
        "select string_agg(distinct s.slug || ' ' || s.code, ', ') from seed_industry_relevance s "
        "where not exists (select from app.industries i where i.slug = s.slug) "
        "or not exists (select from app.job_roles r where r.onet_code = s.code)"
    )
    if missing:
        raise ValueError(f"{INDUSTRY_RELEVANCE}: unknown industry slugs or O*NET codes: {missing}")
    await conn.execute(
        """
        delete from app.job_role_industries ji
        using app.job_roles r
        where r.job_role_id = ji.job_role_id and r.source = 'onet'
        """
    )
    status = await conn.execute(
        """
        insert into app.job_role_industries (industry_id, job_role_id, relevance)
        select i.industry_id, r.job_role_id, max(s.relevance)
        from seed_industry_relevance s
        join app.industries i on i.slug = s.slug
        join app.job_roles r on r.onet_code = s.code
        group by i.industry_id, r.job_role_id
        """
    )
    return int(status.split()[-1])


async def load_catalogue(
    conn: asyncpg.Connection, root: Path, log: Callable[[str], None], keep: KeepTitle | None = None
) -> None:
    """Load (or refresh) the whole catalogue; call inside a transaction, as the owner role."""
    # One rebuild of the search index at the end instead of one per alternate title (trigger).
    await conn.execute("select set_config('fluentpro.bulk_seed', 'on', true)")
    occupations = read_csv(root / OCCUPATIONS)
    changed = await load_occupations(conn, occupations)
    log(f"  job roles: {len(occupations)} occupations ({changed} new or changed)")
    titles = [(r["code"], r["alternate_title"]) for r in read_csv(root / ALTERNATE_TITLES)]
    kept = [t for t in titles if keep is None or keep(*t)]
    inserted, deleted = await load_alternate_titles(conn, kept)
    log(f"  job roles: {len(kept)} alternate titles ({inserted} added, {deleted} removed)")
    relevance = await load_industry_relevance(conn, read_csv(root / INDUSTRY_RELEVANCE), log)
    log(f"  job roles: {relevance} industry relevance rows")
    terms = await conn.fetchval("select private.rebuild_job_role_search_index()")
    log(f"  job roles: search index rebuilt ({terms} entries)")


@dataclass
class CatalogueLoader:
    """The `LOADERS` entry (protocol in core/db/seed_loaders.py)."""

    name: str = "job_roles_catalogue"
    inputs: Sequence[str] = field(default_factory=lambda: (OCCUPATIONS, ALTERNATE_TITLES, INDUSTRY_RELEVANCE))

    async def load(self, conn: asyncpg.Connection, root: Path, log: Callable[[str], None]) -> None:
        if not all((root / relative).is_file() for relative in self.inputs):
            log(f"  job roles: {OCCUPATIONS} and its siblings are not in {root}, nothing to load")
            return
        await load_catalogue(conn, root, log)

    def digest(self, root: Path) -> str:
        # As core.db.seed_loaders.digest_files (not imported: that module imports this one).
        sha = hashlib.sha256()
        for relative in self.inputs:
            sha.update(relative.encode())
            path = root / relative
            sha.update(path.read_bytes() if path.is_file() else b"absent")
        return sha.hexdigest()
