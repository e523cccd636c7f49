"""The shared limiter, in virtual time: its bound, its adaptation, its waiters."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import given
from hypothesis import strategies as st

from seventime_async import RateLimiter

from .virtual_time import run


def most_in_a_window(times: list[float], width: float = 1.0) -> int:
    """The most events in any window of ``width`` seconds, both ends included."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > width:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _grants(limiter: RateLimiter, n: int) -> list[float]:
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        times.append(loop.time())

    await asyncio.gather(*(one() for _ in range(n)))
    return times


@given(
    rate=st.floats(min_value=0.5, max_value=50),
    burst=st.integers(min_value=1, max_value=5),
    arrivals=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=60),
)
def test_no_window_sees_more_than_rate_plus_burst(
    rate: float, burst: int, arrivals: list[float]
) -> None:
    """Pure: callers arriving at any times, granted as soon as wait_time allows."""
    limiter = RateLimiter(rate, burst=burst, clock=lambda: 0.0)
    granted = []
    now = 0.0
    for at in sorted(arrivals):
        now = max(now, at)
        now += limiter.wait_time(now)
        limiter.take(now)
        granted.append(now)
    assert most_in_a_window(granted) <= int(rate) + burst


def test_grants_are_spaced_at_the_rate_in_virtual_time() -> None:
    times = run(_grants(RateLimiter(4), 9))
    assert times == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]


def test_a_slowdown_frees_no_burst() -> None:
    """Swapping in a fresh, empty bucket on a 429 let the next request through at once."""

    async def main() -> list[float]:
        limiter = RateLimiter(10)
        first = await _grants(limiter, 1)
        limiter.penalize()  # now 5/s: the next turn is 0.2 s after the last, not now
        return first + await _grants(limiter, 2)

    assert run(main()) == [0.0, 0.2, 0.4]


def test_a_recovery_frees_no_burst() -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(10, burst=1, recovery_interval=1.0, recovery_factor=2.0)
        limiter.penalize()
        times = await _grants(limiter, 8)  # 5/s, then 10/s after a second
        return times

    times = run(main())
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(times)]
    assert gaps[:5] == [0.2] * 5
    assert all(g >= 0.1 for g in gaps), gaps


def test_a_burst_of_429s_to_requests_already_sent_slows_down_once() -> None:
    limiter = RateLimiter(8, clock=lambda: 0.0)
    seen = limiter.slowdowns
    for _ in range(6):  # six requests in flight, all refused
        limiter.penalize(seen)
    assert limiter.rate == 4 and limiter.slowdowns == 1
    limiter.penalize(limiter.slowdowns)  # a request sent after the slow-down: again
    assert limiter.rate == 2


def test_a_cancelled_waiter_takes_no_turn() -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(1)
        await limiter.acquire()  # t=0; the next turn is at t=1
        waiter = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0.5)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        return await _grants(limiter, 2)

    assert run(main()) == [1.0, 2.0]


def test_waiters_are_served_first_come_first_served() -> None:
    async def main() -> list[int]:
        limiter = RateLimiter(2)
        order: list[int] = []

        async def one(i: int) -> None:
            await asyncio.sleep(i * 0.01)
            await limiter.acquire()
            order.append(i)

        await asyncio.gather(*(one(i) for i in range(6)))
        return order

    assert run(main()) == list(range(6))
