"""An event loop on an injected clock: rate tests run in virtual time, never sleeping.

Whenever nothing is ready to run, the clock jumps to the next timer, so
``asyncio.sleep(3600)`` returns at once while ``loop.time()`` says an hour passed. Only
for code that does no real I/O (the transport with a fake sender, the limiter).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0

    def time(self) -> float:
        return self._now

    def _run_once(self) -> None:
        # asyncio's private queues: the callbacks ready now, and the timers.
        if not self._ready:  # type: ignore[attr-defined]
            due = [t.when() for t in self._scheduled if not t.cancelled()]  # type: ignore[attr-defined]
            if due:
                self._now = max(self._now, min(due))
        super()._run_once()  # type: ignore[misc]


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion in virtual time."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
