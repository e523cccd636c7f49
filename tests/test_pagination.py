"""iter_all against the emulator over TCP: exactly once, resumable, concurrent, cancellable."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import random
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import seventime_async as st
from seventime_async.emulator import Emulator

from .conftest import EmulatorFactory, collect_ids, head_ids


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 250, 2537])
async def test_every_item_exactly_once(running: EmulatorFactory, size: int) -> None:
    async with running(customers=size) as (emu, client):
        emu.reset_counters()
        ids = [c.id async for c in client.customers.iter_all()]
        assert len(ids) == len(set(ids)) == size
        assert set(ids) == emu.ids("customers")
        assert ids == sorted(ids)
        # One request a full page, plus the short (maybe empty) page that ends the walk.
        assert emu.request_count == size // 100 + 1


async def test_descending_and_filtered_walks(
    emulator: Emulator, client: st.SevenTimeClient
) -> None:
    ids = [c.id async for c in client.customers.iter_all(sort_direction="descending")]
    assert ids == sorted(emulator.ids("customers"), reverse=True)
    counts: dict[str, int] = {}
    for person in emulator.items("contact_persons"):
        counts[person["customer"]] = counts.get(person["customer"], 0) + 1
    big = max(counts, key=counts.__getitem__)
    assert counts[big] > 100  # the walk must cross the cap inside one customer
    people = [p async for p in client.contact_persons.iter_all(customer_id=big)]
    assert len(people) == counts[big] == len({p.id for p in people})
    assert all(p.customer == big for p in people)
    inactive = {u.id async for u in client.users.iter_all(is_active=False)}
    assert inactive == {u["_id"] for u in emulator.items("users") if not u["isActive"]}


@pytest.mark.parametrize("direction", ["ascending", "descending"])
async def test_non_unique_key_with_ties_across_pages(
    emulator: Emulator, client: st.SevenTimeClient, direction: str
) -> None:
    cities = [
        c.city async for c in client.customers.iter_all(sort_by="city", sort_direction=direction)
    ]
    expected = sorted(
        (d["city"] for d in emulator.items("customers")), reverse=direction == "descending"
    )
    assert cities == expected
    walked = [
        c.id async for c in client.customers.iter_all(sort_by="city", sort_direction=direction)
    ]
    assert len(walked) == len(set(walked)) == 250
    # Ties really straddle page boundaries in this account.
    assert expected[99] == expected[100] or expected[199] == expected[200]


async def test_numeric_key_in_order(emulator: Emulator, client: st.SevenTimeClient) -> None:
    numbers = [
        w.work_order_number async for w in client.work_orders.iter_all(sort_by="workOrderNumber")
    ]
    assert numbers == sorted(d["workOrderNumber"] for d in emulator.items("work_orders"))
    down = [
        w.work_order_number
        async for w in client.work_orders.iter_all(
            sort_by="work_order_number", sort_direction="descending"
        )
    ]
    assert down == numbers[::-1]


async def test_more_than_a_page_sharing_one_value_raises_naming_it(
    client: st.SevenTimeClient,
) -> None:
    with pytest.raises(st.PaginationError, match="isActive=True") as caught:
        async for _ in client.customers.iter_all(sort_by="is_active"):
            pass
    assert caught.value.value is True
    assert caught.value.items_yielded is not None and caught.value.items_yielded >= 100
    assert caught.value.cursor


async def test_exactly_once_while_items_change(running: EmulatorFactory) -> None:
    rng = random.Random(3)
    async with running(customers=1200) as (emu, client):
        initial = emu.ids("customers")
        deleted: set[str] = set()
        yielded: list[str] = []

        def mutate(emu: Emulator, resource: str) -> None:
            if resource != "customers":
                return
            for _ in range(4):  # inserts before and after the cursor
                emu.insert(
                    "customers",
                    name="Ny kund",
                    city="Lund",
                    _id=emu.new_id(rng.randint(1_360_000_000, 1_790_000_000)),
                )
            survivors = sorted(
                emu.ids("customers") - {yielded[-1]} if yielded else emu.ids("customers")
            )
            for victim in rng.sample(survivors, 3):
                emu.delete("customers", victim)
                deleted.add(victim)
            if yielded and yielded[-1] in emu.ids("customers"):
                emu.delete("customers", yielded[-1])  # the last one yielded, too
                deleted.add(yielded[-1])
            for target in rng.sample(sorted(emu.ids("customers")), 3):
                emu.modify("customers", target, city="Ändrad")

        emu.before_list = mutate
        async for customer in client.customers.iter_all():
            yielded.append(customer.id)  # type: ignore[arg-type]
        assert len(yielded) == len(set(yielded)), "no id twice"
        stable = initial - deleted
        assert stable <= set(yielded), "every item that lived through the walk was yielded"


async def test_resume_after_break_and_after_max_items(
    emulator: Emulator, client: st.SevenTimeClient
) -> None:
    first: list[str] = []
    walk = client.customers.iter_all(city=None)
    async with contextlib.aclosing(walk):
        async for customer in walk:
            first.append(customer.id)  # type: ignore[arg-type]
            if len(first) == 137:
                break
    token = walk.cursor
    assert walk.items_yielded == 137
    rest = [c.id async for c in client.customers.iter_all(cursor=token)]
    assert first + rest == sorted(emulator.ids("customers"))

    limited = client.customers.iter_all(max_items=40)
    head = [c.id async for c in limited]
    assert len(head) == 40 and not limited.exhausted
    tail = [c.id async for c in client.customers.iter_all(cursor=limited.cursor)]
    assert head + tail == sorted(emulator.ids("customers"))


async def test_resume_on_a_tie_boundary(emulator: Emulator, client: st.SevenTimeClient) -> None:
    everything = [c.id async for c in client.customers.iter_all(sort_by="city")]
    for stop in (1, 57, 100, 101, 180):
        walk = client.customers.iter_all(sort_by="city", max_items=stop)
        head = [c.id async for c in walk]
        tail = [c.id async for c in client.customers.iter_all(sort_by="city", cursor=walk.cursor)]
        assert head + tail == everything, stop


async def test_a_token_is_refused_for_another_query(client: st.SevenTimeClient) -> None:
    walk = client.customers.iter_all(city="Lund", max_items=3)
    _ = [c async for c in walk]
    with pytest.raises(st.ValidationError, match="different query"):
        client.customers.iter_all(city="Båstad", cursor=walk.cursor)
    with pytest.raises(st.ValidationError, match="different query"):
        client.customers.iter_all(city="Lund", sort_by="name", cursor=walk.cursor)
    with pytest.raises(st.ValidationError, match="different query"):
        client.users.iter_all(cursor=walk.cursor)
    with pytest.raises(st.ValidationError, match="mangled"):
        client.customers.iter_all(city="Lund", cursor=walk.cursor[:-5] + "x!x!x")


async def test_a_server_ignoring_the_seek_raises_instead_of_looping(
    emulator: Emulator, client: st.SevenTimeClient
) -> None:
    emulator.ignore_seek = True
    emulator.reset_counters()
    with pytest.raises(st.PaginationError, match=r"_id\[\$gt\]") as caught:
        async for _ in client.customers.iter_all():
            pass
    assert caught.value.parameter == "_id[$gt]"
    assert caught.value.items_yielded == 100  # the first page, never a repeat of it
    assert emulator.request_count == 2
    with pytest.raises(st.PaginationError, match=r"workOrderNumber\[\$gte\]"):
        async for _ in client.work_orders.iter_all(sort_by="workOrderNumber"):
            pass


async def test_the_emulator_serves_every_seek_window_as_a_filter_would(
    emulator: Emulator,
) -> None:
    """Its sliced fast path (no other condition) against a plain filter, sort and cap."""
    ids = sorted(emulator.ids("customers"))
    cuts = [ids[0], ids[3], ids[120], ids[-2], "0" * 24, "f" * 24]
    windows = [(a, b) for a in cuts for b in cuts] + [(a, None) for a in cuts]
    async with aiohttp.ClientSession(headers={"Client-Secret": emulator.api_key}) as session:
        for (low, high), direction in itertools.product(windows, ("ascending", "descending")):
            params = {"sortBy": "_id", "sortDirection": direction, "_id[$gt]": low}
            if high is not None:
                params["_id[$lt]"] = high
            async with session.get(f"{emulator.base_url}/customers", params=params) as reply:
                got = [c["_id"] for c in await reply.json()]
            want = [i for i in ids if i > low and (high is None or i < high)]
            want = (want[::-1] if direction == "descending" else want)[:100]
            assert got == want, (low, high, direction)


@pytest.mark.parametrize(
    ("resource", "options"),
    [
        ("customers", {}),
        ("customers", {"sort_direction": "descending"}),
        ("work_orders", {"sort_by": "workOrderNumber"}),
        ("customers", {"sort_by": "customer_number"}),  # string key: one partition
    ],
)
async def test_a_partitioned_walk_yields_the_same_set(
    running: EmulatorFactory, resource: str, options: dict[str, Any]
) -> None:
    async with running(customers=2537, work_orders=1234) as (emu, client):
        serial = [x.id async for x in getattr(client, resource).iter_all(**options)]
        parallel = [
            x.id async for x in getattr(client, resource).iter_all(concurrency=8, **options)
        ]
        assert len(parallel) == len(set(parallel)) == len(serial)
        assert set(parallel) == set(serial) == emu.ids(resource)


async def test_a_partitioned_walk_resumes_every_partition(running: EmulatorFactory) -> None:
    async with running(customers=2537) as (_emu, client):
        walk = client.customers.iter_all(concurrency=8)
        head = await head_ids(walk, 900)
        rest = [c.id async for c in client.customers.iter_all(concurrency=8, cursor=walk.cursor)]
        assert len(head) + len(rest) == len(set(head) | set(rest)) == 2537
        one_by_one = [
            c.id async for c in client.customers.iter_all(concurrency=1, cursor=walk.cursor)
        ]
        assert set(one_by_one) == set(rest)


async def test_a_small_result_is_served_by_the_probe(running: EmulatorFactory) -> None:
    async with running(customers=42) as (emu, client):
        emu.reset_counters()
        ids = [c.id async for c in client.customers.iter_all(concurrency=8)]
        assert sorted(ids) == sorted(emu.ids("customers"))
        assert emu.request_count == 2  # the two probes, nothing more


async def test_pages(emulator: Emulator, client: st.SevenTimeClient) -> None:
    walk = client.customers.iter_all()
    sizes = []
    async for page in walk.pages():
        assert all(isinstance(c, st.Customer) for c in page)
        sizes.append(len(page))
    assert sizes == [100, 100, 50]
    assert walk.exhausted
    assert [c async for c in client.customers.iter_all(cursor=walk.cursor)] == []
    raw = [r async for r in client.customers.iter_raw(max_items=3)]
    assert raw == emulator.items("customers")[:3]


_PACKAGE = Path(st.__file__).parent


def _client_tasks() -> list[asyncio.Task[Any]]:
    """Tasks running the client's code (the emulator's server tasks aside): a task's
    coroutine is located by the file its code comes from."""

    def ours(task: asyncio.Task[Any]) -> bool:
        code = getattr(task.get_coro(), "cr_code", None)
        where = Path(code.co_filename) if code is not None else None
        return (
            where is not None
            and _PACKAGE in where.parents
            and _PACKAGE / "emulator" not in where.parents
        )

    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and ours(t)]


async def _no_other_tasks() -> None:
    await asyncio.sleep(0)
    assert _client_tasks() == []


@pytest.mark.parametrize("version", [1, 2])
async def test_break_and_cancel_leave_nothing_behind(
    running: EmulatorFactory, version: int
) -> None:
    loop = asyncio.get_running_loop()
    problems: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: problems.append(context))
    windows = {"api_version": version, "v2_seek": False}  # v2: concurrent page windows
    async with running(customers=3000, latency=0.002, **windows) as (_emu, client):
        walk = client.customers.iter_all(concurrency=8)
        async with contextlib.aclosing(walk):
            async for _ in walk:
                assert _client_tasks(), "the check sees a walk's requests in flight"
                break
        await _no_other_tasks()

        # The walk as its own context manager, kept for its cursor: closed on leaving.
        async with client.customers.iter_all(concurrency=8) as kept:
            async for _ in kept:
                break
        await _no_other_tasks()
        assert kept.items_yielded == 1 and kept.cursor

        # A plain break, no aclose: the walk is finalised when dropped.
        async for _ in client.customers.iter_all(concurrency=8):
            break
        gc.collect()
        for _ in range(5):
            await asyncio.sleep(0.01)
        await _no_other_tasks()

        # Cancelling the consumer mid-walk cancels the workers too.
        async def consume() -> None:
            async for _ in client.customers.iter_all(concurrency=4):
                await asyncio.sleep(0)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.01)
        await _no_other_tasks()
        # The client is still healthy afterwards.
        assert len(await client.customers.list()) == 100
    assert problems == []


async def test_get_many(emulator: Emulator, client: st.SevenTimeClient) -> None:
    ids = [d["_id"] for d in emulator.items("invoices")[:60]]
    wanted = ids + ids[:5]  # repeats are fetched once
    emulator.reset_counters()
    invoices = await client.invoices.get_many(wanted)
    assert [i.id for i in invoices] == wanted
    assert emulator.request_count == 60
    missing = "5bb26376c42fb99275000099"
    with pytest.raises(st.NotFoundError):
        await client.invoices.get_many([ids[0], missing])
    mixed = await client.invoices.get_many([ids[0], missing, ids[1]], return_exceptions=True)
    assert isinstance(mixed[0], st.Invoice) and isinstance(mixed[2], st.Invoice)
    assert isinstance(mixed[1], st.NotFoundError) and mixed[1].status == 404
    assert await client.invoices.get_many([]) == []


async def test_the_range_probes_two_ends_disagreeing_is_a_typed_error(
    running: EmulatorFactory,
) -> None:
    """#10 item 5: the descending probe finds nothing where the ascending one found a
    full page (everything deleted between them): no IndexError, a PaginationError."""
    async with running(customers=300) as (emu, client):
        calls = []

        def empty_after_the_first(emu: Emulator, resource: str) -> None:
            calls.append(resource)
            if len(calls) == 2:
                for victim in emu.ids("customers"):
                    emu.delete("customers", victim)

        emu.before_list = empty_after_the_first
        with pytest.raises(st.PaginationError, match="two ends of the key range") as caught:
            async for _ in client.customers.iter_all(concurrency=4):
                pass
        assert caught.value.cursor is not None and caught.value.items_yielded == 0


async def test_a_filter_on_the_sort_key_is_refused_before_its_seek_is_sent(
    running: EmulatorFactory,
) -> None:
    """#10 item 11: ``city=X`` and ``city[$gte]=Y`` merge into one array in Express's
    query parser (a 400); the walk names the value instead, before sending it."""
    async with running(customers=3000) as (emu, client):
        counts: dict[str, int] = {}
        for customer in emu.items("customers"):
            counts[customer["city"]] = counts.get(customer["city"], 0) + 1
        city = max(counts, key=counts.__getitem__)
        assert counts[city] > 100, "the walk must need a second page"
        emu.reset_counters()
        got: list[str] = []
        with pytest.raises(st.PaginationError, match=f"filtering city={city}") as caught:
            await collect_ids(client.customers.iter_all(sort_by="city", city=city), got)
        assert caught.value.value == city and len(got) == 100
        assert emu.request_count == 1
        walked = [c.id async for c in client.customers.iter_all(city=city)]
        assert len(walked) == counts[city]
