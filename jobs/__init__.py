"""Background jobs: the outbox relay (Postgres -> RQ), the RQ worker and the registry of job kinds.

The outbox row in Postgres is the truth about every job; RQ (Redis) is only the transport: a trigger
writes the row and NOTIFYs, the relay claims and enqueues it, the worker runs it and records the outcome.
`jobs/registry.py` says how a feature registers a kind; the kinds live in `jobs/tasks/<area>/<task>.py`.
The jobs import only `core`, never the sidecar (`make lint` checks it).
"""
