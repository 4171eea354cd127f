"""The registry of job kinds: kind name -> async function, timeout, attempts, backoff.

A feature registers kind `<area>__<task>` in module `jobs/tasks/<area>/<task>.py` (e.g. learning_plans__generate
in `jobs/tasks/learning_plans/generate.py`); the relay and the worker import every such module at start (`load`):

    from jobs.registry import Backoff, JobContext, job_kind

    @job_kind("learning_plans__generate", timeout=120, max_attempts=5, backoff=Backoff(base=10, cap=600))
    async def generate_learning_plan(job: JobContext) -> None:
        plan_id = job.payload["learning_plan_id"]          # ids only; re-read the rows
        plan = await job.ai.chat_json(...)                 # slow upstream calls first, outside any transaction
        async with job.completing() as conn:               # then the writes, with the completion
            await conn.execute("update app.learning_plans ...", plan_id)

and enqueues it from SQL, in the transaction of the change (a definer function or trigger):

    perform private.enqueue_job('learning_plans__generate',
                                jsonb_build_object('learning_plan_id', new.learning_plan_id),
                                profile_id => new.profile_id);

`job.conn` is an owner connection outside any transaction: reads, and nothing held open while the job
waits on OpenAI or Azure. `job.completing()` is the one transaction of the job's writes and the mark
that the attempt is done: they commit together, so a crash or a timeout leaves neither (effects apply
once). A job that writes nothing may skip it; the runner completes the attempt then.
Raise `PermanentJobError` for failures that retrying cannot fix (the row goes dead at once), and
`JobDeferred` when the job must wait for something outside it (the row goes back to pending, later).
Every failure is recorded with a stable code (docs/error_codes.md) beside its text: the exception's
`code` when it has one (AIError, JobDeferred, PermanentJobError), else jobs.timeout or jobs.failed.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from core.ai.client import AIClient
from core.ai.runtime import process_client
from core.ai.settings import OpenAISettings
from core.search.settings import AzureSearchSettings
from jobs import outbox

KIND_PATTERN = r"^[a-z][a-z0-9_]*__[a-z][a-z0-9_]*$"


class PermanentJobError(Exception):
    """A failure that another attempt cannot fix (bad payload, output broken on every try): the job goes
    dead at once, its `code` recorded (jobs.invalid_payload unless the cause has its own)."""

    def __init__(self, message: str, code: str = "jobs.invalid_payload") -> None:
        super().__init__(message)
        self.code = code


class AttemptSuperseded(RuntimeError):
    """The row left `running` under this attempt (its lease ran out and it was retried): roll back."""


class JobDeferred(Exception):
    """The job cannot run yet, for a reason that time or an operator fixes (the AI service not configured
    or down, a quota or the budget spent): its writes are rolled back and the same row waits `retry_in`
    seconds as pending, without spending an attempt, so nothing is copied and nobody hears it ended.
    `code` (docs/error_codes.md) starts the row's last_error, where a feature may read why it waits."""

    def __init__(self, code: str, message: str, retry_in: float) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.retry_in = max(1.0, retry_in)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before attempt n+1: base * 2^(n-1) seconds, capped, with +-10% jitter (spreads retries)."""

    base: float = 5.0
    cap: float = 3600.0

    def delay(self, attempts_done: int) -> float:
        raw = min(self.cap, self.base * 2 ** max(0, attempts_done - 1))
        return float(raw * random.uniform(0.9, 1.1))


@dataclass(frozen=True, slots=True)
class JobServices:
    """What the worker was started with, handed to every job: read once, never from the environment mid-job."""

    openai: OpenAISettings = field(default_factory=OpenAISettings)
    search: AzureSearchSettings = field(default_factory=AzureSearchSettings)


@dataclass(slots=True)
class JobContext:
    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    profile_id: Any
    conn: asyncpg.Connection  # the owner connection, outside any transaction
    services: JobServices
    completed: bool = False

    @property
    def ai(self) -> AIClient:
        """The worker's AI client (its circuit breaker shared by every job of the process)."""
        return process_client(self.services.openai)

    @asynccontextmanager
    async def completing(self) -> AsyncIterator[asyncpg.Connection]:
        """The transaction of the job's writes that also marks this attempt done; at most once per attempt,
        after every external call. Raises AttemptSuperseded (rolling the writes back) if the attempt's
        lease ran out meanwhile and the row moved on."""
        if self.completed:
            raise RuntimeError(f"job {self.job_id} attempt {self.attempt} is already completed")
        async with self.conn.transaction():
            yield self.conn
            if not await outbox.complete_attempt(self.conn, self.job_id, self.attempt):
                raise AttemptSuperseded(f"job {self.job_id} attempt {self.attempt} was superseded")
        self.completed = True


JobFunction = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    func: JobFunction
    timeout: float = 60.0
    max_attempts: int = 5
    backoff: Backoff = Backoff()


# Used for rows whose kind this process does not know (e.g. a worker older than the code that enqueued).
UNKNOWN_KIND_DEFAULTS = JobKind(name="unknown__kind", func=lambda _job: _unknown(), timeout=60.0, max_attempts=5)

_kinds: dict[str, JobKind] = {}


async def _unknown() -> None:
    raise LookupError("no function is registered for this job kind")


def register(kind: JobKind) -> JobKind:
    if not re.fullmatch(KIND_PATTERN, kind.name):
        raise ValueError(f"job kind {kind.name!r} must look like <area>__<verb>")
    module = getattr(kind.func, "__module__", "")
    if module.startswith("jobs.tasks.") and kind.name != kind_of_module(module):
        raise ValueError(f"job kind {kind.name!r} lives in {module}: name it {kind_of_module(module)!r} or move it")
    if kind.timeout <= 0 or kind.max_attempts < 1:
        raise ValueError(f"job kind {kind.name!r}: timeout must be > 0 and max_attempts >= 1")
    existing = _kinds.get(kind.name)
    if existing is not None and existing.func is not kind.func:
        raise ValueError(f"job kind {kind.name!r} is registered twice")
    _kinds[kind.name] = kind
    return kind


def job_kind(
    name: str, *, timeout: float = 60.0, max_attempts: int = 5, backoff: Backoff | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Decorator: register `func` as the handler of job kind `name`."""

    def decorate(func: JobFunction) -> JobFunction:
        register(JobKind(name, func, timeout, max_attempts, backoff or Backoff()))
        return func

    return decorate


def lookup(name: str) -> JobKind | None:
    return _kinds.get(name)


def settings_for(name: str) -> JobKind:
    """The kind's registration, or safe defaults when this process does not know it."""
    return _kinds.get(name) or UNKNOWN_KIND_DEFAULTS


def registered() -> dict[str, JobKind]:
    return dict(_kinds)


def feature_modules() -> list[str]:
    """Every module under `jobs.tasks` (e.g. jobs.tasks.learning_plans.generate): one per job kind.
    Found by their files, not by importing the package: the tasks import this registry, never the reverse."""
    tasks_dir = str(Path(__file__).with_name("tasks"))
    return sorted(info.name for info in pkgutil.walk_packages([tasks_dir], "jobs.tasks.") if not info.ispkg)


def kind_of_module(module: str) -> str:
    """The kind a task module registers: jobs.tasks.<area>.<task> -> <area>__<task>."""
    area, task = module.removeprefix("jobs.tasks.").split(".")
    return f"{area}__{task}"


def load(extra_modules: Iterable[str] = ()) -> None:
    """Import the feature modules and the extra ones (JOBS_MODULES); importing registers their kinds.
    The relay and the worker both call this at start, so both know every kind's settings."""
    for name in [*feature_modules(), *extra_modules]:
        importlib.import_module(name)
