"""supabase-py (async, with its Realtime client) makes the same journey as supabase-js against the stack
`fluentpro dev` starts; tests/clients/journey.py judges both the same way."""

from __future__ import annotations

from tests.e2e.conftest import ClientStack

from .journey import check_journey
from .py_journey import journey


async def test_supabase_py_onboards_and_hears_every_change_on_the_private_channel(client_stack: ClientStack) -> None:
    result = await journey(client_stack.api, learner="alice-py", intruder="bob-py")
    check_journey(result, learner="alice-py", reports_http_status=False)
