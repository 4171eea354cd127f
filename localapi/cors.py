"""CORS as PostgREST answers it (its defaults, which Supabase keeps), so a browser app served from
another local origin (a dev server on :3000, say) can call the local API with supabase-js.

Preflights (OPTIONS with Access-Control-Request-Method) are answered at once, allowing any origin
and echoing the requested headers; every other answer allows any origin and exposes the headers
clients read (Content-Range for counts, Location, Range-Unit). Tokens travel in headers, never in
cookies, so `*` is safe here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

ALLOWED_METHODS = "GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD"
DEFAULT_HEADERS = "Authorization, Content-Type, Accept, Accept-Language, Content-Language"
EXPOSED_HEADERS = (
    "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, "
    "Transfer-Encoding, Range-Unit"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        requested = request.headers.get("Access-Control-Request-Headers")
        return web.Response(
            status=200,
            headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": f"{DEFAULT_HEADERS}, {requested}" if requested else DEFAULT_HEADERS,
                "Access-Control-Max-Age": "86400",
            },
        )
    response = await handler(request)
    if not response.prepared:  # a WebSocket has already sent its headers
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response
