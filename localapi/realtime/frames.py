"""Phoenix channel frames as Realtime's two serializers read and write them.

vsn 1.0.0 (realtime-py, and realtime-js when asked): text JSON objects; frames we send carry only
topic, event, payload and ref, as Phoenix's V1 serializer writes them. vsn 2.0.0 (realtime-js's
default): text JSON arrays `[join_ref, ref, topic, event, payload]`, plus two binary kinds for
broadcasts: 3 (a client's broadcast push) in, 4 (a broadcast to the client) out.

A frame that does not decode raises FrameError; the socket then closes that connection only, as a
Phoenix socket whose serializer raises does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

BROADCAST = "broadcast"
USER_BROADCAST_PUSH = 3
USER_BROADCAST = 4
JSON_ENCODING = 1
VERSIONS = ("1.0.0", "2.0.0")


class FrameError(ValueError):
    """The frame is not one the serializer of this connection can read."""


@dataclass(frozen=True, slots=True)
class Frame:
    topic: str
    event: str
    payload: dict[str, Any]
    ref: str | None = None
    join_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A broadcast for a topic's subscribers: a committed row of realtime.messages (`id` is its id), or
    a client's broadcast push (no id)."""

    topic: str  # without the `realtime:` prefix, as stored
    event: str
    payload: Any
    id: str | None = None


def decode(vsn: str, data: str | bytes) -> Frame:
    if isinstance(data, bytes):
        if vsn != "2.0.0":
            raise FrameError("binary frames need vsn 2.0.0")
        return _decode_user_broadcast_push(data)
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise FrameError("the frame is not JSON") from exc
    if vsn == "2.0.0":
        if not isinstance(raw, list) or len(raw) != 5:
            raise FrameError("a vsn 2.0.0 frame is an array [join_ref, ref, topic, event, payload]")
        join_ref, ref, topic, event, payload = raw
    else:
        if not isinstance(raw, dict) or not {"topic", "event", "payload"} <= raw.keys():
            raise FrameError("a vsn 1.0.0 frame is an object with topic, event, payload and ref")
        join_ref, ref, topic, event, payload = (raw.get(k) for k in ("join_ref", "ref", "topic", "event", "payload"))
    if not isinstance(topic, str) or not isinstance(event, str) or not isinstance(payload, dict):
        raise FrameError("topic and event must be strings and payload an object")
    return Frame(topic=topic, event=event, payload=payload, ref=_ref(ref), join_ref=_ref(join_ref))


def _ref(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FrameError("ref and join_ref must be strings or null")


def _decode_user_broadcast_push(data: bytes) -> Frame:
    """Kind 3: kind, then byte lengths of join_ref, ref, topic, event, metadata, then the encoding,
    the five strings and the payload (JSON when the encoding is 1, raw bytes otherwise)."""
    if len(data) < 7 or data[0] != USER_BROADCAST_PUSH:
        raise FrameError("the only binary frame a client sends is a broadcast push (kind 3)")
    sizes, encoding = data[1:6], data[6]
    fields: list[str] = []
    offset = 7
    try:
        for size in sizes:
            fields.append(data[offset : offset + size].decode("utf-8"))
            offset += size
        if offset > len(data):
            raise FrameError("the binary frame is shorter than its header says")
        join_ref, ref, topic, event, metadata = fields
        body = data[offset:]
        payload: Any = json.loads(body) if encoding == JSON_ENCODING else None
        meta = json.loads(metadata) if metadata else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError("the binary broadcast push does not decode") from exc
    if encoding != JSON_ENCODING:
        raise FrameError("binary broadcast payloads are not supported here; send JSON")
    inner = {**(meta if isinstance(meta, dict) else {}), "type": BROADCAST, "event": event, "payload": payload}
    return Frame(topic=topic, event=BROADCAST, payload=inner, ref=ref or None, join_ref=join_ref or None)


def encode(vsn: str, frame: Frame) -> str:
    if vsn == "2.0.0":
        return json.dumps([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload], separators=(",", ":"))
    return json.dumps(
        {"topic": frame.topic, "event": frame.event, "payload": frame.payload, "ref": frame.ref}, separators=(",", ":")
    )


def encode_broadcast(vsn: str, channel_topic: str, message: Broadcast) -> str | bytes:
    """A broadcast on `realtime:<topic>`; for a database row, meta.id is the row id, as Realtime sends it."""
    meta = {"id": message.id} if message.id else {}
    if vsn == "2.0.0":
        encoded_meta = json.dumps(meta, separators=(",", ":")) if meta else ""
        parts = [s.encode() for s in (channel_topic, message.event, encoded_meta)]
        if all(len(p) <= 255 for p in parts):
            header = bytes([USER_BROADCAST, *(len(p) for p in parts), JSON_ENCODING])
            return header + b"".join(parts) + json.dumps(message.payload, separators=(",", ":")).encode()
    payload = {"type": BROADCAST, "event": message.event, "payload": message.payload}
    if meta:
        payload["meta"] = meta
    return encode(vsn, Frame(topic=channel_topic, event=BROADCAST, payload=payload))
