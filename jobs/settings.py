"""Settings of the relay and the worker, read once from the environment (see README "Configuration")."""

from __future__ import annotations

from dataclasses import dataclass

from sidecar.settings import SettingsError, env_positive, env_str

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
        modules = tuple(m.strip() for m in (env_str("JOBS_MODULES", "") or "").split(",") if m.strip())
        batch = int(env_positive("JOBS_CLAIM_BATCH", 200))
        default = cls()
        retention_done = env_positive("JOBS_RETENTION_DONE_SECONDS", default.retention_done)
        retention_dead = env_positive("JOBS_RETENTION_DEAD_SECONDS", default.retention_dead)
        if retention_dead < retention_done:
            raise SettingsError(
                "JOBS_RETENTION_DEAD_SECONDS must be at least JOBS_RETENTION_DONE_SECONDS: dead rows are kept "
                f"longer, for admins (got {retention_dead:g} < {retention_done:g})"
            )
        retention_batch = env_positive("JOBS_RETENTION_BATCH", default.retention_batch)
        if retention_batch != int(retention_batch):
            raise SettingsError(f"JOBS_RETENTION_BATCH must be a whole number, got {retention_batch:g}")
        return cls(
            queue=env_str("JOBS_QUEUE", default.queue) or default.queue,
            sweep_interval=env_positive("JOBS_SWEEP_INTERVAL_SECONDS", default.sweep_interval),
            reconcile_after=env_positive("JOBS_RECONCILE_AFTER_SECONDS", default.reconcile_after),
            lease_grace=env_positive("JOBS_LEASE_GRACE_SECONDS", default.lease_grace),
            claim_batch=batch,
            reconnect_max=env_positive("JOBS_RECONNECT_MAX_SECONDS", default.reconnect_max),
            modules=modules,
            retention_done=retention_done,
            retention_dead=retention_dead,
            retention_interval=env_positive("JOBS_RETENTION_INTERVAL_SECONDS", default.retention_interval),
            retention_batch=int(retention_batch),
        )
