"""Keyset pagination planner (pure: no I/O, no asyncio).

The API caps every list at 100 items and has no page or offset parameter, so a walk
sorts by a key and asks, page after page, for the items past the last key it has seen
(design.md §4). This module decides what to ask for, checks each answer, and tracks
where a walk stands, as plain values:

- :class:`WalkSpec` is the query, fixed for a walk (key, direction, filters).
- :class:`Position` is where one partition of the walk stands: its bounds, the last key
  value passed and, for non-unique keys, the ids already passed at that value.
- :func:`request_params` turns a position into query pairs; :func:`accept` checks a
  page against the position and returns the new items and the next position.
- :func:`split` cuts a key range into partitions; :func:`encode_token` and
  :func:`decode_token` carry positions across processes.

Seeking by value (not by the last item's existence) is what makes a walk exactly-once
under change: deleting, inserting or modifying items never moves the cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any, Protocol

import attrs
import orjson

from ._errors import PaginationError, ValidationError
from ._wire import scalar_text

__all__ = [
    "PAGE_SIZE",
    "BracketDialect",
    "Position",
    "SeekDialect",
    "WalkSpec",
    "accept",
    "advance",
    "decode_token",
    "encode_token",
    "order",
    "request_params",
    "split",
]

PAGE_SIZE = 100
_TOKEN_PREFIX = "st1."
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def order(value: Any) -> tuple[int, Any]:
    """A total order matching MongoDB's sort across JSON types (null < numbers < strings)."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (4, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))


class SeekDialect(Protocol):
    """How a range condition on a field is spelled in the query string."""

    def encode(self, field: str, op: str, value: Any) -> tuple[str, str]: ...


@attrs.frozen
class BracketDialect:
    """Express ``qs`` + Mongoose: ``_id[$gt]=5bb2...``. ``op`` is gt, gte, lt or lte."""

    template: str = "{field}[${op}]"

    def encode(self, field: str, op: str, value: Any) -> tuple[str, str]:
        return self.template.format(field=field, op=op), scalar_text(value)


@attrs.frozen
class WalkSpec:
    path: str
    key: str = "_id"
    #: Unique keys seek with $gt; others with $gte, skipping the ids passed at the value.
    unique: bool = True
    descending: bool = False
    filters: tuple[tuple[str, str], ...] = ()
    id_field: str = "_id"

    @property
    def digest(self) -> str:
        """Identifies the query, so a resume token is refused for a different one."""
        canon = orjson.dumps(
            [self.path, self.key, self.unique, self.descending, sorted(self.filters)]
        )
        return hashlib.sha256(canon).hexdigest()[:16]


@attrs.frozen
class Position:
    """Where one partition of a walk stands. Bounds are in ascending key terms."""

    lower: Any = None  # inclusive ($gte); None: open
    upper: Any = None  # exclusive ($lt); None: open
    started: bool = False
    last: Any = None
    ids: tuple[Any, ...] = ()
    done: bool = False


def request_params(
    spec: WalkSpec, pos: Position, dialect: SeekDialect = BracketDialect()
) -> list[tuple[str, str]]:
    """The query for the next page of the partition at ``pos``."""
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
        if spec.descending:
            op, upper = ("lt" if spec.unique else "lte"), None
        else:
            op, lower = ("gt" if spec.unique else "gte"), None
        params.append(dialect.encode(spec.key, op, pos.last))
    if lower is not None:
        params.append(dialect.encode(spec.key, "gte", lower))
    if upper is not None:
        params.append(dialect.encode(spec.key, "lt", upper))
    return params


def _seek_name(spec: WalkSpec) -> str:
    op = ("lt" if spec.unique else "lte") if spec.descending else ("gt" if spec.unique else "gte")
    return f"{spec.key}[${op}]"


def accept(
    spec: WalkSpec,
    pos: Position,
    page: Sequence[dict[str, Any]],
    *,
    seen: set[Any] | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[list[dict[str, Any]], Position]:
    """Check ``page`` against the query that ``pos`` produced; return the new items and
    the position after them.

    Raises :class:`PaginationError` when the page shows the server ignored the sort, the
    seek or a bound (an item at or before the cursor, or outside the partition), and
    when a full page brings nothing new (more than a page of items share one value).
    ``seen``, when given, collects the ids passed so far and drops any that come back
    (an item whose non-unique key changed mid-walk), so no id is yielded twice.
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
    after = advance(spec, pos, fresh)
    if len(page) < page_size:
        after = attrs.evolve(after, done=True)
    return fresh, after


def _plainly_in_range(spec: WalkSpec, pos: Position, page: Sequence[dict[str, Any]]) -> bool:
    """Every check of :func:`_checked`, as a few C-level comparisons, for the common page:
    a unique key whose values (and bounds, and cursor) are all ``str`` or all ``int``.
    For such values the raw comparison is the :func:`order` comparison. False means
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
    spec: WalkSpec, pos: Position, page: Sequence[dict[str, Any]], seen: set[Any] | None
) -> list[dict[str, Any]]:
    """The new items of ``page``, checked one by one (see :func:`accept`)."""
    key, id_field, descending = spec.key, spec.id_field, spec.descending
    lower = order(pos.lower) if pos.lower is not None else None
    upper = order(pos.upper) if pos.upper is not None else None
    cursor = order(pos.last) if pos.started else None
    previous: tuple[int, Any] | None = None
    fresh: list[dict[str, Any]] = []
    for item in page:
        here = order(item.get(key))
        if lower is not None and here < lower:
            raise _ignored(spec, f"{key}[$gte]", item)
        if upper is not None and here >= upper:
            raise _ignored(spec, f"{key}[$lt]", item)
        if previous is not None and (here > previous if descending else here < previous):
            raise _ignored(spec, "sortBy/sortDirection", item)
        previous = here
        if cursor is not None:
            behind = here > cursor if descending else here < cursor
            if behind or (here == cursor and (spec.unique or item.get(id_field) in pos.ids)):
                if behind or spec.unique:
                    raise _ignored(spec, _seek_name(spec), item)
                continue  # a tie at the boundary value, passed on an earlier page
        if seen is not None:
            ident = item.get(id_field)
            if ident in seen:
                continue
            seen.add(ident)
        fresh.append(item)
    return fresh


def _ignored(spec: WalkSpec, parameter: str, item: dict[str, Any]) -> PaginationError:
    return PaginationError(
        f"the server ignored {parameter}: it returned {spec.id_field}="
        f"{item.get(spec.id_field)!r} ({spec.key}={item.get(spec.key)!r}) outside the "
        "requested range; refusing to repeat or skip items",
        parameter=parameter,
        value=item.get(spec.key),
    )


def advance(spec: WalkSpec, pos: Position, items: Sequence[dict[str, Any]]) -> Position:
    """The position after ``items`` (in walk order) have been passed."""
    if not items:
        return pos
    key = spec.key
    if spec.unique:
        return attrs.evolve(pos, started=True, last=items[-1].get(key), ids=())
    last, ids, started = pos.last, pos.ids, pos.started
    for item in items:
        value = item.get(key)
        if started and order(value) == order(last):
            ids = (*ids, item.get(spec.id_field))
        else:
            last, ids, started = value, (item.get(spec.id_field),), True
    return attrs.evolve(pos, started=True, last=last, ids=ids)


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


# -- resume tokens -----------------------------------------------------------------------


def encode_token(spec: WalkSpec, positions: Iterable[Position]) -> str:
    """An opaque, URL-safe, versioned token for ``positions`` under ``spec``."""
    body = {
        "q": spec.digest,
        "p": [[p.lower, p.upper, p.started, p.last, list(p.ids), p.done] for p in positions],
    }
    packed = zlib.compress(orjson.dumps(body), 9)
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_token(spec: WalkSpec, token: str) -> list[Position]:
    """The positions in ``token``; :class:`ValidationError` if mangled or for another query."""
    if not isinstance(token, str) or not token.startswith(_TOKEN_PREFIX):
        raise ValidationError("cursor is not a seventime_async resume token (version 1)")
    payload = token[len(_TOKEN_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        body = orjson.loads(zlib.decompress(raw))
        digest, rows = body["q"], body["p"]
        positions = [
            Position(lower=lo, upper=hi, started=bool(st), last=last, ids=tuple(ids), done=bool(d))
            for lo, hi, st, last, ids, d in rows
        ]
    except (binascii.Error, zlib.error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ValidationError("cursor is mangled: it does not decode as a resume token") from None
    if digest != spec.digest:
        raise ValidationError(
            "cursor was taken for a different query (resource, sort key, direction or "
            "filters differ); resume with exactly the query it came from"
        )
    if not positions:
        raise ValidationError("cursor is mangled: it holds no partitions")
    return positions
