"""supabase-py (async, with its Realtime client) makes the same journey as supabase-js against the stack
`fluentpro dev` starts; tests/clients/journey.py judges both the same way."""

from __future__ import annotations

from tests.e2e.conftest import LocalApi
from tests.jobs.stack import JobStack, Process

from .journey import check_journey
from .py_journey import journey


async def test_supabase_py_onboards_and_hears_every_change_on_the_private_channel(
    running_stack: tuple[JobStack, Process, str], local_api: LocalApi
) -> None:
    check_journey(await journey(local_api), reports_http_status=False)
