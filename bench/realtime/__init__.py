"""Benchmarks of the local API's Realtime: commit-to-client delivery against LISTEN/NOTIFY."""
