"""The sidecar's in-memory semantic index of the job-role catalogue, kept current by PostgreSQL's word.

It holds the vector of every title of every published role and of every custom role pending review,
the latter seen by its author alone (core.search.semantic.TitleIndex). Vectors live in PostgreSQL,
one per title text and encoder version (private.job_role_title_vectors). A build reads them all,
encodes only the titles that have none yet (new alternate titles, approved custom roles, or every
title after a model change), stores those, prunes the vectors no title needs any more, and swaps the
new index in whole: searches never see a half-built one. Until the first build ends, `index` is None
and search answers lexically.

When to build: whenever the LISTEN session goes live (notifications may have been missed) and after
each notification on job_role_catalogue, which a statement trigger sends when searchable titles or
role statuses change. Notifications arriving during a build mark the index stale again, so the next
build follows; a burst of them (a bulk reindex) is taken as one after a short debounce.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncpg
import numpy as np

from core.search.encoder import EncoderUnavailable, TitleEncoder
from core.search.semantic import TitleIndex
from core.search.settings import SemanticSearchSettings
from sidecar.listening import ChannelListener

log = logging.getLogger("sidecar.search.semantic_index")

TITLES_SQL = "select job_role_id::text, title, embedding, author::text from private.semantic_job_role_titles($1)"
STORE_SQL = "select private.store_job_role_title_vectors($1, $2, $3, $4)"
PRUNE_SQL = "select private.prune_job_role_title_vectors($1)"
READ_BATCH = 2000  # rows per fetch while reading the stored vectors
STORE_CHUNK = 500  # titles encoded and stored per round trip: a crash loses at most this much work
HEADER_BYTES = 20  # array_send of a 1-D real[]: ndim, has-nulls flag, element type, length, lower bound


async def start_semantic_index(settings: SemanticSearchSettings, dsn: str) -> SemanticIndex | None:
    """Load the encoder and start keeping its index; None when it is off or cannot be loaded (logged)."""
    if settings.encoder is None:
        return None
    try:
        encoder = await asyncio.to_thread(TitleEncoder.load, settings.encoder)
    except EncoderUnavailable as exc:
        log.error("job-title encoder unavailable: job-role search is lexical only", extra={"error": str(exc)})
        return None
    index = SemanticIndex(encoder, dsn)
    index.start()
    return index


class SemanticIndex(ChannelListener):
    channel = "job_role_catalogue"
    application_name = "fluentpro-sidecar-semantic-index"

    def __init__(
        self,
        encoder: TitleEncoder,
        dsn: str,
        *,
        debounce_seconds: float = 0.2,
        retry_seconds: float = 5.0,
        probe_interval: float = 5.0,
    ) -> None:
        super().__init__(dsn, probe_interval=probe_interval)
        self.encoder = encoder
        self.debounce_seconds = debounce_seconds
        self.retry_seconds = retry_seconds
        self.index: TitleIndex | None = None
        self.builds = 0  # completed builds (tests wait on it)
        self.last_encoded = 0  # titles the last build had to encode (0 once all are stored)
        self._stale = asyncio.Event()
        self._builder: asyncio.Task[None] | None = None

    async def went_live(self) -> None:
        self._stale.set()

    def notified(self, payload: str) -> None:
        self._stale.set()

    # went_dark: the last index keeps serving. It can only be behind, and every hit is re-read
    # through RLS, so a role hidden since is still never shown; a new title waits for the next build.

    def start(self) -> None:
        super().start()
        self._builder = asyncio.create_task(self._build_when_stale(), name="semantic-index-builder")

    async def stop(self) -> None:
        if self._builder is not None:
            self._builder.cancel()
            await asyncio.gather(self._builder, return_exceptions=True)
        await super().stop()

    async def _build_when_stale(self) -> None:
        while True:
            await self._stale.wait()
            await asyncio.sleep(self.debounce_seconds)
            self._stale.clear()
            try:
                self.index = await self.build()
                self.builds += 1
            except Exception as exc:  # any failure keeps the last index; the next try comes anyway
                log.warning("semantic index build failed, keeping the last one", extra={"error": repr(exc)})
                await asyncio.sleep(self.retry_seconds)
                self._stale.set()

    async def build(self) -> TitleIndex:
        """Read every searchable title's vector, encode and store the missing ones, and index them."""
        conn = await asyncpg.connect(
            self.dsn, server_settings={"role": "service_role", "application_name": self.application_name}
        )
        try:
            titles = await self._read(conn)
            # A title shared by several roles is encoded once; each of its rows takes the vector.
            missing = sorted({titles.titles[row] for row in titles.missing_rows})
            encoded = dict(zip(missing, await self._encode_and_store(conn, missing), strict=True))
            pruned = await conn.fetchval(PRUNE_SQL, self.encoder.version)
        finally:
            await conn.close()
        if missing:
            titles.vectors[titles.missing_rows] = np.stack([encoded[titles.titles[row]] for row in titles.missing_rows])
        index = await asyncio.to_thread(TitleIndex, titles.keys, titles.titles, titles.vectors, titles.authors)
        self.last_encoded = len(missing)
        log.info("semantic index built", extra={"titles": len(index), "encoded": len(missing), "pruned": pruned})
        return index

    async def _read(self, conn: asyncpg.Connection) -> _StoredTitles:
        """Every searchable title, READ_BATCH rows at a time: 40 000 vectors' bytes as Python objects at
        once would be a hundred MB that the allocator keeps long after the build."""
        read = _StoredTitles(self.encoder.dimensions)
        async with conn.transaction(readonly=True):
            cursor = await conn.cursor(TITLES_SQL, self.encoder.version)
            while batch := await cursor.fetch(READ_BATCH):
                read.add(batch)
        read.vectors = np.concatenate(read.chunks) if read.chunks else np.zeros((0, read.dimensions), np.float32)
        read.chunks.clear()
        return read

    async def _encode_and_store(self, conn: asyncpg.Connection, titles: Sequence[str]) -> np.ndarray:
        """Vectors of `titles` (one row each), stored chunk by chunk as they are made."""
        chunks = []
        for start in range(0, len(titles), STORE_CHUNK):
            chunk = list(titles[start : start + STORE_CHUNK])
            vectors = await asyncio.to_thread(self.encoder.encode, chunk)
            await conn.fetchval(STORE_SQL, self.encoder.version, chunk, vectors.ravel().tolist(), vectors.shape[1])
            chunks.append(vectors)
        return np.concatenate(chunks) if chunks else self._no_vectors()

    def _no_vectors(self) -> np.ndarray:
        return np.zeros((0, self.encoder.dimensions), dtype=np.float32)


class _StoredTitles:
    """Rows of private.semantic_job_role_titles as read so far: their vectors (zeros where missing)."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.keys: list[str] = []
        self.titles: list[str] = []
        self.authors: list[str | None] = []
        self.chunks: list[np.ndarray] = []
        self.missing_rows: list[int] = []
        self.vectors = np.zeros((0, dimensions), dtype=np.float32)

    def add(self, batch: Sequence[asyncpg.Record]) -> None:
        chunk = np.zeros((len(batch), self.dimensions), dtype=np.float32)
        present = [i for i, row in enumerate(batch) if row["embedding"] is not None]
        chunk[present] = decode_vectors([batch[i]["embedding"] for i in present], self.dimensions)
        offset = len(self.keys)
        self.missing_rows.extend(offset + i for i, row in enumerate(batch) if row["embedding"] is None)
        self.keys.extend(row["job_role_id"] for row in batch)
        self.titles.extend(row["title"] for row in batch)
        self.authors.extend(row["author"] for row in batch)
        self.chunks.append(chunk)


def decode_vectors(sent: Sequence[bytes], dimensions: int) -> np.ndarray:
    """Rows of float32 from array_send images of 1-D real[] of `dimensions` elements, none null.

    array_send, not asyncpg's decoding to Python floats: 40 000 titles x 384 floats as Python objects
    would take seconds and hundreds of MB; this is one copy through numpy.
    """
    element = np.dtype([("length", ">i4"), ("value", ">f4")])
    image = np.dtype([("header", f"V{HEADER_BYTES}"), ("elements", element, (dimensions,))])
    if not sent:
        return np.zeros((0, dimensions), dtype=np.float32)
    if any(len(one) != image.itemsize for one in sent):
        raise ValueError(f"stored title vectors are not all {dimensions} reals")
    decoded = np.frombuffer(b"".join(sent), dtype=image)
    if not np.all(decoded["elements"]["length"] == 4):  # a null element's length is -1
        raise ValueError("a stored title vector holds a null")
    return decoded["elements"]["value"].astype(np.float32)
