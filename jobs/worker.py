"""The RQ worker (`fluentpro worker`): runs `jobs.runner.run` for every job on the queue.

Worker class: SimpleWorker, chosen by measurement (bench/jobs, `--workers`): RQ's forking Worker
pays a fork per job (~10 ms here, and rq's docs measure 6.5x fewer jobs/s), and a forked horse cannot
keep the runner's Postgres connection and event loop, so every job would also reconnect (rq#210).
SimpleWorker runs jobs in-process. What it gives up is covered elsewhere: per-kind timeouts are the
runner's asyncio timeouts (RQ's SIGALRM timeout is only a backstop), and a worker that dies or hangs
mid-job is found by the outbox lease (`locked_until`), not by RQ's heartbeats.

Retries are not RQ's: a failed attempt goes back to the outbox with `run_after` = now + backoff, and
the relay re-dispatches it when due. So retries survive a Redis restart, and there is no
`--with-scheduler` flag to forget in a deployment (the relay is the scheduler).
"""

from __future__ import annotations

import logging

from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from core.ai.settings import OpenAISettings
from core.search.settings import AzureSearchSettings
from core.settings import DatabaseSettings, RedisSettings, load_dotenv
from jobs import registry, runner, transport
from jobs.registry import JobServices
from jobs.settings import JobSettings


def main() -> int:
    load_dotenv()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = JobSettings.from_env()
    registry.load(settings.modules)
    # Read once, here: jobs get their clients' settings through JobContext.services, never the environment.
    services = JobServices(openai=OpenAISettings.from_env(), search=AzureSearchSettings.from_env())
    runner.configure(runner.WorkerConfig(settings, DatabaseSettings.from_env().url, services))
    redis = Redis.from_url(RedisSettings.from_env().url)
    queue = transport.make_queue(redis, settings.queue)
    # JSON, never pickle: a job planted in Redis can name only an importable function, with JSON args.
    worker = SimpleWorker([queue], connection=redis, serializer=JSONSerializer)
    worker.work(logging_level="WARNING")
    return 0
