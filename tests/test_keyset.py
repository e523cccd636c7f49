"""The pure keyset planner, against an in-memory model of the server's query semantics."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from seventime_async import PaginationError
from seventime_async._keyset import (
    _checked,
    _plainly_in_range,
    boundaries,
    check_page,
    request_params,
    split,
)
from seventime_async._plan import Position, WalkSpec

from .conftest import EmulatorFactory


async def collect_raw_ids(walk: Any, into: list[Any]) -> None:
    async for item in walk:
        into.append(item["_id"])


_RANGE = re.compile(r"(\w+)\[\$(gt|gte|lt|lte)\]")


def serve(
    rows: dict[str, dict[str, Any]], params: list[tuple[str, str]], size: int
) -> list[dict[str, Any]]:
    """What a Mongo-backed list endpoint returns for ``params`` (at most ``size`` items)."""
    query = dict(params)
    key, descending = query["sortBy"], query["sortDirection"] == "descending"
    conditions = []
    for name, text in params:
        match = _RANGE.fullmatch(name)
        if match:
            field, op = match.groups()
            conditions.append((field, op, int(text) if field == "k" else text))

    def holds(row: dict[str, Any]) -> bool:
        for field, op, value in conditions:
            v = row[field]
            if not {"gt": v > value, "gte": v >= value, "lt": v < value, "lte": v <= value}[op]:
                return False
        return True

    found = sorted(
        (r for r in rows.values() if holds(r)), key=lambda r: (r[key], r["_id"]), reverse=descending
    )
    return [dict(r) for r in found[:size]]


def oid(n: int) -> str:
    return f"{n:024x}"


@settings(max_examples=120, deadline=None)
@given(hs.data())
def test_every_stable_item_exactly_once_under_random_mutation(data: hs.DataObject) -> None:
    size = data.draw(hs.integers(2, 12), label="page size")
    unique = data.draw(hs.booleans(), label="unique key")
    descending = data.draw(hs.booleans(), label="descending")
    partitions = data.draw(hs.integers(1, 4), label="partitions")
    n = data.draw(hs.integers(0, 80), label="items")
    spread = data.draw(hs.integers(1, 40), label="distinct key values")
    ids = data.draw(hs.lists(hs.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    rows = {oid(i): {"_id": oid(i), "k": data.draw(hs.integers(0, spread))} for i in ids}
    spec = WalkSpec(path="/x", key="_id" if unique else "k", unique=unique, descending=descending)
    stable = set(rows)
    changed: set[str] = set()
    max_ties = 0
    if unique:
        low, high = (min(rows), max(rows)) if rows else (None, None)
    else:
        low, high = (
            (min(r["k"] for r in rows.values()), max(r["k"] for r in rows.values()))
            if rows
            else (None, None)
        )
    positions = split(low, high, partitions) if rows else [Position()]
    yielded: list[str] = []
    budget = data.draw(hs.integers(0, 30), label="mutation budget")  # a walk must be able to end
    seen: set[Any] | None = None if unique else set()  # one per walk, across partitions
    try:
        for index in range(len(positions)):
            while not positions[index].done:
                # Random inserts, deletes and key changes before every page.
                burst = min(budget, data.draw(hs.integers(0, 3), label="mutations"))
                budget -= burst
                for _ in range(burst):
                    action = data.draw(hs.sampled_from(["insert", "delete", "modify"]))
                    if action == "insert":
                        new = oid(data.draw(hs.integers(0, 10_000)))
                        if new not in rows:
                            rows[new] = {"_id": new, "k": data.draw(hs.integers(0, spread))}
                    elif rows and action == "delete":
                        victim = data.draw(hs.sampled_from(sorted(rows)))
                        del rows[victim]
                        stable.discard(victim)
                    elif rows and not unique:
                        target = data.draw(hs.sampled_from(sorted(rows)))
                        rows[target]["k"] = data.draw(hs.integers(0, spread))
                        changed.add(target)
                counts: dict[int, int] = {}
                for r in rows.values():
                    counts[r["k"]] = counts.get(r["k"], 0) + 1
                max_ties = max(max_ties, *counts.values(), 0)
                # The position survives a trip through a token's row at every step.
                positions = [Position.from_row(p.row()) for p in positions]
                pos = positions[index]
                page = serve(rows, request_params(spec, pos), size)
                fresh, after = check_page(spec, pos, page, seen=seen, page_size=size)
                yielded.extend(r["_id"] for r in fresh)
                positions[index] = after
    except PaginationError:
        assert not unique and max_ties >= size, "only a tie group of a full page may stop a walk"
        return
    assert len(yielded) == len(set(yielded)), "an id was yielded twice"
    missing = (stable - changed) - set(yielded)
    assert not missing, f"stable items never yielded: {sorted(missing)[:5]}"


_KEYS = hs.one_of(
    hs.sampled_from([oid(i) for i in range(0, 40, 3)]),
    hs.integers(0, 40),
    hs.none(),
    hs.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(
    keys=hs.lists(_KEYS, max_size=8),
    descending=hs.booleans(),
    lower=_KEYS,
    upper=_KEYS,
    last=_KEYS,
    started=hs.booleans(),
)
def test_the_fast_page_check_never_passes_what_the_full_check_refuses(
    keys: list[Any], descending: bool, lower: Any, upper: Any, last: Any, started: bool
) -> None:
    """Pages sorted or not, in range or not, of mixed types: whenever the C-level check
    says a page is fine, the item-by-item check agrees and takes every item."""
    spec = WalkSpec(path="/x", key="k", unique=True, descending=descending)
    pos = Position(lower=lower, upper=upper, started=started, last=last)
    page = [{"_id": oid(i), "k": k} for i, k in enumerate(keys)]
    try:
        full: list[dict[str, Any]] | None = _checked(spec, pos, page, None)
    except PaginationError:
        full = None
    if _plainly_in_range(spec, pos, page):
        assert full == page
    # And the common page does take the fast path.
    if full == page and all(type(k) is str for k in [*keys, lower, upper, last]):
        assert _plainly_in_range(spec, pos, page)


def test_a_page_out_of_order_is_caught() -> None:
    spec = WalkSpec(path="/x", key="k", unique=False)
    with pytest.raises(PaginationError, match="sortBy"):
        check_page(spec, Position(), [{"_id": oid(1), "k": 2}, {"_id": oid(2), "k": 1}])


def test_seek_parameters() -> None:
    spec = WalkSpec(path="/x", key="k", unique=False, descending=True, filters=(("city", "Lund"),))
    pos = Position(lower=10, upper=20, started=True, last=15, ids_at_last=("a",))
    assert request_params(spec, pos) == [
        ("city", "Lund"),
        ("sortBy", "k"),
        ("sortDirection", "descending"),
        ("k[$lte]", "15"),
        ("k[$gte]", "10"),
    ]
    fresh = Position(lower="5bb26376c42fb99275000080")
    assert request_params(WalkSpec(path="/x"), fresh)[-1] == (
        "_id[$gte]",
        "5bb26376c42fb99275000080",
    )
    with pytest.raises(PaginationError, match="null"):
        request_params(spec, attrs.evolve(pos, last=None))
    # A seek on a key also filtered on would merge with the filter into one array.
    filtered = attrs.evolve(spec, key="city", filters=(("city", "Lund"),))
    assert request_params(filtered, Position())[-1] == ("sortDirection", "descending")
    with pytest.raises(PaginationError, match="filtering city=Lund") as caught:
        request_params(filtered, pos)
    assert caught.value.value == "Lund"


def test_boundaries_split_object_ids_by_time_and_numbers_numerically() -> None:
    low, high = "5bb26376c42fb99275000080", "5fb26376c42fb99275000080"
    cuts = boundaries(low, high, 4)
    assert len(cuts) == 3 and all(low < c <= high for c in cuts) and cuts == sorted(cuts)
    assert all(c.endswith("0" * 16) for c in cuts)
    assert boundaries(2901, 3400, 4) == [3025, 3150, 3275]
    assert boundaries("Båstad", "Umeå", 4) == []
    assert boundaries(5, 5, 4) == []
    parts = split(2901, 3400, 4)
    assert parts[0].lower is None and parts[-1].upper is None
    assert [p.upper for p in parts[:-1]] == [p.lower for p in parts[1:]]


# -- null keys, against the emulator (v1) ----------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_a_walk_that_sought_past_null_keys_refuses_to_end_short(
    running: EmulatorFactory, concurrency: int
) -> None:
    """A descending seek never matches a null key (nulls sort last there), so the walk
    asks once for the first ascending page and names the key when it shows nulls."""
    async with running(customers=450, api_version=1) as (emu, client):
        nulls = set(sorted(emu.ids("customers"))[::40])
        for item_id in nulls:
            emu.modify("customers", item_id, name=None)
        got: list[Any] = []
        walk = client.customers.iter_raw(
            sort_by="name", sort_direction="descending", concurrency=concurrency
        )
        with pytest.raises(PaginationError, match="name is null or missing") as caught:
            await collect_raw_ids(walk, got)
        assert caught.value.parameter == "name"
        assert set(got) == emu.ids("customers") - nulls and len(got) == len(set(got))
        # Ascending on one lane meets the nulls first, and yields them.
        ascending = [item["_id"] async for item in client.customers.iter_raw(sort_by="name")]
        assert sorted(ascending) == sorted(emu.ids("customers"))
        assert set(ascending[: len(nulls)]) == nulls


async def test_a_descending_walk_without_null_keys_ends_after_one_check(
    running: EmulatorFactory,
) -> None:
    async with running(customers=450, api_version=1) as (emu, client):
        emu.reset_counters()
        walk = client.customers.iter_raw(sort_by="name", sort_direction="descending")
        got = [item["_id"] async for item in walk]
        assert sorted(got) == sorted(emu.ids("customers")) and walk.exhausted
        assert emu.request_count == 5 + 1  # 450 items in pages of 100, then the check
