"""The keyset planner (v1): seek past the last key, page after page (pure: no I/O).

v1 caps every list at 100 items and has no page or offset parameter, so a walk sorts by
a key and asks for the items past the last key it has passed (design.md §4):

- :func:`request_params` turns a position into query pairs; :func:`check_page` checks
  a page against the position and returns the new items and the next position;
- :func:`split` cuts a key range into partitions walked side by side;
- :class:`KeysetPlanner` is the strategy the driver runs: one lane per partition,
  first probing the two ends of the range when asked for concurrency.

Seeking by value (not by the last item's existence) is what makes a walk exactly-once
under change: deleting, inserting or modifying items never moves the cursor. The v2
window planner reuses :func:`request_params` and :func:`check_page` for its seek mode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._errors import PaginationError
from ._plan import (
    Ask,
    Batch,
    Position,
    SeekDialect,
    WalkOptions,
    WalkSpec,
    advance,
    check_lanes,
    sort_rank,
)
from ._wire import scalar_text

if TYPE_CHECKING:
    from ._dialect import ListPage

__all__ = [
    "PAGE_SIZE",
    "BracketDialect",
    "KeysetPlanner",
    "boundaries",
    "check_page",
    "request_params",
    "seek_parameter",
    "split",
]

#: v1's fixed page: every list answers at most 100 items.
PAGE_SIZE = 100
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
Raw = dict[str, Any]


@attrs.frozen
class BracketDialect:
    """Express ``qs`` + Mongoose: ``_id[$gt]=5bb2...``. ``op`` is gt, gte, lt or lte."""

    template: str = "{field}[${op}]"

    def encode(self, field: str, op: str, value: Any) -> tuple[str, str]:
        return self.template.format(field=field, op=op), scalar_text(value)


def _seek_op(spec: WalkSpec) -> str:
    if spec.descending:
        return "lt" if spec.unique else "lte"
    return "gt" if spec.unique else "gte"


def seek_parameter(spec: WalkSpec) -> str:
    """The name of the seek condition, as errors about it name it."""
    return f"{spec.key}[${_seek_op(spec)}]"


def request_params(
    spec: WalkSpec, pos: Position, dialect: SeekDialect | None = None
) -> list[tuple[str, str]]:
    """The query for the next page of the partition at ``pos``."""
    dialect = dialect or BracketDialect()
    params = [
        *spec.filters,
        ("sortBy", spec.key),
        ("sortDirection", "descending" if spec.descending else "ascending"),
    ]
    lower, upper = pos.lower, pos.upper
    if pos.started:
        if pos.last is None:
            raise PaginationError(
                f"cannot seek past a null {spec.key}: a query string has no null; "
                "sort by _id to walk items whose key is null",
                parameter=spec.key,
            )
        filtered = spec.filtered_key
        if filtered is not None:
            raise PaginationError(
                f"cannot seek on {spec.key} while filtering {spec.key}={filtered}: the "
                "server's query parser merges the two into one array and refuses it (400); "
                "every item has that value anyway, so leave sort_by out",
                parameter=spec.key,
                value=filtered,
            )
        if spec.descending:
            upper = None
        else:
            lower = None
        params.append(dialect.encode(spec.key, _seek_op(spec), pos.last))
    if lower is not None:
        params.append(dialect.encode(spec.key, "gte", lower))
    if upper is not None:
        params.append(dialect.encode(spec.key, "lt", upper))
    return params


def check_page(
    spec: WalkSpec,
    pos: Position,
    page: Sequence[Raw],
    *,
    seen: set[Any] | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[list[Raw], Position]:
    """Check ``page`` against the query that ``pos`` produced; return the new items and
    the position after them.

    Raises :class:`PaginationError` when the page shows the server ignored the sort, the
    seek or a bound (an item at or before the cursor, or outside the partition), and
    when a full page brings nothing new (more than a page of items share one value).
    ``seen``, when given, holds the ids passed so far: any that come back (an item whose
    non-unique key changed mid-walk) are dropped, and it gains the new ones only once
    the whole page passed, so a refused page leaves it as it was.
    """
    if seen is None and spec.unique and _plainly_in_range(spec, pos, page):
        fresh = list(page)
    else:
        fresh = _checked(spec, pos, page, seen)
    if len(page) >= page_size and not fresh:
        raise PaginationError(
            f"{page_size} or more items share {spec.key}={pos.last!r}, so the walk cannot "
            f"get past them with {spec.key}[$gte]; sort by a more selective key such as _id",
            parameter=spec.key,
            value=pos.last,
        )
    if seen is not None:
        seen.update(item.get(spec.id_field) for item in fresh)
    after = advance(spec, pos, fresh)
    if len(page) < page_size:
        after = attrs.evolve(after, done=True)
    return fresh, after


def _plainly_in_range(spec: WalkSpec, pos: Position, page: Sequence[Raw]) -> bool:
    """Every check of :func:`_checked`, as a few C-level comparisons, for the common page:
    a unique key whose values (and bounds, and cursor) are all ``str`` or all ``int``.
    For such values the raw comparison is the :func:`sort_rank` comparison. False means
    "not sure", and the item-by-item check then finds and names any offender."""
    key = spec.key
    keys: list[Any] = [item.get(key) for item in page]
    if not keys:
        return True
    kinds = set(map(type, keys))
    if len(kinds) != 1 or not kinds <= {str, int}:
        return False
    (kind,) = kinds
    ends = [v for v in (pos.lower, pos.upper) if v is not None]
    if pos.started:
        ends.append(pos.last)
    if any(type(v) is not kind for v in ends):
        return False
    if keys != sorted(keys, reverse=spec.descending):
        return False
    low, high = (keys[-1], keys[0]) if spec.descending else (keys[0], keys[-1])
    if (pos.lower is not None and low < pos.lower) or (pos.upper is not None and high >= pos.upper):
        return False
    if pos.started:
        first = keys[0]
        return bool(first < pos.last if spec.descending else first > pos.last)
    return True


def _checked(
    spec: WalkSpec, pos: Position, page: Sequence[Raw], seen: set[Any] | None
) -> list[Raw]:
    """The new items of ``page``, checked one by one (see :func:`check_page`)."""
    key, id_field, descending = spec.key, spec.id_field, spec.descending
    lower = sort_rank(pos.lower) if pos.lower is not None else None
    upper = sort_rank(pos.upper) if pos.upper is not None else None
    cursor = sort_rank(pos.last) if pos.started else None
    previous: tuple[int, Any] | None = None
    fresh: list[Raw] = []
    taken: set[Any] = set()
    for item in page:
        here = sort_rank(item.get(key))
        if lower is not None and here < lower:
            raise ignored(spec, f"{key}[$gte]", item)
        if upper is not None and here >= upper:
            raise ignored(spec, f"{key}[$lt]", item)
        if previous is not None and (here > previous if descending else here < previous):
            raise ignored(spec, "sortBy/sortDirection", item)
        previous = here
        ident = item.get(id_field)
        if cursor is not None:
            behind = here > cursor if descending else here < cursor
            if behind or (here == cursor and (spec.unique or ident in pos.ids_at_last)):
                if behind or spec.unique:
                    raise ignored(spec, seek_parameter(spec), item)
                continue  # a tie at the boundary value, passed on an earlier page
        if seen is not None:
            if ident in seen or ident in taken:
                continue
            taken.add(ident)
        fresh.append(item)
    return fresh


def ignored(spec: WalkSpec, parameter: str, item: Raw) -> PaginationError:
    return PaginationError(
        f"the server ignored {parameter}: it returned {spec.id_field}="
        f"{item.get(spec.id_field)!r} ({spec.key}={item.get(spec.key)!r}) outside the "
        "requested range; refusing to repeat or skip items",
        parameter=parameter,
        value=item.get(spec.key),
    )


# -- partitions --------------------------------------------------------------------------


def _is_object_id(value: Any) -> bool:
    return isinstance(value, str) and _OBJECT_ID.fullmatch(value) is not None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def boundaries(low: Any, high: Any, n: int) -> list[Any]:
    """Up to ``n - 1`` interior cut points in ``(low, high]``, ascending.

    ObjectIds split by their embedded creation second, numbers numerically; any other
    key (strings, dates as text) does not split and the walk stays a single partition.
    """
    if n < 2:
        return []
    if _is_object_id(low) and _is_object_id(high):
        first, last = int(low[:8], 16), int(high[:8], 16)
        seconds = sorted({first + (last - first) * i // n for i in range(1, n)} - {first})
        return [f"{second:08x}{'0' * 16}" for second in seconds]
    if _is_number(low) and _is_number(high):
        if isinstance(low, int) and isinstance(high, int):
            return sorted({low + (high - low) * i // n for i in range(1, n)} - {low})
        return sorted({low + (high - low) * i / n for i in range(1, n)} - {low})
    return []


def split(low: Any, high: Any, n: int) -> list[Position]:
    """Partitions covering every key, cut between ``low`` and ``high``; the outer ones
    are open-ended so items created outside the range mid-walk are still covered."""
    edges = [None, *boundaries(low, high, n), None]
    return [Position(lower=a, upper=b) for a, b in pairwise(edges)]


# -- the strategy ------------------------------------------------------------------------


_ASCENDING_END, _DESCENDING_END, _NULL_CHECK = "range-start", "range-end", "null-check"


class KeysetPlanner:
    """v1's walk: one lane per partition, each asking for the page after its position.

    With ``concurrency`` above 1 (and no resume token), it first asks for both ends of
    the key range (ascending and descending first pages) and splits the range into
    that many partitions; a result smaller than a page is served from the probe.

    Items whose non-unique key is null (or missing) sort first, and no seek or bound
    matches them (a query string has no null). A walk that sent one (descending, or
    split) may have passed them by, so before it ends it asks once for the first
    ascending page: if that shows a null-key item the walk did not yield, it raises
    :class:`PaginationError` naming the key rather than end short. (An ascending
    single-lane walk meets them on its first page; the unique key is never null.)
    """

    kind: ClassVar[str] = "keyset"

    def __init__(self, spec: WalkSpec, options: WalkOptions, lanes: list[Any] | None) -> None:
        self._spec = spec
        self._page_size = options.page_size
        self._concurrency = options.concurrency
        self._dialect = options.seek_dialect
        starts = [Position.from_row(r) for r in check_lanes(lanes)] if lanes else [Position()]
        self._starts = starts
        self._positions = list(starts)
        self._busy: set[int] = set()
        self._probe: dict[str, ListPage] | None = (
            {} if lanes is None and options.concurrency > 1 and spec.filtered_key is None else None
        )
        self._probe_sent = False
        # Ids passed on a non-unique key, across partitions: an item whose key changes
        # mid-walk may come back further on, and must not be yielded twice.
        self._seen: set[Any] | None = None if spec.unique else set()
        # Whether null-key items may have been passed by unseen (see the class doc); a
        # resumed walk cannot know its earlier lanes saw them.
        self._nulls_unchecked = any(self._may_pass_nulls(pos) for pos in starts)
        self._null_check_sent = False

    # -- what to ask -----------------------------------------------------------------------

    def asks(self, room: int) -> list[Ask]:
        if self._probe is not None:
            if self._probe_sent or room < 1:
                return []
            self._probe_sent = True
            ascending = attrs.evolve(self._spec, descending=False)
            descending = attrs.evolve(self._spec, descending=True)
            return [
                Ask(tuple(request_params(ascending, Position())), PAGE_SIZE, _ASCENDING_END),
                Ask(tuple(request_params(descending, Position())), PAGE_SIZE, _DESCENDING_END),
            ]
        out: list[Ask] = []
        for lane, pos in enumerate(self._positions):
            if len(out) >= room:
                break
            if pos.done or lane in self._busy:
                continue
            self._busy.add(lane)
            params = request_params(self._spec, pos, self._dialect)
            self._nulls_unchecked |= self._may_pass_nulls(pos)
            out.append(Ask(tuple(params), PAGE_SIZE, lane))
        if not out and self._checking_nulls and not self._null_check_sent and room >= 1:
            self._null_check_sent = True
            ascending = attrs.evolve(self._spec, descending=False)
            out.append(Ask(tuple(request_params(ascending, Position())), PAGE_SIZE, _NULL_CHECK))
        return out

    def _may_pass_nulls(self, pos: Position) -> bool:
        """Whether the request for ``pos`` excludes null keys that are not yet passed:
        any bound, or a descending seek (nulls sort last there, first ascending)."""
        spec = self._spec
        if spec.unique or spec.filtered_key is not None:
            return False
        return (pos.started and spec.descending) or pos.lower is not None or pos.upper is not None

    @property
    def _checking_nulls(self) -> bool:
        """The lanes are done but null-key items may have been passed by unseen."""
        return self._nulls_unchecked and not self._busy and all(p.done for p in self._positions)

    # -- what came back --------------------------------------------------------------------

    def take(self, ask: Ask, page: ListPage) -> list[Batch]:
        if self._probe is not None:
            self._probe[ask.tag] = page
            return self._split() if len(self._probe) == 2 else []
        if ask.tag == _NULL_CHECK:
            self._check_nulls(page)
            return []
        lane: int = ask.tag
        self._busy.discard(lane)
        before = self._positions[lane]
        fresh, after = check_page(
            self._spec, before, page.items, seen=self._seen, page_size=self._page_size
        )
        self._positions[lane] = after
        return [Batch(lane, fresh, before, after, page.source)]

    def _split(self) -> list[Batch]:
        """Split the key range by its two ends; a small result is served from the probe."""
        assert self._probe is not None
        spec, probe = self._spec, self._probe
        low_page, high_page = probe[_ASCENDING_END], probe[_DESCENDING_END]
        self._probe = None
        primary = high_page if spec.descending else low_page
        if len(primary.items) < self._page_size:
            fresh, after = check_page(
                spec, Position(), primary.items, seen=self._seen, page_size=self._page_size
            )
            self._starts, self._positions = [Position()], [after]
            return [Batch(0, fresh, Position(), after, primary.source)]
        if not low_page.items or not high_page.items:
            raise PaginationError(
                "the two ends of the key range disagree: one direction returned a full page "
                "and the other none, so the range cannot be split; walk with concurrency=1",
                parameter="sortDirection",
            )
        low, high = low_page.items[0].get(spec.key), high_page.items[0].get(spec.key)
        self._starts = split(low, high, self._concurrency)
        self._positions = list(self._starts)
        return []

    def _check_nulls(self, page: ListPage) -> None:
        key, seen = self._spec.key, self._seen
        assert seen is not None
        missed = [
            item
            for item in page.items
            if item.get(key) is None and item.get(self._spec.id_field) not in seen
        ]
        if missed:
            raise PaginationError(
                f"items whose {key} is null or missing (such as {self._spec.id_field}="
                f"{missed[0].get(self._spec.id_field)!r}) match no seek or bound on {key}, "
                f"so this walk passed them by; sort ascending on one lane, or by _id",
                parameter=key,
                value=None,
            )
        self._nulls_unchecked = False

    def refused(self, ask: Ask) -> list[Batch]:  # pragma: no cover - keyset asks no probe
        raise AssertionError("the keyset planner sends no refusable probe")

    # -- where it stands -------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return (
            self._probe is None
            and not self._busy
            and all(p.done for p in self._positions)
            and not self._nulls_unchecked
        )

    @property
    def held(self) -> int:
        return len(self._probe) if self._probe else 0

    @property
    def total(self) -> int | None:
        return None

    def start_states(self) -> list[Any]:
        return list(self._starts)

    def state_after(self, batch: Batch, taken: int) -> Any:
        if taken == len(batch.items):
            return batch.after
        return advance(self._spec, batch.before, batch.items[:taken])

    def is_done(self, state: Any) -> bool:
        return bool(state.done)

    def lanes_payload(self, states: Sequence[Any]) -> list[Any]:
        return [state.row() for state in states]
