"""When to retry and how long to wait (pure).

Each request is retried on its own. GET, PUT and DELETE are idempotent (a PUT sends full
values, a DELETE of a deleted record changes nothing), so any transient failure is worth
another try. A POST is retried only where the server surely did not process it: a 429 or
503 answer, or a connection refused before anything was sent. After a 500, a timeout or a
connection dropped mid-request the record may exist, and a retry could create a
duplicate, so the error goes to the caller.
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import attrs

from ._errors import SevenTimeError

__all__ = ["AttemptFailed", "Failure", "RetryPolicy", "parse_retry_after"]


class Failure(enum.Enum):
    """What went wrong with one attempt, as far as retrying is concerned."""

    STATUS = "status"  # an HTTP error status (see RetryPolicy.retry_statuses)
    NOT_SENT = "not sent"  # connection refused / DNS: the request never left
    DROPPED = "dropped"  # connection lost after the request was sent
    TIMEOUT = "timeout"
    BAD_BODY = "bad body"  # truncated or not JSON
    TOO_LARGE = "too large"  # the body passed max_response_bytes: never retried
    UNEXPECTED = "unexpected"  # anything else: never retried, it is likely a bug


#: Statuses by which the server says it did not act on the request.
_REFUSED_UNPROCESSED = frozenset({429, 503})
#: RFC 9110 idempotent methods: sending one twice has the effect of sending it once.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class AttemptFailed(Exception):
    """One failed attempt, classified for the retry decision (internal, never escapes).

    ``error`` is what the caller gets if no retry follows; ``retry_after`` is the
    server's requested wait in seconds, if it sent one.
    """

    def __init__(
        self, failure: Failure, error: SevenTimeError, retry_after: float | None = None
    ) -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.error = error
        self.retry_after = retry_after

    @property
    def status(self) -> int | None:
        status = getattr(self.error, "status", None)
        return status if self.failure is Failure.STATUS else None

    @property
    def surely_not_processed(self) -> bool:
        """True where the server cannot have acted on the request."""
        return self.failure is Failure.NOT_SENT or (
            self.failure is Failure.STATUS and self.status in _REFUSED_UNPROCESSED
        )


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

    def should_retry(self, method: str, failed: AttemptFailed, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (1-based) that failed so may be tried again."""
        if attempt > self.max_retries:
            return False
        if failed.failure in (Failure.TOO_LARGE, Failure.UNEXPECTED):
            return False
        if failed.failure is Failure.STATUS and failed.status not in self.retry_statuses:
            return False
        if failed.retry_after is not None and failed.retry_after > self.max_retry_after:
            return False
        return method.upper() in IDEMPOTENT or failed.surely_not_processed

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return float(ceiling * self.random())


# ASCII digits only: str.isdigit() also accepts "٣" and "²", which float() refuses.
_DELTA_SECONDS = re.compile(r"[0-9]+", re.ASCII)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date; None if absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
