"""The pure page-window planner against an in-memory model of a v2 list endpoint.

The model answers ``limit``/``page`` with offset semantics over the list as it is at
that moment, and can change the list between any two answers. The properties are the
walk's contract: every item that exists from start to end is yielded exactly once,
none twice, in key order, and the walk ends.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from seventime_async import PaginationError, ValidationError
from seventime_async._dialect import ListPage
from seventime_async._plan import Ask, Batch, WalkOptions, WalkSpec
from seventime_async._windows import Seek, WindowPlanner, best_window, fewest_requests

_SEEK = re.compile(r"(\w+)\[\$(gt|gte|lt|lte)\]")
Raw = dict[str, Any]


class Refused(Exception):
    """The model's 400."""


class Model:
    """A v2 list endpoint over ``rows`` (id -> key), sorted by key then id."""

    def __init__(
        self,
        rows: dict[int, int],
        *,
        seek: str = "refuse",
        cap: int | None = None,
        meta: bool = True,
    ) -> None:
        self.rows = rows
        self.seek = seek  # "honour", "ignore" or "refuse"
        self.cap = cap
        self.meta = meta
        self.requests = 0

    def sorted(self, key: str, descending: bool) -> list[Raw]:
        field = "_id" if key == "_id" else "k"
        docs = [{"_id": oid(i), "k": k} for i, k in self.rows.items()]
        docs.sort(key=lambda d: (d[field], d["_id"]), reverse=descending)
        return docs

    def answer(self, ask: Ask) -> ListPage:
        self.requests += 1
        query = dict(ask.params)
        docs = self.sorted(query["sortBy"], query["sortDirection"] == "descending")
        for name, text in ask.params:
            found = _SEEK.fullmatch(name)
            if found is None:
                continue
            if self.seek == "refuse":
                raise Refused
            if self.seek == "honour":
                field, op = found.groups()
                value: Any = text if field == "_id" else int(text)
                docs = [d for d in docs if _holds(d[field], op, value)]
        limit = int(query.get("limit", 100))
        served = min(limit, self.cap) if self.cap else limit
        page = int(query.get("page", 1))
        start = (page - 1) * limit
        data = docs[start : start + served]
        if not self.meta:
            return ListPage(data)
        pages = math.ceil(len(docs) / limit) if limit else 0
        return ListPage(data, total=len(docs), total_pages=pages, page=page)


def _holds(value: Any, op: str, than: Any) -> bool:
    return {"gt": value > than, "gte": value >= than, "lt": value < than, "lte": value <= than}[op]


def oid(n: int) -> str:
    return f"{n:024x}"


def run(
    planner: WindowPlanner,
    model: Model,
    *,
    concurrency: int = 1,
    between: Any = None,
    rng: random.Random | None = None,
    steps: int = 5000,
    into: list[Batch] | None = None,
) -> list[Batch]:
    """Drive ``planner`` as the driver does: up to ``concurrency`` asks out, answered
    in random order (each at the moment it is answered), ``between`` called before
    each answer to change the list. Batches go to ``into`` as they come."""
    rng = rng or random.Random(0)
    out: list[Batch] = [] if into is None else into
    pending: deque[Ask] = deque()
    for _ in range(steps):
        if planner.finished:
            return out
        held = planner.held
        room = min(concurrency, 2 * concurrency - held) - len(pending)
        if room > 0:
            pending.extend(planner.asks(room))
        assert pending, "the planner neither finished nor asked for anything"
        if between is not None:
            between()
        ask = pending[rng.randrange(len(pending))]
        pending.remove(ask)
        try:
            page = model.answer(ask)
        except Refused:
            assert ask.probe, "only a probe may be refused"
            out += planner.refused(ask)
            continue
        assert len(page.items) <= ask.limit
        out += planner.take(ask, page)
    raise AssertionError(f"the walk did not end in {steps} requests")


def ids_of(batches: list[Batch]) -> list[str]:
    return [item["_id"] for batch in batches for item in batch.items]


def spec_for(unique: bool = True, descending: bool = False) -> WalkSpec:
    return WalkSpec(path="/x", key="_id" if unique else "k", unique=unique, descending=descending)


def planner_for(
    spec: WalkSpec, size: int = 500, concurrency: int = 1, lanes: list[Any] | None = None
) -> WindowPlanner:
    return WindowPlanner(spec, WalkOptions(concurrency, size), lanes)


# -- the floor -----------------------------------------------------------------------------


def exhaustive_floor(total: int, max_limit: int) -> int:
    """The fewest windows, by breadth-first search over every (limit, page) choice."""
    frontier, requests = {-1}, 0
    while True:
        requests += 1
        reached = set()
        for last in frontier:
            for limit in range(1, max_limit + 1):
                starts = [0] if last < 0 else range(0, last + 1, limit)
                for start in starts:
                    if start + limit > total:
                        return requests
                    if start + limit - 1 > last:
                        reached.add(start + limit - 1)
        frontier = reached


@settings(max_examples=60, deadline=None)
@given(total=hs.integers(0, 150), max_limit=hs.integers(7, 12))
def test_the_floor_is_the_exhaustive_dynamic_program(total: int, max_limit: int) -> None:
    assert fewest_requests(total, max_limit) == exhaustive_floor(total, max_limit)


def test_a_limit_too_small_to_verify_a_next_window_is_refused() -> None:
    # Items 0..5 seen: windows of 1, 2 or 3 that hold item 5 all end at it.
    with pytest.raises(PaginationError, match="cannot verify") as caught:
        best_window(5, 3)
    assert caught.value.parameter == "limit"
    assert best_window(5, 4) == (4, 2)


def test_the_floor_is_near_the_ideal() -> None:
    assert fewest_requests(0) == fewest_requests(499) == 1
    assert fewest_requests(500) == 2  # the full window cannot be known to be the last
    ratio = fewest_requests(20_000) / math.ceil(20_000 / 500)
    assert 1.0 < ratio < 1.08


@settings(max_examples=200, deadline=None)
@given(anchor=hs.integers(-1, 5000), max_limit=hs.integers(20, 500))
def test_the_best_window_starts_at_or_before_the_anchor_and_reaches_furthest(
    anchor: int, max_limit: int
) -> None:
    limit, page = best_window(anchor, max_limit)
    start = (page - 1) * limit
    assert 1 <= limit <= max_limit and page >= 1
    assert start <= max(anchor, 0)
    reach = start + limit - 1
    if anchor >= 0:
        assert reach == max(anchor - anchor % n + n - 1 for n in range(1, max_limit + 1))


@pytest.mark.parametrize("size", [0, 1, 499, 500, 501, 2537, 20_000])
@pytest.mark.parametrize("concurrency", [1, 4])
def test_an_unchanging_list_costs_the_floor(size: int, concurrency: int) -> None:
    model = Model(dict.fromkeys(range(size), 0))
    planner = planner_for(spec_for(), concurrency=concurrency)
    got = ids_of(run(planner, model, concurrency=concurrency, rng=random.Random(size)))
    assert got == [oid(i) for i in range(size)]
    # One refused seek probe on top of the windows, when there is more than one window.
    probe = 1 if size >= 500 else 0
    assert model.requests - probe <= fewest_requests(size) * 1.01 + (concurrency > 1)
    assert planner.total == size


# -- exactly once under change -------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(hs.data())
def test_every_stable_item_exactly_once_under_random_change(data: hs.DataObject) -> None:
    unique = data.draw(hs.booleans(), label="unique key")
    descending = data.draw(hs.booleans(), label="descending")
    size = data.draw(hs.integers(20, 24), label="largest window")
    concurrency = data.draw(hs.sampled_from([1, 1, 2, 3]), label="concurrency")
    seek = data.draw(hs.sampled_from(["refuse", "ignore", "honour"]), label="seek")
    n = data.draw(hs.integers(0, 120), label="items")
    spread = data.draw(hs.integers(1, 60), label="distinct keys")
    ids = data.draw(hs.lists(hs.integers(0, 5000), min_size=n, max_size=n, unique=True))
    rows = {i: data.draw(hs.integers(0, spread)) for i in ids}
    budget = [data.draw(hs.integers(0, 40), label="mutation budget")]
    model = Model(rows, seek=seek)
    spec = spec_for(unique, descending)
    planner = planner_for(spec, size, concurrency)
    stable, changed = {oid(i) for i in rows}, set()
    yielded: list[Batch] = []
    rng = random.Random(data.draw(hs.integers(0, 2**16), label="answer order"))

    def mutate() -> None:
        burst = min(budget[0], data.draw(hs.integers(0, 5), label="mutations"))
        budget[0] -= burst
        done = ids_of(yielded)
        for _ in range(burst):
            action = data.draw(
                hs.sampled_from(["insert", "delete", "delete-behind", "delete-behind", "edit"])
            )
            if action == "insert":
                new = data.draw(hs.integers(0, 5000))
                rows.setdefault(new, data.draw(hs.integers(0, spread)))
            elif action == "delete-behind" and done:  # the last one yielded, or before it
                victim = int(done[-data.draw(hs.integers(1, min(len(done), 4)))], 16)
                if victim in rows:
                    del rows[victim]
                    stable.discard(oid(victim))
            elif action == "delete" and rows:
                victim = data.draw(hs.sampled_from(sorted(rows)))
                del rows[victim]
                stable.discard(oid(victim))
            elif action == "edit" and rows and not unique:
                target = data.draw(hs.sampled_from(sorted(rows)))
                rows[target] = data.draw(hs.integers(0, spread))
                changed.add(oid(target))

    refusal: PaginationError | None = None
    try:
        run(planner, model, concurrency=concurrency, between=mutate, rng=rng, into=yielded)
    except PaginationError as error:
        refusal = error
    if refusal is not None:  # ties no window gets past: refused loudly, never looped
        assert not unique, refusal
        assert refusal.parameter == "k"
        return
    got = ids_of(yielded)
    assert len(got) == len(set(got)), "an id was yielded twice"
    missing = (stable - changed) - set(got)
    assert not missing, f"stable items never yielded: {sorted(missing)[:5]}"
    keys = [int(i, 16) if unique else None for i in got]
    if unique:
        assert keys == sorted(keys, reverse=descending), "not in key order"


@pytest.mark.parametrize("concurrency", [1, 3])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("inserts_before", [0, 2])
def test_deletes_before_the_cursor_between_every_window(
    concurrency: int, descending: bool, inserts_before: int
) -> None:
    """The case that breaks every naive offset pager, at every window: the last item
    yielded and two before it are deleted, two items are inserted after it and
    ``inserts_before`` before it, before each answer."""
    rng = random.Random(5)
    rows = dict.fromkeys(range(0, 20000, 4), 0)  # room for inserts between
    stable = {oid(i) for i in rows}
    yielded: list[Batch] = []

    def mutate() -> None:
        done = sorted(int(i, 16) for i in ids_of(yielded))
        behind = [i for i in done[-10:] if i in rows][::-1]
        for victim in behind[:3]:
            del rows[victim]
            stable.discard(oid(victim))
        if done:
            for low, high, count in ((0, done[-1], inserts_before), (done[-1], 20_000, 2)):
                for _ in range(count):
                    rows.setdefault(rng.randrange(low, high) if high > low else high, 0)

    planner = planner_for(spec_for(descending=descending), 50, concurrency)
    run(planner, Model(rows), concurrency=concurrency, between=mutate, rng=rng, into=yielded)
    got = ids_of(yielded)
    assert len(got) == len(set(got)), "an id was yielded twice"
    assert stable <= set(got), f"{len(stable - set(got))} stable items never yielded"


@settings(max_examples=120, deadline=None)
@given(hs.data())
def test_a_walk_resumed_from_its_token_at_any_point_yields_the_rest(data: hs.DataObject) -> None:
    n = data.draw(hs.integers(0, 160), label="items")
    size = data.draw(hs.integers(20, 24), label="largest window")
    unique = data.draw(hs.booleans(), label="unique key")
    rows = {i: data.draw(hs.integers(0, 10)) for i in range(n)}
    spec = spec_for(unique)
    try:
        everything = ids_of(run(planner_for(spec, size), Model(dict(rows))))
    except PaginationError:
        assert not unique  # ties no window gets past (shown elsewhere)
        return
    planner = planner_for(spec, size)
    batches = run(planner, Model(dict(rows)))
    if not batches:
        return
    cut = data.draw(hs.integers(0, len(batches) - 1), label="batch")
    batch = batches[cut]
    taken = data.draw(hs.integers(0, len(batch.items)), label="items taken")
    state = planner.state_after(batch, taken)
    head = ids_of(batches[:cut]) + [item["_id"] for item in batch.items[:taken]]
    resumed = planner_for(spec, size, lanes=planner.lanes_payload([state]))
    rest = ids_of(run(resumed, Model(dict(rows))))
    assert head + rest == everything


# -- servers that do not page as documented ------------------------------------------------


def test_a_server_ignoring_sortby_is_named() -> None:
    model = Model({i: (7 * i) % 11 for i in range(60)})
    spec = WalkSpec(path="/x", key="k", unique=False)
    original = model.sorted
    model.sorted = lambda key, descending: original("_id", descending)  # type: ignore[method-assign]
    with pytest.raises(PaginationError, match="ignored sortBy=k") as caught:
        run(planner_for(spec, 20), model)
    assert caught.value.parameter == "sortBy"


@pytest.mark.parametrize("cap", [100, 37])
def test_a_capped_limit_is_adapted_to_not_mistaken_for_the_end(cap: int) -> None:
    model = Model(dict.fromkeys(range(2537), 0), cap=cap)
    planner = planner_for(spec_for())
    got = ids_of(run(planner, model))
    assert got == [oid(i) for i in range(2537)]
    assert model.requests <= fewest_requests(2537, cap) + 3  # the probe and the discovery


def test_a_server_answering_another_page_is_refused() -> None:
    model = Model(dict.fromkeys(range(1200), 0))
    original = model.answer

    def first_page_always(ask: Ask) -> ListPage:
        page = original(ask)
        return ListPage(page.items, total=page.total, page=1) if page.page else page

    model.answer = first_page_always  # type: ignore[method-assign]
    with pytest.raises(PaginationError, match="answered page 1") as caught:
        run(planner_for(spec_for()), model)
    assert caught.value.parameter == "page"


def test_a_server_ignoring_page_without_meta_fails_loudly() -> None:
    model = Model(dict.fromkeys(range(1200), 0), meta=False)
    original = model.answer
    model.answer = lambda ask: original(  # type: ignore[method-assign]
        Ask(tuple(p for p in ask.params if p[0] != "page"), ask.limit, ask.tag, ask.probe)
    )
    with pytest.raises(PaginationError, match="do not converge") as caught:
        run(planner_for(spec_for()), model)
    assert caught.value.parameter == "page"


def test_a_list_without_meta_ends_on_its_short_window() -> None:
    model = Model(dict.fromkeys(range(1234), 0), meta=False)
    planner = planner_for(spec_for())
    assert ids_of(run(planner, model)) == [oid(i) for i in range(1234)]
    assert planner.total is None


def test_a_tie_group_no_window_gets_past_names_its_value() -> None:
    spec = spec_for(unique=False)
    # Ties at positions 5..25: a verified window starts at or before 4, so a window of
    # at most 20 (starting at a multiple of its limit) ends by position 19, inside them.
    rows = dict.fromkeys(range(5), 0) | dict.fromkeys(range(5, 26), 1) | {40: 2}
    with pytest.raises(PaginationError, match="share k=1") as caught:
        run(planner_for(spec, 20), Model(rows))
    assert caught.value.value == 1
    assert caught.value.parameter == "k"
    # Ties at 16..22 straddle the first window's end; the window (15, 2) starts at 15
    # and gets past them.
    passable = dict.fromkeys(range(16), 0) | dict.fromkeys(range(16, 23), 1) | {23: 2, 24: 3}
    got = ids_of(run(planner_for(spec, 20), Model(passable)))
    assert sorted(got) == sorted(oid(i) for i in passable) and len(got) == len(set(got))


# -- the seek probe ------------------------------------------------------------------------


def test_an_honoured_seek_walks_keyset_at_the_ideal_cost() -> None:
    model = Model(dict.fromkeys(range(2537), 0), seek="honour")
    planner = planner_for(spec_for())
    assert ids_of(run(planner, model)) == [oid(i) for i in range(2537)]
    assert model.requests == math.ceil(2537 / 500)
    assert planner.start_states()[0].seek is Seek.UNTESTED
    assert planner._lane.seek is Seek.HONOURED


@pytest.mark.parametrize("seek", ["ignore", "refuse"])
def test_a_seek_ignored_or_refused_costs_one_request_then_windows(seek: str) -> None:
    model = Model(dict.fromkeys(range(2537), 0), seek=seek)
    planner = planner_for(spec_for())
    assert ids_of(run(planner, model)) == [oid(i) for i in range(2537)]
    assert model.requests == fewest_requests(2537) + 1
    assert planner._lane.seek is Seek.UNAVAILABLE


def test_a_seek_ignored_later_falls_back_instead_of_repeating() -> None:
    model = Model(dict.fromkeys(range(3000), 0), seek="honour")
    planner = planner_for(spec_for())

    def stop_honouring() -> None:
        if model.requests == 3:
            model.seek = "ignore"

    got = ids_of(run(planner, model, between=stop_honouring))
    assert got == [oid(i) for i in range(3000)]


def test_a_filter_on_the_sort_key_never_seeks() -> None:
    spec = WalkSpec(path="/x", key="k", unique=False, filters=(("k", "3"),))
    planner = planner_for(spec, 20)
    model = Model(dict.fromkeys(range(45), 3), seek="honour")
    model.sorted = lambda key, descending: [  # type: ignore[method-assign]
        {"_id": oid(i), "k": 3} for i in range(45)
    ]
    with pytest.raises(PaginationError, match="k=3"):
        run(planner, model)  # 45 ties in windows of 20: refused, but never by a 400
    assert all("[$" not in name for name, _ in planner_for(spec, 20).asks(5)[0].params)


# -- tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        "nope",
        [[None, None, True, "a", [], False], -2, None, 500, "untested"],
        [[None, None, True, "a", [], False], 3, -1, 500, "untested"],
        [[None, None, True, "a", [], False], 3, None, 1, "untested"],
        [[None, None, True, "a", [], False], True, None, 500, "untested"],
        [[None, None, True, "a", [], False], 3, None, 500, "maybe"],
        [[None, None, True, "a", [], False], 10**13, None, 500, "untested"],
    ],
)
def test_a_mangled_window_lane_is_refused(row: Any) -> None:
    with pytest.raises(ValidationError, match="mangled"):
        planner_for(spec_for(), lanes=[row])


def test_a_window_walk_has_one_lane_and_a_sane_page_size() -> None:
    good = planner_for(spec_for()).lanes_payload(planner_for(spec_for()).start_states())
    with pytest.raises(ValidationError, match="one lane"):
        planner_for(spec_for(), lanes=good * 2)
    with pytest.raises(ValidationError, match="at least 20 for a v2 walk"):
        planner_for(spec_for(), size=19)
    planner_for(spec_for(), size=20)
