"""The Litestar sidecar: the HTTP app that does what PostgreSQL cannot (Auth0 token exchange, AI
requests, job-role search), with its routes, guards, error mapper and the development identity provider.

It imports only `core` (what it shares with the jobs and the local API), never `jobs` or `localapi`;
`make lint` holds it to that (lint-imports, pyproject.toml).
"""
