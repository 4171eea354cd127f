"""Background jobs: the outbox relay (Postgres -> RQ), the RQ worker and the registry of job kinds.

The outbox row in Postgres is the truth about every job; RQ (Redis) is only the transport. See
DESIGN.md "Jobs" and `jobs/registry.py` for how a feature registers a kind.
"""
