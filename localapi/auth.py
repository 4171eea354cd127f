"""Token verification shared by the local API's Data API and Realtime."""

from __future__ import annotations


class InvalidToken(Exception):
    """The token is not one of ours: bad signature, wrong claims, or expired."""
