"""List queries as the emulator reads them: filters, sort, seek operators and pages.

:func:`parse` turns a query string into a :class:`ListQuery` (``ValueError`` is a 400);
:func:`run` evaluates it over a :class:`Collection`. Both versions share this; v1 caps a
list at 100 items from the seek position, v2 pages by ``limit`` and ``page`` over the
sorted, filtered list (offset semantics).
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import attrs

from .._endpoints import Api, Filter, FilterKind
from .._qs import decode_pairs
from .._wire import format_timestamp
from ._store import Collection, Doc, mongo_order

__all__ = ["V1_CAP", "V2_DEFAULT_LIMIT", "V2_MAX_LIMIT", "ListQuery", "Seek", "parse", "run"]

V1_CAP = 100
V2_DEFAULT_LIMIT = 100
V2_MAX_LIMIT = 500
_OPS = frozenset({"$gt", "$gte", "$lt", "$lte"})
_LOW, _HIGH = (-1,), (99,)
# Documented filters that name a differently-called field.
_FILTER_FIELDS = {
    "customerId": "customer",
    "projectId": "project",
    "personNumber": "personalNumber",
    "userRole": "userRoleId",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The four documented date-time forms (digest §1.9), read as UTC.
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class Seek(enum.Enum):
    """What a list does with ``field[$gt]=value`` operators."""

    HONOUR = "honour"
    IGNORE = "ignore"  # drop them silently, like a server without them
    REFUSE = "refuse"  # 400, like a server that validates its parameters


Condition = tuple[str, str, dict[int, Any]]


@attrs.frozen
class ListQuery:
    sort_by: str
    descending: bool
    #: (wire name, filter, value as sent)
    filters: tuple[tuple[str, Filter, str], ...]
    #: (field, operator, the value cast to each JSON type rank)
    conditions: tuple[Condition, ...]
    #: v2 only: the page size in effect and the 1-based page; None in v1.
    limit: int | None = None
    page: int = 1


def variants(text: str) -> dict[int, Any]:
    """A query value cast to each JSON type it could be compared with, by type rank."""
    out: dict[int, Any] = {2: text}
    try:
        number = float(text)
        out[1] = int(number) if number.is_integer() else number
    except ValueError:
        pass
    if text in ("true", "false"):
        out[3] = text == "true"
    return out


def parse_datetime(text: str) -> str:
    """A documented date-time parameter as the API's UTC timestamp form, or ValueError.

    The reference documents no zone for inputs; the emulator reads them as UTC, the zone
    every response is in, and compares with the stored ``...Z`` strings directly."""
    for fmt in _DATETIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        return format_timestamp(moment)
    raise ValueError(
        f"Invalid date-time {text!r}: use 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS', "
        "'YYYY-MM-DDTHH:MM' or 'YYYY-MM-DDTHH:MM:SS'"
    )


def _count(name: str, text: str, low: int, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be an integer {bound}, got {text!r}")
    return value


def parse(
    api: Api,
    params: Iterable[tuple[str, str]],
    *,
    version: int,
    key: str,
    seek: Seek,
    max_limit: int | None = None,
) -> ListQuery:
    """Read a list's query string; ``ValueError`` carries the 400's errorMessage."""
    by_wire = {f.wire: f for f in api.filters.values()}
    sort_by, descending = key, False
    limit, page = V2_DEFAULT_LIMIT, 1
    filters: list[tuple[str, Filter, str]] = []
    ranges: list[tuple[str, str]] = []
    for name, value in params:
        if name == "sortBy":
            sort_by = value
        elif name == "sortDirection":
            if value not in ("ascending", "descending"):
                raise ValueError("sortDirection must be 'ascending' or 'descending'")
            descending = value == "descending"
        elif version == 2 and name == "limit":
            limit = _count("limit", value, 1, V2_MAX_LIMIT)
        elif version == 2 and name == "page":
            page = _count("page", value, 1)
        elif "[" in name and seek is not Seek.REFUSE:
            ranges.append((name, value))
        elif name in by_wire:
            spec = by_wire[name]
            _check_value(spec, value)
            filters.append((name, spec, value))
        else:
            raise ValueError(f"Unknown query parameter {name!r}")
    for spec in api.filters.values():
        if spec.required and spec.wire not in (w for w, _, _ in filters):
            raise ValueError(f"{spec.wire} is required")
    conditions: list[Condition] = []
    for field, ops in decode_pairs(ranges).items():
        if (
            not isinstance(ops, dict)
            or not set(ops) <= _OPS
            or not all(isinstance(v, str) for v in ops.values())
        ):
            raise ValueError(
                f"Invalid range condition on {field!r}: "
                "use [$gt], [$gte], [$lt] or [$lte], once each"
            )
        if seek is Seek.HONOUR:
            conditions.extend((field, op, variants(v)) for op, v in ops.items())
    if version == 1:
        return ListQuery(sort_by, descending, tuple(filters), tuple(conditions))
    if max_limit is not None:
        limit = min(limit, max_limit)
    return ListQuery(sort_by, descending, tuple(filters), tuple(conditions), limit, page)


def _check_value(spec: Filter, value: str) -> None:
    if spec.kind is FilterKind.DATE and not _DATE.fullmatch(value):
        raise ValueError(f"{spec.wire} must be a date as 'YYYY-MM-DD', got {value!r}")
    if spec.kind is FilterKind.DATETIME:
        parse_datetime(value)
    if spec.kind is FilterKind.BOOL and value not in ("true", "false"):
        raise ValueError(f"{spec.wire} must be a boolean, got {value!r}")


def _holds(actual: Any, op: str, wanted: dict[int, Any]) -> bool:
    here = mongo_order(actual)
    if here[0] not in wanted:
        return False  # MongoDB's type bracketing: $gt on a string never matches a number
    there = mongo_order(wanted[here[0]])
    if op == "$gt":
        return here > there
    if op == "$gte":
        return here >= there
    if op == "$lt":
        return here < there
    return here <= there


def _bounded(field: str) -> tuple[str, bool]:
    """A range filter's field and whether it is an upper bound: ``toDueDate`` is an
    upper bound on ``dueDate``, ``fromDate`` a lower bound on ``date``, ``endTimestamp``
    an upper bound on itself, anything else a lower bound on itself."""
    for prefix, upper in (("from", False), ("to", True)):
        rest = field.removeprefix(prefix)
        if rest != field and (not rest or rest[0].isupper()):
            return (rest[:1].lower() + rest[1:]) or "date", upper
    return field, field == "endTimestamp"


def _matches(coll: Collection, doc: Doc, wire: str, spec: Filter, value: str) -> bool:
    if wire == "lastModified":
        return coll.modified_at(doc) >= parse_datetime(value)
    if spec.kind in (FilterKind.DATE, FilterKind.DATETIME):
        field, upper = _bounded(wire)
        actual = doc.get(field)
        if not isinstance(actual, str):
            return False
        if spec.kind is FilterKind.DATE:
            actual, bound = actual[:10], value
        else:
            bound = parse_datetime(value)
        return actual <= bound if upper else actual >= bound
    if coll.endpoint.name == "users" and wire == "name":
        return f"{doc.get('firstName', '')} {doc.get('lastName', '')}" == value
    actual = doc.get(_FILTER_FIELDS.get(wire, wire))
    if isinstance(actual, list):
        return value in actual
    wanted = variants(value)
    rank = mongo_order(actual)[0]
    return rank in wanted and wanted[rank] == actual


def run(coll: Collection, query: ListQuery, *, ignore_sort: bool = False) -> tuple[list[Doc], int]:
    """The documents one list request answers with, and how many matched in all (v2's
    ``totalResources``; in v1, where nothing reports it, the count served)."""
    conditions = list(query.conditions)
    if ignore_sort:
        rows: list[Doc] = list(coll.docs.values())
        low, high, descending = 0, len(rows), False
    else:
        rows, keys, uniform = coll.view(query.sort_by)
        low, high = _seek_bounds(rows, keys, uniform, query.sort_by, conditions)
        descending = query.descending
        if uniform is not None:
            # One JSON type throughout: the bisected range already enforces every
            # condition on the sort field, so only the others are checked per document.
            conditions = [c for c in conditions if c[0] != query.sort_by or uniform not in c[2]]
    size = V1_CAP if query.limit is None else query.limit
    skip = 0 if query.limit is None else (query.page - 1) * query.limit
    if not conditions and not query.filters:
        # Nothing to check per document: the page is a slice of the view (the common
        # request, kept cheap so the emulator is no benchmark's bottleneck).
        total = max(0, high - low)
        start, stop = min(total, skip), min(total, skip + size)
        if descending:
            return rows[high - stop : high - start][::-1], total
        return rows[low + start : low + stop], total
    indexes = range(high - 1, low - 1, -1) if descending else range(low, high)
    found: list[Doc] = []
    for i in indexes:
        doc = rows[i]
        if all(_holds(doc.get(f), op, v) for f, op, v in conditions) and all(
            _matches(coll, doc, wire, spec, value) for wire, spec, value in query.filters
        ):
            found.append(doc)
            if query.limit is None and len(found) == V1_CAP:
                break  # v1 reports no total: stop at the cap
    return found[skip : skip + size], len(found)


def _seek_bounds(
    rows: list[Doc],
    keys: list[Any],
    uniform: int | None,
    sort_by: str,
    conditions: list[Condition],
) -> tuple[int, int]:
    """The index range of the sorted view that the conditions on the sort field allow."""
    low, high = 0, len(rows)
    for field, op, wanted in conditions:
        if field != sort_by:
            continue
        if uniform is not None:
            rank = uniform
        else:  # mixed types: seek among the values of the first non-null one
            sample = next((r.get(field) for r in rows if r.get(field) is not None), None)
            rank = mongo_order(sample)[0]
        if rank not in wanted:
            continue
        target = mongo_order(wanted[rank])
        if op == "$gt":
            low = max(low, bisect.bisect_right(keys, (target, _HIGH)))
        elif op == "$gte":
            low = max(low, bisect.bisect_left(keys, (target, _LOW)))
        elif op == "$lt":
            high = min(high, bisect.bisect_left(keys, (target, _LOW)))
        else:
            high = min(high, bisect.bisect_right(keys, (target, _HIGH)))
    return low, high
