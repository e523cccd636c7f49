"""The client's shared, adaptive rate limiter (an aiolimiter ``AsyncLimiter`` inside).

Bucket sizing: ``AsyncLimiter(R, 1)`` holds R tokens, so a fresh client may send R at
once and R more as the bucket drains: up to 2R in its first second. Here the bucket
holds ``burst`` tokens (default 1) refilled at R per second, so any one-second window
sees at most R + burst requests; with the default that is R plus the one request that
straddles the window's edge. Raise ``burst`` to allow deliberate bursts.

Adaptive: a 429 halves the rate (not below ``floor`` x R); every ``recovery_interval``
seconds without another 429 it grows by ``recovery_factor`` until it is back at R.
The clock is the event loop's (as aiolimiter's own), or any ``clock`` you pass, so
tests can drive time without sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiolimiter import AsyncLimiter

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
        if rate <= 0:
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
        self._limiter = self._make(self._rate)

    def _make(self, rate: float) -> AsyncLimiter:
        return AsyncLimiter(self.burst, self.burst / rate)

    @property
    def rate(self) -> float:
        """The current rate in requests per second (below ``target`` after a 429)."""
        return self._rate

    def _set_rate(self, rate: float, now: float) -> None:
        self._changed_at = now
        if rate != self._rate:
            self._rate = rate
            self._limiter = self._make(rate)

    def _recover(self, now: float) -> None:
        if self._changed_at is None or self._rate >= self.target:
            return
        if now - self._changed_at >= self.recovery_interval:
            self._set_rate(min(self.target, self._rate * self.recovery_factor), now)

    def penalize(self) -> None:
        """The server said 429: slow down for a while."""
        now = self._clock()
        self._set_rate(max(self.target * self.floor, self._rate * self.decrease), now)

    async def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited."""
        start = self._clock()
        self._recover(start)
        while True:
            limiter = self._limiter
            await limiter.acquire()
            # A slot granted by a limiter replaced meanwhile (after a 429) does not count:
            # queue again at the new rate rather than send at the old one.
            if limiter is self._limiter:
                return self._clock() - start
