"""supabase-js (pinned in tools/supabase-js) drives the whole journey against the stack `fluentpro dev`
starts: the local API's Data API and Realtime, the sidecar's dev sign-in and token exchange, the
worker building the plan with a fake OpenAI. The script reports; tests/clients/journey.py judges."""

from __future__ import annotations

import json

from tests.e2e.conftest import ClientStack

from .journey import check_journey, journey_plan
from .node import JS_CLIENT_DIR, last_json_line, run_node


async def test_supabase_js_onboards_and_hears_every_change_on_the_private_channel(client_stack: ClientStack) -> None:
    output = await run_node(
        JS_CLIENT_DIR / "journey.mjs",
        {
            "FLUENTPRO_CLIENT_CONFIG": json.dumps(client_stack.api.client_config()),
            "FLUENTPRO_JOURNEY": json.dumps(journey_plan(learner="alice-js", intruder="bob-js")),
        },
        client_stack.stack,
    )
    check_journey(last_json_line(output), learner="alice-js")
