"""The client's shared, adaptive rate limiter.

A leaky bucket of ``burst`` turns (default 1) that refills at R per second, kept as a
GCRA "theoretical arrival time": a turn is free once the clock reaches it, and each turn
taken moves it one interval (1/R) on. Any one-second window therefore sees at most
R + burst requests; with the default that is R plus the one request that straddles the
window's edge. (aiolimiter's ``AsyncLimiter(R, 1)`` holds R turns: 2R in a first second.)

Adaptive: a 429 halves the rate (not below ``floor`` x R); every ``recovery_interval``
seconds without another 429 it grows by ``recovery_factor`` until it is back at R. A
change of rate keeps the bucket's level, counted in turns, so it never frees a burst
(swapping in a fresh, empty limiter would). Several 429s answering requests sent before
the last slow-down are one signal, not several: they do not halve the rate again.

Waiters take turns first come, first served; one cancelled while waiting takes no turn.
The clock is the event loop's, or any ``clock`` you pass (tests drive time without
sleeping; it must be the loop's own time if ``acquire`` is awaited).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["RateLimiter"]


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


class RateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        floor: float = 0.1,
        decrease: float = 0.5,
        recovery_interval: float = 2.0,
        recovery_factor: float = 1.25,
        clock: Callable[[], float] = _loop_time,
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be positive (or pass None to the client to disable)")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.target = float(rate)
        self.burst = burst
        self.floor = floor
        self.decrease = decrease
        self.recovery_interval = recovery_interval
        self.recovery_factor = recovery_factor
        self._clock = clock
        self._rate = self.target
        self._changed_at: float | None = None
        #: How many times a 429 has slowed this limiter down (see :meth:`penalize`).
        self.slowdowns = 0
        # The time from which the bucket is empty again (GCRA's theoretical arrival time).
        self._free_at = float("-inf")
        self._queue = asyncio.Lock()  # FIFO: the longest waiter gets the next turn

    def __repr__(self) -> str:
        return f"<RateLimiter rate={self._rate:g}/s target={self.target:g}/s burst={self.burst}>"

    @property
    def rate(self) -> float:
        """The current rate in requests per second (below ``target`` after a 429)."""
        return self._rate

    @property
    def _interval(self) -> float:
        return 1.0 / self._rate

    def _set_rate(self, rate: float, now: float) -> None:
        self._changed_at = now
        if rate != self._rate:
            owed = max(0.0, self._free_at - now) / self._interval  # turns already taken
            self._rate = rate
            self._free_at = now + owed * self._interval

    def _recover(self, now: float) -> None:
        if self._changed_at is None or self._rate >= self.target:
            return
        if now - self._changed_at >= self.recovery_interval:
            self._set_rate(min(self.target, self._rate * self.recovery_factor), now)

    def penalize(self, slowdowns_when_sent: int | None = None) -> None:
        """The server said 429: slow down for a while.

        Pass :attr:`slowdowns` as it was when the refused request was sent: a 429 to a
        request sent before the last slow-down is then already accounted for.
        """
        if slowdowns_when_sent is not None and slowdowns_when_sent < self.slowdowns:
            return
        self.slowdowns += 1
        now = self._clock()
        self._set_rate(max(self.target * self.floor, self._rate * self.decrease), now)

    def wait_time(self, now: float) -> float:
        """Seconds from ``now`` until a turn is free (0 if one is free now)."""
        self._recover(now)
        return max(0.0, self._free_at - (self.burst - 1) * self._interval - now)

    def take(self, now: float) -> None:
        """Take a turn at ``now`` (call only when :meth:`wait_time` says 0)."""
        self._free_at = max(self._free_at, now) + self._interval

    async def acquire(self) -> float:
        """Wait for a turn and take it; returns the seconds waited."""
        start = self._clock()
        async with self._queue:
            # A time, not an event, ends the wait; re-checked after each sleep because a
            # 429 meanwhile may have pushed the turn further on.
            while (wait := self.wait_time(self._clock())) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            now = self._clock()
            self.take(now)
        return now - start
