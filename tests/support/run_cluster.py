"""The PostgreSQL server a test run uses: a throwaway cluster of the run's own, tuned for tests.

Each test clones the template database and drops the clone afterwards, and on PostgreSQL 15 every
DROP DATABASE waits for an immediate checkpoint: on a durable server that flushes every page the other
tests dirtied, with fsync, one drop at a time, and it was most of the suite's time. A cluster that
nothing needs after the run can skip all of that (in memory, fsync and full-page writes off,
asynchronous commit), which makes the suite about twice as fast and lets parallel workers help,
while every statement still runs on a real PostgreSQL with the real migrations.

The controlling pytest process starts it once and says where it is in TEST_DATABASE_URL, which the
xdist workers and every process the tests start inherit. Set TEST_DATABASE_URL yourself to run the
tests against another server instead (e.g. the shared one at 127.0.0.1:5432).
"""

from __future__ import annotations

import os

from tests.support.private_postgres import PrivatePostgres, discard_cluster, server_binaries, start_cluster

# Crash safety buys nothing here: the cluster is deleted when the run ends, however it ends.
SPEED = {"synchronous_commit": "off", "max_connections": "300", "shared_buffers": "'256MB'"}


def start_for_run() -> PrivatePostgres | None:
    """Start the run's cluster and point TEST_DATABASE_URL at it, unless the caller chose a server
    or this machine has no server binaries (then the shared server it names by default is used)."""
    if os.environ.get("TEST_DATABASE_URL"):
        return None
    binaries = server_binaries()
    if binaries is None:
        print("tests: no initdb found (set TEST_PG_BIN); using the server at 127.0.0.1:5432")
        return None
    cluster = start_cluster(binaries, in_memory=True, settings=SPEED)
    os.environ["TEST_DATABASE_URL"] = cluster.url()
    return cluster


def stop_for_run(cluster: PrivatePostgres) -> None:
    discard_cluster(cluster)
    os.environ.pop("TEST_DATABASE_URL", None)
