"""Benchmark of the job path: outbox -> relay -> RQ -> worker against direct RQ, and NOTIFY's commit cost."""
