"""Retries, the shared adaptive limiter, timeouts, lifecycle and observability, proven
with faults the emulator injects over real TCP."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import deque
from typing import Any

import aiohttp
import pytest

import seventime_async as st
from seventime_async.emulator import FAULT_KINDS, Emulator, Faults

from .conftest import EmulatorFactory, client_for, collect_ids
from .test_ratelimit import most_in_a_window

ALL_KINDS = (
    "429",
    "429-date",
    "500",
    "502",
    "503",
    "drop-before",
    "drop-after",
    "truncated",
    "not-json",
)


async def test_twenty_percent_faults_cost_time_never_data(running: EmulatorFactory) -> None:
    async with running(
        customers=2500, client_options={"retry": st.RetryPolicy(max_retries=8, backoff_base=0.001)}
    ) as (emu, client):
        emu.faults = Faults(rate=0.2, kinds=ALL_KINDS, seed=11)
        ids = [c.id async for c in client.customers.iter_all()]
        assert len(ids) == len(set(ids)) == 2500
        assert set(ids) == emu.ids("customers")
        wanted = sorted(emu.ids("customers"))[:60]
        fetched = await client.customers.get_many(wanted)
        assert [c.id for c in fetched] == wanted
        faults = {r.fault for r in emu.requests if r.fault}
        assert faults == set(ALL_KINDS), "every kind of fault was really exercised"
        partitioned = {c.id async for c in client.customers.iter_all(concurrency=8)}
        assert partitioned == emu.ids("customers")


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("503", st.ServiceUnavailableError),
        ("drop-before", st.TransportError),
        ("not-json", st.DecodeError),
        ("truncated", st.DecodeError),
        ("429", st.RateLimitError),
    ],
)
async def test_a_persistent_fault_ends_in_a_typed_error_and_resume_completes(
    running: EmulatorFactory, kind: str, error: type[st.SevenTimeError]
) -> None:
    policy = st.RetryPolicy(max_retries=2, backoff_base=0.001)
    async with running(customers=320, client_options={"retry": policy}) as (emu, client):
        got: list[str] = []
        emu.faults = Faults(schedule=dict.fromkeys(range(3, 6), kind))  # page 3, 3 attempts
        with pytest.raises(error) as caught:
            await collect_ids(client.customers.iter_all(), got)
        assert caught.value.items_yielded == len(got) == 200
        assert [r.fault for r in emu.requests[2:]] == [kind] * 3  # 1 try + 2 retries
        rest = [c.id async for c in client.customers.iter_all(cursor=caught.value.cursor)]
        assert got + rest == sorted(emu.ids("customers"))


@pytest.mark.parametrize("kind", ["500-after", "drop-after", "500"])
async def test_a_create_is_not_retried_where_it_may_have_been_processed(
    emulator: Emulator, kind: str
) -> None:
    before = len(emulator.ids("customers"))
    emulator.faults = Faults(queue=deque([kind]))
    emulator.reset_counters()
    async with client_for(emulator) as client:
        with pytest.raises(st.ServerError if kind != "drop-after" else st.TransportError):
            await client.customers.create(name="Once Only")
    assert emulator.request_count == 1, "never retried"
    committed = 0 if kind == "500" else 1
    names = [c["name"] for c in emulator.items("customers")]
    assert len(names) == before + committed and names.count("Once Only") == committed


@pytest.mark.parametrize("kind", ["429", "503"])
async def test_a_create_is_retried_where_it_surely_was_not_processed(
    emulator: Emulator, kind: str
) -> None:
    emulator.faults = Faults(queue=deque([kind, kind]))
    emulator.reset_counters()
    async with client_for(emulator) as client:
        created = await client.customers.create(name="After Two Refusals")
    assert [r.fault for r in emulator.requests] == [kind, kind, None]
    assert [c["name"] for c in emulator.items("customers")].count("After Two Refusals") == 1
    assert created.id in emulator.ids("customers")


async def test_a_create_is_retried_when_the_connection_was_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    emu = Emulator(seed=2, port=port)
    retries: list[st.Event] = []
    policy = st.RetryPolicy(max_retries=6, backoff_base=0.05, backoff_cap=0.2)
    client = st.SevenTimeClient(
        emu.api_key,
        base_url=f"http://127.0.0.1:{port}/api/1",
        rate_limit=None,
        retry=policy,
        events=retries.append,
    )
    async with client:
        creating = asyncio.create_task(client.customers.create(name="Patient"))
        await asyncio.sleep(0.15)  # refused at least once: nothing listens yet
        async with emu:
            created = await creating
            assert created.name == "Patient"
            assert [c["name"] for c in emu.items("customers")].count("Patient") == 1
    assert any(isinstance(e, st.RetryScheduled) and e.reason == "not sent" for e in retries)


async def test_retry_after_is_honoured_in_both_forms(emulator: Emulator) -> None:
    # An HTTP date has whole seconds, so 2 s ahead is a wait in (1, 2]: more than the
    # back-off (at most 0.01 s here) would give, so honouring it shows.
    for kind, seconds in (("429", 1), ("429-date", 2)):
        emulator.faults = Faults(queue=deque([kind]), retry_after=seconds)
        emulator.reset_counters()
        retries: list[st.Event] = []
        async with client_for(emulator, events=retries.append) as client:
            assert len(await client.price_lists.list()) == 5
        first, second = emulator.requests
        assert first.fault == kind and second.status == 200
        (retry,) = [e for e in retries if isinstance(e, st.RetryScheduled)]
        assert seconds - 1 < retry.delay <= seconds
        assert second.at - first.at >= retry.delay - 0.02


async def test_a_retry_after_beyond_the_cap_raises_at_once(emulator: Emulator) -> None:
    emulator.faults = Faults(queue=deque(["429"]), retry_after=3600)
    async with client_for(emulator, retry=st.RetryPolicy(max_retry_after=60)) as client:
        started = asyncio.get_running_loop().time()
        with pytest.raises(st.RateLimitError) as caught:
            await client.customers.list()
    assert caught.value.retry_after == 3600
    assert asyncio.get_running_loop().time() - started < 1


async def test_a_timeout_becomes_a_transport_error_and_a_get_is_retried(emulator: Emulator) -> None:
    emulator.faults = Faults(queue=deque(["slow", "slow"]), slow_seconds=2)
    emulator.reset_counters()
    async with client_for(
        emulator, timeout=0.2, retry=st.RetryPolicy(max_retries=1, backoff_base=0.001)
    ) as client:
        with pytest.raises(st.TransportError, match="timed out") as caught:
            await client.customers.list()
    assert caught.value.method == "GET" and "/customers" in caught.value.url
    assert emulator.request_count == 2
    async with client_for(
        emulator, timeout=aiohttp.ClientTimeout(total=5, sock_connect=1)
    ) as client:
        assert await client.customers.list()


async def test_no_one_second_window_holds_more_than_r_plus_1_even_after_a_stall(
    running: EmulatorFactory,
) -> None:
    """Over TCP, read from the server's log: two walks and a bulk get share the limiter
    while the first 8 requests hang for a second, holding every slot. A turn taken before
    a slot was banked by each queued call during the stall and spent at its end at once."""
    rate = 30.0
    async with running(
        customers=900, client_options={"rate_limit": rate, "max_concurrency": 8}
    ) as (emu, client):
        emu.faults = Faults(schedule=dict.fromkeys(range(1, 9), "slow"), slow_seconds=1.0)
        walks = [
            client.customers.iter_all(concurrency=4),
            client.customers.iter_all(sort_direction="descending"),
        ]

        async def drain(walk: st.Paginator[st.Customer]) -> int:
            return len([c async for c in walk])

        ids = [c["_id"] for c in emu.items("customers")[:40]]
        counts = await asyncio.gather(*(drain(w) for w in walks), client.customers.get_many(ids))
        assert counts[0] == counts[1] == 900
        times = [r.at for r in emu.requests]
        assert [r.fault for r in emu.requests[:8]] == ["slow"] * 8
        assert len(times) > 1.5 * rate
        assert most_in_a_window(times) <= rate + 1


def test_the_limiter_slows_after_a_429_and_recovers_gradually() -> None:
    now = [0.0]
    limiter = st.RateLimiter(40, recovery_interval=1.0, recovery_factor=2.0, clock=lambda: now[0])
    limiter.penalize()
    assert limiter.rate == 20
    limiter.penalize()
    assert limiter.rate == 10
    for _ in range(10):
        limiter.penalize()
    assert limiter.rate == 4  # the floor: 10% of the target
    steps = []
    for _ in range(6):
        now[0] += 1.0
        limiter._recover(now[0])
        steps.append(limiter.rate)
    assert steps == [8, 16, 32, 40, 40, 40]


async def test_cancelling_callers_poisons_nothing(running: EmulatorFactory) -> None:
    async with running(
        customers=300, latency=0.05, client_options={"max_concurrency": 4, "rate_limit": 200.0}
    ) as (emu, client):
        ids = [c["_id"] for c in emu.items("customers")[:40]]
        tasks = [asyncio.create_task(client.customers.get(i)) for i in ids]
        await asyncio.sleep(0.07)
        for task in tasks[::2]:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        cancelled = [r for r in results if isinstance(r, asyncio.CancelledError)]
        assert len(cancelled) >= 10  # the ones still queued behind the 4 in flight
        for wanted, result in zip(ids, results, strict=True):
            assert isinstance(result, asyncio.CancelledError) or result.id == wanted  # type: ignore[union-attr]
        assert all(not isinstance(r, BaseException) for r in results[1::2])
        # The semaphore and limiter are whole again: 4 at a time still flow.
        again = await asyncio.gather(*(client.customers.get(i) for i in ids))
        assert [c.id for c in again] == ids


async def test_many_tasks_share_one_client(emulator: Emulator, client: st.SevenTimeClient) -> None:
    ids = [c["_id"] for c in emulator.items("projects")[:50]]
    projects = await asyncio.gather(*(client.projects.get(i) for i in ids))
    assert [p.id for p in projects] == ids


async def test_logs_and_events(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="seventime_async")
    events: list[st.Event] = []
    emulator.faults = Faults(queue=deque(["503"]))
    async with client_for(emulator, events=events.append, rate_limit=1000.0) as client:
        _ = [c async for c in client.customers.iter_all()]  # 3 pages, the first retried once
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(debug) == 4 and len(warnings) == 1  # one line per attempt, one per retry
    assert "GET /customers -> 503 attempt=1" in debug[0].getMessage()
    assert "GET /customers -> 200 attempt=2" in debug[1].getMessage()
    assert "ms" in debug[1].getMessage()
    assert "retry 1/5" in warnings[0].getMessage()
    assert emulator.api_key not in caplog.text
    kinds = [type(e).__name__ for e in events]
    assert kinds.count("RequestStarted") == kinds.count("ResponseReceived") == 4
    assert kinds.count("RetryScheduled") == 1 and kinds.count("PageFetched") == 3
    retry = next(e for e in events if isinstance(e, st.RetryScheduled))
    assert retry.status == 503 and retry.attempt == 1


async def test_a_failing_event_hook_never_breaks_a_request(emulator: Emulator) -> None:
    def broken(event: st.Event) -> None:
        raise RuntimeError("metrics backend down")

    async with client_for(emulator, events=broken) as client:
        assert len(await client.customers.list()) == 100


async def test_the_web_service_example_under_200_concurrent_requests(emulator: Emulator) -> None:
    from examples.web_service import make_app

    app = make_app(
        api_key=emulator.api_key, base_url=emulator.base_url, rate_limit=None, max_concurrency=8
    )
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    ids = [c["_id"] for c in emulator.items("customers")]
    before = asyncio.all_tasks()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:

            async def one(i: int) -> dict[str, Any]:
                async with http.get(f"/customers/{ids[i % len(ids)]}") as response:
                    assert response.status == 200
                    return await response.json()  # type: ignore[no-any-return]

            answers = await asyncio.gather(*(one(i) for i in range(200)))
            assert [a["id"] for a in answers] == [ids[i % len(ids)] for i in range(200)]
            async with http.get("/customers", params={"city": "Båstad"}) as response:
                body = await response.json()
            assert body["count"] == len(
                [c for c in emulator.items("customers") if c["city"] == "Båstad"]
            )
            async with http.get("/customers/nope") as response:
                assert response.status == 400
    finally:
        await runner.cleanup()
    await asyncio.sleep(0)  # let tasks that were finishing finish
    assert asyncio.all_tasks() - before == set(), "nothing the requests started is left"


def test_fault_kinds_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        Faults(kinds=("meteor",))
    assert "truncated" in FAULT_KINDS
