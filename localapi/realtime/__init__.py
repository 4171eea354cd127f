"""Realtime for the local API: `/realtime/v1/websocket`, the Phoenix channel protocol as Supabase
Realtime speaks it to realtime-js (vsn 2.0.0) and realtime-py (vsn 1.0.0), private channels only,
authorized by RLS on realtime.messages, delivering what `realtime.send` commits.

    server = RealtimeServer(database_url, verify_token)
    await server.start()
    app.router.add_get("/realtime/v1/websocket", server.handle)
    ...
    await server.close()
"""

from .context import Limits
from .server import RealtimeServer

__all__ = ["Limits", "RealtimeServer"]
