"""Test support: the PostgREST emulation, per-test databases, Realtime authorization probes."""
