"""Settings of the relay and the worker, read once from the environment (see README "Configuration")."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import SettingsError, env_bounded, env_bounded_int, env_list, env_str

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class JobSettings:
    # RQ queue every job goes through; one queue keeps ordering simple (kinds differ by timeout only).
    queue: str = "fluentpro_jobs"
    # The relay sweeps for due rows this often even without a notification (NOTIFY is only a wake-up).
    sweep_interval: float = 2.0
    # A row dispatched this long ago whose RQ job is no longer waiting is put back to pending.
    reconcile_after: float = 60.0
    # Added to a kind's timeout to form the lease of a running attempt; past it the attempt is lost.
    lease_grace: float = 30.0
    # Rows claimed per relay transaction.
    claim_batch: int = 200
    # Cap of the relay's reconnect backoff (graphile-worker caps at 60 s; we retry faster).
    reconnect_max: float = 30.0
    # Extra modules that register job kinds (comma-separated), besides the `jobs.tasks` package.
    modules: tuple[str, ...] = ()
    # The relay deletes done rows finished this long ago, so the outbox does not grow forever...
    retention_done: float = 7 * DAY
    # ...and dead rows after a longer time: admins inspect (and retry) them first.
    retention_dead: float = 30 * DAY
    # How often the relay looks for rows past their retention.
    retention_interval: float = 60.0
    # Rows deleted per statement, so no purge holds its locks (or bloats a transaction) for long.
    retention_batch: int = 1000

    @classmethod
    def from_env(cls) -> JobSettings:
        modules = env_list("JOBS_MODULES")
        default = cls()
        # Kept at least an hour (a client may still look at a finished job) and at most a year.
        retention_done = env_bounded("JOBS_RETENTION_DONE_SECONDS", default.retention_done, 3600, 365 * DAY)
        retention_dead = env_bounded("JOBS_RETENTION_DEAD_SECONDS", default.retention_dead, 3600, 365 * DAY)
        if retention_dead < retention_done:
            raise SettingsError(
                "JOBS_RETENTION_DEAD_SECONDS must be at least JOBS_RETENTION_DONE_SECONDS: dead rows are kept "
                f"longer, for admins (got {retention_dead:g} < {retention_done:g})"
            )
        return cls(
            queue=env_str("JOBS_QUEUE", default.queue) or default.queue,
            # Sweeps: at least a tenth of a second apart (tests), at most five minutes (NOTIFY may be lost).
            sweep_interval=env_bounded("JOBS_SWEEP_INTERVAL_SECONDS", default.sweep_interval, 0.1, 300),
            # A second (tests) to a day: a lost RQ job must come back the same day.
            reconcile_after=env_bounded("JOBS_RECONCILE_AFTER_SECONDS", default.reconcile_after, 1, DAY),
            # Added to a kind's timeout: a second (tests) to an hour, past which a lost attempt goes unnoticed.
            lease_grace=env_bounded("JOBS_LEASE_GRACE_SECONDS", default.lease_grace, 1, 3600),
            # One row at least; past ten thousand a claim holds its locks for too long.
            claim_batch=env_bounded_int("JOBS_CLAIM_BATCH", default.claim_batch, 1, 10_000),
            # The relay retries its connections at least every ten minutes, however long the outage.
            reconnect_max=env_bounded("JOBS_RECONNECT_MAX_SECONDS", default.reconnect_max, 1, 600),
            modules=modules,
            retention_done=retention_done,
            retention_dead=retention_dead,
            # Looking for expired rows every tenth of a second (tests) to once a day.
            retention_interval=env_bounded("JOBS_RETENTION_INTERVAL_SECONDS", default.retention_interval, 0.1, DAY),
            # Rows per purge statement: small enough that no statement holds its locks for long.
            retention_batch=env_bounded_int("JOBS_RETENTION_BATCH", default.retention_batch, 1, 100_000),
        )
