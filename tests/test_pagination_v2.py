"""iter_all in v2 against the emulator over TCP: page windows and the seek probe.

``v2_seek=False`` makes the emulator refuse v1's seek spelling (400), so the walk runs
on page windows alone; by default it honours it, and the walk pages keyset-wise.
"""

from __future__ import annotations

import itertools
import math
import random
import warnings
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from aiohttp import web

import seventime_async as st
from seventime_async._dialect import V2, ListPage
from seventime_async._plan import WalkSpec
from seventime_async._walk import open_walk
from seventime_async._windows import fewest_requests
from seventime_async.emulator import Emulator, Faults

from .conftest import EmulatorFactory, collect_ids, head_ids, serving

WINDOWS = {"api_version": 2, "v2_seek": False}
SEEK = {"api_version": 2}


def list_requests(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.method == "GET"]


@pytest.mark.parametrize("size", [0, 1, 499, 500, 501, 2537])
async def test_every_item_exactly_once_by_windows(running: EmulatorFactory, size: int) -> None:
    async with running(customers=size, **WINDOWS) as (emu, client):
        emu.reset_counters()
        walk = client.customers.iter_all()
        ids = [c.id async for c in walk]
        assert ids == sorted(emu.ids("customers")) and len(set(ids)) == size
        # The windows the rule allows at the least, plus the refused seek probe.
        probe = 1 if size >= 500 else 0
        assert emu.request_count == fewest_requests(size) + probe
        assert walk.total == size and walk.exhausted


@pytest.mark.parametrize("size", [0, 1, 499, 500, 501, 2537])
async def test_every_item_exactly_once_by_an_honoured_seek(
    running: EmulatorFactory, size: int
) -> None:
    async with running(customers=size, **SEEK) as (emu, client):
        emu.reset_counters()
        ids = [c.id async for c in client.customers.iter_all()]
        assert ids == sorted(emu.ids("customers")) and len(set(ids)) == size
        assert emu.request_count == size // 500 + 1  # ceil(N/500), or one more when exact
        if size > 500:
            assert "_id%5B%24gt%5D" in emu.requests[1].query or "_id[$gt]" in emu.requests[1].query


def _mutator(
    rng: random.Random, yielded: list[str], deleted: set[str], *, inserts_before: int
) -> Any:
    """Before every list request: delete the last item yielded and two before it, insert
    ``inserts_before`` items before the cursor and two after it, edit three."""

    def mutate(emu: Emulator, resource: str) -> None:
        if resource != "customers" or not yielded:
            return
        alive = emu.ids("customers")
        for victim in [i for i in yielded[-6:] if i in alive][-3:]:
            emu.delete("customers", victim)
            deleted.add(victim)
        cursor_second = int(yielded[-1][:8], 16)
        for _ in range(inserts_before):
            emu.insert("customers", name="Före", _id=emu.new_id(rng.randint(1, cursor_second - 1)))
        for _ in range(2):
            emu.insert(
                "customers", name="Efter", _id=emu.new_id(cursor_second + rng.randint(1, 10**6))
            )
        for target in rng.sample(sorted(emu.ids("customers")), 3):
            emu.modify("customers", target, city="Ändrad")

    return mutate


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("inserts_before", [0, 2])
@pytest.mark.parametrize("mode", ["windows", "seek"])
async def test_stable_items_exactly_once_under_deletes_before_the_cursor(
    running: EmulatorFactory, concurrency: int, inserts_before: int, mode: str
) -> None:
    options = WINDOWS if mode == "windows" else SEEK
    async with running(customers=2600, **options) as (emu, client):
        initial = emu.ids("customers")
        yielded: list[str] = []
        deleted: set[str] = set()
        emu.before_list = _mutator(
            random.Random(concurrency), yielded, deleted, inserts_before=inserts_before
        )
        walk = client.customers.iter_all(concurrency=concurrency, page_size=97)
        await collect_ids(walk, yielded)
        assert len(yielded) == len(set(yielded)), "no id twice"
        missing = (initial - deleted) - set(yielded)
        assert not missing, f"{len(missing)} stable items never yielded"
        assert yielded == sorted(yielded)


async def test_resume_from_a_token_after_a_break_and_after_a_fault(
    running: EmulatorFactory,
) -> None:
    no_retry = {"retry": st.RetryPolicy(max_retries=0)}
    async with running(customers=1800, client_options=no_retry, **WINDOWS) as (emu, client):
        everything = sorted(emu.ids("customers"))
        walk = client.customers.iter_all(page_size=200)
        head = await head_ids(walk, 437)
        rest = [c.id async for c in client.customers.iter_all(page_size=200, cursor=walk.cursor)]
        assert head + rest == everything

        emu.reset_counters()
        emu.faults = Faults(schedule={4: "503"})
        got: list[str] = []
        with pytest.raises(st.ServiceUnavailableError) as caught:
            await collect_ids(client.customers.iter_all(page_size=200), got)
        assert caught.value.cursor is not None and caught.value.items_yielded == len(got) > 0
        emu.faults = Faults()
        token = caught.value.cursor
        rest = [c.id async for c in client.customers.iter_all(page_size=200, cursor=token)]
        assert got + rest == everything


async def test_a_server_ignoring_sortby_is_named(running: EmulatorFactory) -> None:
    async with running(customers=700, ignore_sort=True, **WINDOWS) as (_emu, client):
        with pytest.raises(st.PaginationError, match="ignored sortBy") as caught:
            async for _ in client.customers.iter_all(sort_by="name"):
                pass
        assert caught.value.parameter == "sortBy"
        assert caught.value.cursor is not None and caught.value.items_yielded == 0


@pytest.mark.parametrize("options", [WINDOWS, SEEK])
async def test_a_limit_capped_at_100_is_adapted_to(
    running: EmulatorFactory, options: dict[str, Any]
) -> None:
    async with running(customers=1234, max_limit=100, **options) as (emu, client):
        emu.reset_counters()
        ids = [c.id async for c in client.customers.iter_all()]
        assert ids == sorted(emu.ids("customers"))
        assert emu.request_count <= fewest_requests(1234, 100) + 2
        limits = [r.query for r in list_requests(emu)[2:]]
        assert all("limit=100" in q or "limit=9" in q for q in limits), limits[:3]


async def test_a_lookup_list_without_meta(running: EmulatorFactory) -> None:
    async with running(**WINDOWS) as (emu, client):
        walk = client.project_statuses.iter_all()
        ids = [s.id async for s in walk]
        assert sorted(ids) == sorted(emu.ids("project_statuses")) and len(ids) == len(set(ids))
        assert walk.total is None and walk.exhausted


async def test_tokens_are_refused_across_versions(running: EmulatorFactory) -> None:
    async with running(customers=300, **WINDOWS) as (emu, v2):
        v2_walk = v2.customers.iter_all(max_items=5)
        _ = [c async for c in v2_walk]
        async with st.SevenTimeClient(emu.api_key, base_url=emu.url(1), rate_limit=None) as v1:
            v1_walk = v1.customers.iter_all(max_items=5)
            _ = [c async for c in v1_walk]
            with pytest.raises(st.ValidationError, match="API v2 walk and this client speaks v1"):
                v1.customers.iter_all(cursor=v2_walk.cursor)
            with pytest.raises(st.ValidationError, match="API v1 walk and this client speaks v2"):
                v2.customers.iter_all(cursor=v1_walk.cursor)
        rest = [c.id async for c in v2.customers.iter_all(cursor=v2_walk.cursor)]
        assert len(rest) == 295


async def test_page_size_and_its_deprecated_alias(running: EmulatorFactory) -> None:
    async with running(customers=450, **WINDOWS) as (emu, client):
        emu.reset_counters()
        walk = client.customers.iter_all(page_size=150)
        # Windows (150, 1), (149, 2), (148, 3), then one holding the last 6 and the end.
        assert [len(page) async for page in walk.pages()] == [150, 148, 146, 6]
        limits = [int(r.query.split("limit=")[1].split("&")[0]) for r in emu.requests]
        assert max(limits) == 150
        with pytest.raises(st.ValidationError, match=r"page_size must be 1\.\.500"):
            client.customers.iter_all(page_size=501)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hinted = [c.id async for c in client.customers.iter_all(page_size_hint=150)]
        assert [w.category for w in caught] == [DeprecationWarning]
        assert hinted == sorted(emu.ids("customers"))


async def test_concurrent_windows_are_fetched_side_by_side(running: EmulatorFactory) -> None:
    async with running(customers=5000, latency=0.02, **WINDOWS) as (emu, client):
        emu.reset_counters()
        walk = client.customers.iter_all(concurrency=4)
        ids = [c.id async for c in walk]
        assert ids == sorted(emu.ids("customers"))
        windows = list_requests(emu)[2:]  # after the first window and the refused probe
        assert len(windows) <= fewest_requests(5000) + 1
        # Four at a time: a later request arrived before an earlier one was answered.
        overlaps = sum(1 for a, b in itertools.pairwise(windows) if b.at - a.at < 0.015)
        assert overlaps >= len(windows) // 2


async def test_the_seek_probe_is_sent_once_and_checked(running: EmulatorFactory) -> None:
    async with running(customers=1600, ignore_seek=True, api_version=2) as (emu, client):
        emu.reset_counters()
        ids = [c.id async for c in client.customers.iter_all()]
        assert ids == sorted(emu.ids("customers"))
        seeks = [r for r in list_requests(emu) if "%24gt" in r.query or "$gt" in r.query]
        assert len(seeks) == 1  # ignored once, never trusted again
        assert emu.request_count == fewest_requests(1600) + 1
        assert math.ceil(1600 / 500) < emu.request_count


async def test_a_page_larger_than_asked_is_a_decode_error() -> None:
    """#10 item 4: a server answering 600 items to ``limit=500`` is refused, naming it."""
    items = [{"_id": f"{i:024x}", "name": "x"} for i in range(600)]
    body = orjson.dumps({"meta": {"totalResources": 600, "currentPage": 1}, "data": items})

    async def oversized(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/2/customers", oversized)
    async with serving(app) as root:
        async with st.SevenTimeClient("k", base_url=f"{root}/api/2") as client:
            with pytest.raises(
                st.DecodeError, match="600 items answered a request for 500"
            ) as caught:
                async for _ in client.customers.iter_all():
                    pass
        assert caught.value.status == 200 and "limit=500" in caught.value.url
        assert caught.value.cursor is not None and caught.value.items_yielded == 0


async def test_anything_unexpected_in_a_walk_is_a_typed_error_with_its_cursor() -> None:
    """#10 item 5: an id a set cannot hold (a list) breaks a non-unique walk's ledger;
    the walk raises a PaginationError carrying the cursor, the cause chained."""
    rows: list[dict[str, Any]] = [{"_id": str(k), "k": k} for k in range(20)]
    rows.append({"_id": ["no"], "k": 20})

    async def fetch(params: Any) -> ListPage:
        query = dict(params)
        if "page" not in query:  # the seek probe past k=19, honoured
            return ListPage(rows[20:], total=1)
        limit, page = int(query["limit"]), int(query["page"])
        return ListPage(rows[(page - 1) * limit : page * limit], total=len(rows), page=page)

    spec = WalkSpec(path="/x", key="k", unique=False)
    walk = open_walk(
        fetch,
        spec,
        V2,
        lambda items, _: [SimpleNamespace(id=i["_id"]) for i in items],
        page_size=20,
    )
    got: list[str] = []
    with pytest.raises(st.PaginationError, match="unexpectedly: TypeError") as caught:
        await collect_ids(walk, got)
    assert got == [str(k) for k in range(20)] and caught.value.items_yielded == 20
    assert isinstance(caught.value.__cause__, TypeError)
    rest = open_walk(fetch, spec, V2, lambda items, _: items, cursor=caught.value.cursor)
    assert rest.items_yielded == 0


@pytest.mark.parametrize("resume", [False, True])
async def test_a_cap_appearing_mid_walk_is_adapted_to_not_taken_for_the_end(
    running: EmulatorFactory, resume: bool
) -> None:
    """A server that starts capping ``limit`` past the first window pages by its cap, so
    the short window (499, 2) holds items 100..199, all before the cursor: that is a cap,
    never the end of the list (meta still counts 599), whether met mid-walk or on resume."""
    async with running(customers=599, **WINDOWS) as (emu, client):
        everything = sorted(emu.ids("customers"))
        walk = client.customers.iter_all()
        if resume:
            got = await head_ids(walk, 500)
            emu.max_limit = 100
            walk = client.customers.iter_all(cursor=walk.cursor)
            got += [c.id async for c in walk]
        else:
            got = []
            async for customer in walk:
                got.append(customer.id)
                if len(got) == 500:
                    emu.max_limit = 100
        assert got == everything and walk.exhausted


async def test_a_page_size_too_small_to_walk_far_is_refused_before_any_request(
    running: EmulatorFactory,
) -> None:
    """Below 20 items a window, the windows dead-end on ordinary lists (page_size 9 or 10
    at item 2520); from 20 on they walk them."""
    async with running(customers=2600, **WINDOWS) as (emu, client):
        emu.reset_counters()
        for size in (2, 10, 19):
            with pytest.raises(st.ValidationError, match="at least 20 for a v2 walk"):
                client.customers.iter_all(page_size=size)
        assert emu.request_count == 0
        ids = [c.id async for c in client.customers.iter_all(page_size=20)]
        assert ids == sorted(emu.ids("customers"))


async def test_a_seek_token_resumed_against_a_server_refusing_the_seek_falls_back(
    running: EmulatorFactory,
) -> None:
    async with running(customers=2000, **SEEK) as (emu, client):
        walk = client.customers.iter_all()
        head = await head_ids(walk, 600)  # a window, then a seek: the token says honoured
        emu.v2_seek = False  # the seek is now a 400
        everything = sorted(emu.ids("customers"))
        rest = [c.id async for c in client.customers.iter_all(cursor=walk.cursor)]
        assert head + rest == everything


async def test_a_descending_walk_on_a_nullable_key_yields_the_nulls(
    running: EmulatorFactory,
) -> None:
    """No seek matches a null key, so a walk on any key but the unique one uses windows
    (which hold the nulls, last in a descending sort) even where the seek is honoured."""
    async with running(customers=1200, **SEEK) as (emu, client):
        nulls = set(sorted(emu.ids("customers"))[::40])
        for item_id in nulls:
            emu.modify("customers", item_id, name=None)
        emu.reset_counters()
        walk = client.customers.iter_raw(sort_by="name", sort_direction="descending")
        got = [item["_id"] async for item in walk]
        assert sorted(got) == sorted(emu.ids("customers")) and len(got) == len(set(got))
        assert nulls <= set(got[-len(nulls) :])
        assert not any("%24" in r.query or "[$" in r.query for r in list_requests(emu))


async def test_total_in_seek_mode_follows_the_servers_count_after_the_cursor(
    running: EmulatorFactory,
) -> None:
    """A seek's meta counts the items after the cursor; ``total`` is what the walk passed
    plus that newest count, so inserts after the cursor show at once and it ends equal
    to what was yielded, deletes behind the cursor included."""
    async with running(customers=2000, **SEEK) as (emu, client):
        walk = client.customers.iter_all()
        got: list[str] = []
        async for customer in walk:
            got.append(customer.id)
            if len(got) == 1100:
                for item_id in got[:300]:
                    emu.delete("customers", item_id)
                for _ in range(50):
                    emu.insert("customers", name="Ny kund")
        assert walk.exhausted and len(got) == len(set(got)) == 2050
        assert walk.total == 2050
