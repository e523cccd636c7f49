"""The service's rate limit, as the emulator enforces it (pure: the clock is passed in)."""

from __future__ import annotations

from collections import deque

__all__ = ["SlidingWindow"]


class SlidingWindow:
    """At most ``limit`` admitted requests in any ``window`` seconds.

    A request arriving at ``t`` is admitted when fewer than ``limit`` admitted requests
    arrived in ``(t - window, t]``; otherwise it is refused (a 429), and a refused request
    does not count. So every half-open interval ``[s, s + window)`` holds at most
    ``limit`` admitted requests: the strictest reading of "4 requests per second".
    """

    def __init__(self, limit: int, window: float = 1.0) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._admitted: deque[float] = deque()

    def admit(self, now: float) -> bool:
        admitted = self._admitted
        while admitted and admitted[0] <= now - self.window:
            admitted.popleft()
        if len(admitted) >= self.limit:
            return False
        admitted.append(now)
        return True
