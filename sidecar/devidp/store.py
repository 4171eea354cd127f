"""The development identity provider's state in PostgreSQL, so users, keys and sessions survive a restart.

Why PostgreSQL rather than a file: the IdP's users must live and die with the profiles made from them
(one database, one `DATABASE_URL`, per-test clones in the tests), every process of the stack already
reaches it, and a unique index settles a taken email atomically. Why its own schema, created here at
start-up and never by the migrations: a production database must never hold it. The dev IdP only
exists in development (create_app refuses it elsewhere), so neither does this schema.

What is kept: users with a PBKDF2 hash and salt (never a password), the RSA signing keys (so a
restart keeps the JWKS, and tokens issued before it stay valid), and refresh tokens as SHA-256
digests. Every table has row-level security on and no policy, and nothing is granted: only the role
of DATABASE_URL, which creates it, reads it; the Data API's roles cannot even see the schema. (That
role rather than fluentpro_owner: a database cloned from a template, as each test's is, does not
inherit the owner's CREATE right on it.)
`fluentpro db reset` leaves it alone, as resetting an app's database leaves its Auth0 tenant alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sidecar.devidp.changes import Change, RefreshIssued, RefreshRevoked, UserSaved
from sidecar.devidp.core import IdpUser, SigningKey

# Serializes the DDL of two processes starting at once (`create ... if not exists` alone can race).
DDL = """
select pg_advisory_xact_lock(private.lock_space('dev_idp_ddl'), 0);
create schema if not exists dev_idp;
revoke all on schema dev_idp from public;
create table if not exists dev_idp.signing_keys (
    kid text primary key,
    private_key_pem text not null,
    seq bigint generated always as identity
);
create table if not exists dev_idp.users (
    subject text primary key,
    email text not null,
    name text not null,
    password_hash bytea not null,
    salt bytea not null,
    email_verified boolean not null default false,
    created_at timestamptz not null default now()
);
create unique index if not exists users_email_key on dev_idp.users (lower(email));
create table if not exists dev_idp.refresh_tokens (
    token_digest text primary key,
    subject text not null references dev_idp.users (subject) on delete cascade,
    issued_at timestamptz not null default now()
);
alter table dev_idp.signing_keys enable row level security;
alter table dev_idp.users enable row level security;
alter table dev_idp.refresh_tokens enable row level security;
"""
SAVE_USER = """
insert into dev_idp.users (subject, email, name, password_hash, salt, email_verified)
values ($1, $2, $3, $4, $5, $6)
on conflict (subject) do update set
    email = excluded.email, name = excluded.name, password_hash = excluded.password_hash,
    salt = excluded.salt, email_verified = excluded.email_verified
"""


@dataclass(frozen=True, slots=True)
class Snapshot:
    keys: list[SigningKey]  # newest first
    users: dict[str, IdpUser]  # by lower-cased email
    refresh_tokens: dict[str, str]  # digest -> lower-cased email


class PgIdpStore:
    """Loads the whole state once (a development tenant is small) and writes each call's changes in
    one transaction. Its own small pool, opening connections only when asked: a database that is
    down at start only makes the IdP answer 503 until it is back."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.pool: asyncpg.Pool | None = None

    async def connections(self) -> asyncpg.Pool:
        if self.pool is None:
            self.pool = await asyncpg.create_pool(self.database_url, min_size=0, max_size=2)
        assert self.pool is not None
        return self.pool

    async def load(self, default_key: SigningKey) -> Snapshot:
        """Create the schema if needed, keep `default_key` when no key is stored yet, read everything."""
        pool = await self.connections()
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(DDL)
            await conn.execute(
                "insert into dev_idp.signing_keys (kid, private_key_pem) select $1, $2 "
                "where not exists (select from dev_idp.signing_keys)",
                default_key.kid,
                _pem(default_key.private),
            )
            key_rows = await conn.fetch("select kid, private_key_pem from dev_idp.signing_keys order by seq desc")
            user_rows = await conn.fetch("select * from dev_idp.users")
            token_rows = await conn.fetch(
                "select t.token_digest, lower(u.email) as email from dev_idp.refresh_tokens as t "
                "join dev_idp.users as u using (subject)"
            )
        keys = [SigningKey(kid=row["kid"], private=_private_key(row["private_key_pem"])) for row in key_rows]
        users = {
            row["email"].lower(): IdpUser(
                subject=row["subject"],
                email=row["email"],
                name=row["name"],
                password_hash=bytes(row["password_hash"]),
                salt=bytes(row["salt"]),
                email_verified=row["email_verified"],
            )
            for row in user_rows
        }
        return Snapshot(keys, users, {row["token_digest"]: row["email"] for row in token_rows})

    async def apply(self, changes: list[Change]) -> None:
        pool = await self.connections()
        async with pool.acquire() as conn, conn.transaction():
            for change in changes:
                await _apply(conn, change)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None


async def _apply(conn: asyncpg.Connection, change: Change) -> None:
    if isinstance(change, UserSaved):
        u = change.user
        await conn.execute(SAVE_USER, u.subject, u.email, u.name, u.password_hash, u.salt, u.email_verified)
    elif isinstance(change, RefreshIssued):
        await conn.execute(
            "insert into dev_idp.refresh_tokens (token_digest, subject) values ($1, $2)",
            change.digest,
            change.subject,
        )
    elif isinstance(change, RefreshRevoked):
        await conn.execute("delete from dev_idp.refresh_tokens where token_digest = $1", change.digest)
    else:
        kids = [key.kid for key in change.keys]
        await conn.execute("delete from dev_idp.signing_keys where kid <> all($1::text[])", kids)
        for key in reversed(change.keys):  # oldest first, so the newest gets the highest seq
            await conn.execute(
                "insert into dev_idp.signing_keys (kid, private_key_pem) values ($1, $2) on conflict do nothing",
                key.kid,
                _pem(key.private),
            )


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("a dev IdP signing key is not an RSA key")
    return key
