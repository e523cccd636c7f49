"""Events for metrics and progress: pass ``events=callback`` to the client.

The callback is called synchronously on the event loop with one of the classes below;
keep it quick (count, log, update a progress bar). Exceptions it raises are logged and
swallowed, so instrumentation can never break a request.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

__all__ = [
    "Event",
    "EventHook",
    "PageFetched",
    "RateLimitWait",
    "RequestStarted",
    "ResponseReceived",
    "RetryScheduled",
]


@attrs.frozen
class RequestStarted:
    method: str
    path: str
    attempt: int


@attrs.frozen
class ResponseReceived:
    method: str
    path: str
    attempt: int
    #: HTTP status, or None when no response came (connection error, timeout).
    status: int | None
    elapsed: float


@attrs.frozen
class RetryScheduled:
    method: str
    path: str
    attempt: int
    delay: float
    reason: str
    status: int | None = None


@attrs.frozen
class RateLimitWait:
    """The shared limiter held a request back for ``waited`` seconds."""

    waited: float
    rate: float


@attrs.frozen
class PageFetched:
    """A walk received one page; ``items`` is how many new items it brought."""

    path: str
    items: int
    partition: int


Event = RequestStarted | ResponseReceived | RetryScheduled | RateLimitWait | PageFetched
EventHook = Callable[[Event], None]
