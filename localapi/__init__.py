"""The local Supabase-compatible API: a development and test stand-in for what a Supabase project serves.

One base URL (127.0.0.1, port LOCAL_API_PORT, default 54321 as the Supabase CLI's) with the Data API
under /rest/v1/ (PostgREST's behaviour for the exposed schema `api`) and Realtime under
/realtime/v1/websocket (the Phoenix channel protocol, private channels authorized by RLS on
realtime.messages). The official clients (supabase-js, supabase-py) point at it unchanged.

It never runs in production: the Procfile's processes do not start it, and it refuses to start when
FLUENTPRO_ENV is production. On a hosted project, Supabase itself serves both APIs.
"""
