"""The changes the identity provider makes to its state, as the durable store writes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sidecar.devidp.core import IdpUser, SigningKey


@dataclass(frozen=True, slots=True)
class UserSaved:
    """A user was created or changed (password, verification): written as it is when flushed."""

    user: IdpUser


@dataclass(frozen=True, slots=True)
class RefreshIssued:
    digest: str
    subject: str


@dataclass(frozen=True, slots=True)
class RefreshRevoked:
    digest: str


@dataclass(frozen=True, slots=True)
class KeysReplaced:
    """The published signing keys, newest first (a rotation)."""

    keys: list[SigningKey]


Change = UserSaved | RefreshIssued | RefreshRevoked | KeysReplaced
