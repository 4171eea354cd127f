"""`python -m bench.realtime`: what the local Realtime costs a broadcast, against the PostgreSQL
mechanism it is built on, measured in the same run.

Delivery (delivery.py): commit-to-client latency p50 and p95 with 1 and with CLIENTS joined clients
(each on its own private topic, one broadcast each per commit), against the direct LISTEN/NOTIFY
round trip of the same commits. Goal: p95 <= 100 ms with 200 clients. The two cases alternate in
short batches, so drift on a shared machine hits both alike.

RPC throughput (rpc.py): the Data API's requests/s over the local API's HTTP path, against the same
transactions run directly on asyncpg.

Each part of this benchmark is an entry of PARTS: a coroutine taking the running stack and returning
its figures.
Options (environment): BENCH_CLIENTS (default 200), BENCH_ROUNDS (default 5), BENCH_BATCH (default 20).
"""

from __future__ import annotations

import asyncio
import os
import statistics
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from bench.realtime.delivery import NotifyProbe, delivery_round, joined
from bench.realtime.rpc import measure_rpc
from bench.realtime.stack import Stack, running_stack
from bench.report import Figure, emit

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "200"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BATCH = int(os.environ.get("BENCH_BATCH", "20"))
GOAL_P95_MS = 100.0
NAME = "realtime"


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


async def measure_delivery(stack: Stack) -> list[Figure]:
    cases = {"1 client": stack.learners[:1], f"{CLIENTS} clients": stack.learners[:CLIENTS]}
    delivered: dict[str, list[float]] = {case: [] for case in cases}
    notified: dict[str, list[float]] = {case: [] for case in cases}
    sender, listener = await stack.owner(), await stack.owner()
    try:
        probe = NotifyProbe(listener)
        await probe.start()
        async with AsyncExitStack() as joins:
            clients = {case: await joins.enter_async_context(joined(stack, users)) for case, users in cases.items()}
            seq = 0
            for _ in range(ROUNDS):
                for case, users in cases.items():
                    topics = [f"user:{u}" for u in users]
                    for _ in range(BATCH):
                        seq += 1
                        to_clients, to_listener = await delivery_round(sender, clients[case], probe, topics, seq)
                        delivered[case] += to_clients
                        notified[case] += to_listener
    finally:
        await sender.close()
        await listener.close()
    figures = []
    for case in cases:
        for q in (50, 95):
            value, baseline = percentile(delivered[case], q), percentile(notified[case], q)
            goal = q == 95 and case != "1 client"
            figures.append(
                Figure(
                    NAME,
                    f"delivery p{q}, {case}",
                    value,
                    "ms",
                    baseline,
                    goal=f"<= {GOAL_P95_MS:g} ms" if goal else "",
                    met=value <= GOAL_P95_MS if goal else None,
                )
            )
    return figures


Part = Callable[[Stack], Awaitable[list[Figure]]]
PARTS: list[Part] = [measure_delivery, measure_rpc]


async def main() -> None:
    figures: list[Figure] = []
    async with running_stack(learners=max(CLIENTS, 1)) as stack:
        for part in PARTS:
            figures += await part(stack)
    emit("Local Realtime delivery and Data API RPC throughput (each baseline measured in the same run)", figures)


if __name__ == "__main__":
    asyncio.run(main())
