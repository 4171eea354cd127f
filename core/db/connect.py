"""Connections: reachability errors that say what to do, the database's creation, the owner role.

On a plain PostgreSQL the compat layer creates `fluentpro_owner`, our stand-in for Supabase's
non-superuser `postgres` role. Privileged work (migrations, the relay, the worker) runs as that role
so that a privilege mistake fails locally exactly as it would on a hosted project.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg

OWNER_ROLE = "fluentpro_owner"


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL cannot be reached; the message says where and how to point elsewhere."""


def redact(url: str) -> str:
    """The URL without its password, fit for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def unreachable(url: str, exc: BaseException) -> DatabaseUnavailable:
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    return DatabaseUnavailable(
        f"PostgreSQL is not reachable at {where} ({exc.__class__.__name__}). Start it, or set DATABASE_URL to "
        "another server, e.g. DATABASE_URL=postgresql://user@host:5432/fluentpro"
    )


async def connect(url: str, **kwargs: object) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(url, **kwargs)
    except (TimeoutError, OSError) as exc:
        raise unreachable(url, exc) from exc
    except asyncpg.InvalidCatalogNameError as exc:
        raise DatabaseUnavailable(
            f"database {database_name(url)!r} does not exist at {redact(url)}: `fluentpro db migrate` creates it"
        ) from exc


async def is_supabase(conn: asyncpg.Connection) -> bool:
    """A hosted (or CLI-started) Supabase database has the platform's own admin role."""
    return bool(await conn.fetchval("select exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin')"))


async def assume_owner(conn: asyncpg.Connection) -> None:
    """Act as the non-superuser owner when the compat layer provides one and we may become it."""
    can_become = await conn.fetchval(
        "select exists (select from pg_catalog.pg_roles where rolname = $1) and pg_has_role($1, 'member')",
        OWNER_ROLE,
    )
    if can_become:
        await conn.execute(f"set role {OWNER_ROLE}")


async def connect_as_owner(url: str) -> asyncpg.Connection:
    conn = await connect(url)
    await assume_owner(conn)
    return conn


async def create_owner_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool for privileged work; each connection becomes the owner role once, at creation."""
    try:
        pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, init=assume_owner)
    except (TimeoutError, OSError) as exc:
        raise unreachable(url, exc) from exc
    assert pool is not None
    return pool
