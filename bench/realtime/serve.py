"""The local Realtime alone, in its own process, for the benchmark: `python -m bench.realtime.serve`.

Reads DATABASE_URL, PORT, BENCH_JWT_SECRET and BENCH_JWT_ISSUER from the environment, verifies tokens
with the local API's own verifier (HS256, as the sidecar mints them; clients connect with their own
token as the key), prints `ready` once listening, and serves until stopped.
"""

from __future__ import annotations

import asyncio
import os
import signal

from aiohttp import web

from core.settings import TokenSettings
from localapi.auth import TokenVerifier
from localapi.realtime import RealtimeServer

SECRET = os.environ.get("BENCH_JWT_SECRET", "")
ISSUER = os.environ.get("BENCH_JWT_ISSUER", "fluentpro-bench")


async def serve(database_url: str, port: int) -> None:
    # The local API's own verifier, as localapi/server.py builds it from the sidecar's token settings.
    verify_token = TokenVerifier.from_settings(TokenSettings(issuer=ISSUER, secret=SECRET, ttl_seconds=3600))
    server = RealtimeServer(database_url, verify_token)
    await server.start()
    app = web.Application()
    app.router.add_get("/realtime/v1/websocket", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(os.environ["DATABASE_URL"], int(os.environ["PORT"])))
