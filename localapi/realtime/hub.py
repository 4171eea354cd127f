"""Which joined channels hear which topic, and the fan-out of one broadcast to them.

Everything here runs on the event loop without awaiting: a subscriber only queues the frame on its
own socket, so one slow client never holds up another, and the order in which broadcasts are
published is the order every subscriber queues them in.
"""

from __future__ import annotations

from typing import Protocol

from .frames import Broadcast

# Encoded frames of the broadcast being published, keyed by (vsn, channel topic): built once for
# all the subscribers that share them.
EncodedCache = dict[tuple[str, str], str | bytes]


class Subscriber(Protocol):
    def deliver(self, message: Broadcast, cache: EncodedCache) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._by_topic: dict[str, set[Subscriber]] = {}

    def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        self._by_topic.setdefault(topic, set()).add(subscriber)

    def unsubscribe(self, topic: str, subscriber: Subscriber) -> None:
        subscribers = self._by_topic.get(topic)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._by_topic[topic]

    def topics(self) -> list[str]:
        return list(self._by_topic)

    def publish(self, message: Broadcast, *, exclude: Subscriber | None = None) -> None:
        cache: EncodedCache = {}
        for subscriber in list(self._by_topic.get(message.topic, ())):
            if subscriber is not exclude:
                subscriber.deliver(message, cache)
