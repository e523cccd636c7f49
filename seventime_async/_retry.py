"""When to retry and how long to wait (pure).

Each request is retried on its own. GETs are idempotent, so any transient failure is
worth another try. A POST is retried only where the server surely did not process it:
a 429 or 503 answer, or a connection refused before anything was sent. After a 500, a
timeout or a connection dropped mid-request the record may exist, and a retry could
create a duplicate, so the error goes to the caller.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["Failure", "RetryPolicy", "parse_retry_after"]


class Failure(enum.Enum):
    """What went wrong with one attempt, as far as retrying is concerned."""

    STATUS = "status"  # an HTTP error status (see RetryPolicy.retry_statuses)
    NOT_SENT = "not sent"  # connection refused / DNS: the request never left
    DROPPED = "dropped"  # connection lost after the request was sent
    TIMEOUT = "timeout"
    BAD_BODY = "bad body"  # truncated or not JSON


_SAFE_FOR_POST = frozenset({429, 503})


@attrs.frozen
class RetryPolicy:
    """Exponential back-off with full jitter, honouring ``Retry-After`` up to a cap.

    ``max_retry_after`` is the longest server-requested wait the client will sleep;
    past it the call raises :class:`RateLimitError` carrying ``retry_after`` at once
    rather than stall a job for an hour.
    """

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = 60.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    random: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)

    def should_retry(self, method: str, failure: Failure, status: int | None, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (1-based) that failed so may be tried again."""
        if attempt > self.max_retries:
            return False
        if failure is Failure.STATUS and status not in self.retry_statuses:
            return False
        if method.upper() in ("GET", "HEAD", "OPTIONS"):
            return True
        return failure is Failure.NOT_SENT or (
            failure is Failure.STATUS and status in _SAFE_FOR_POST
        )

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return float(ceiling * self.random())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date; None if absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
