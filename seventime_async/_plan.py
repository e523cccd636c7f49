"""What a walk asks for and where it stands: the protocol between planners and the driver.

A walk is two parts. A *planner* (pure: no I/O, no asyncio) decides which list requests
to make and reads their answers: :mod:`._keyset` for v1's seek, :mod:`._windows` for
v2's ``limit``/``page``. The *driver* (:mod:`._walk`) sends the requests, bounds the
prefetch, yields items, keeps the cursor ledger and cancels cleanly; it never knows
which planner it drives. They meet here:

- :class:`WalkSpec`: the query, fixed for a walk (key, direction, filters);
- :class:`Position`: where a walk stands in key order (the last key passed and, for a
  non-unique key, the ids passed at it);
- :class:`Ask`: one request a planner wants sent; :class:`Batch`: new items it read
  from an answer, with the lane state before and after them;
- :class:`Planner`: the few methods the driver calls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs
import orjson

from ._errors import ValidationError

if TYPE_CHECKING:
    from ._dialect import ListPage

__all__ = [
    "MAX_CONCURRENCY",
    "MAX_TIE_IDS",
    "Ask",
    "Batch",
    "Planner",
    "Position",
    "SeekDialect",
    "WalkOptions",
    "WalkSpec",
    "WalkStrategy",
    "advance",
    "check_lanes",
    "sort_rank",
]

Raw = dict[str, Any]
#: The most lanes (partitions, windows in flight) a walk or a token may hold.
MAX_CONCURRENCY = 64
#: The most ids a position holds at its last value: a page's worth (v2's limit of 500);
#: a tie group larger than a page cannot be passed, and the walk says so.
MAX_TIE_IDS = 500


def sort_rank(value: Any) -> tuple[int, Any]:
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

    @property
    def filtered_key(self) -> str | None:
        """The value of a filter on the sort key itself, if any. A seek on the key would
        merge with it into one array in Express's query parser, which the server refuses."""
        return next((value for name, value in self.filters if name == self.key), None)


@attrs.frozen
class WalkOptions:
    """How a walk goes about it (checked by the driver before any request)."""

    concurrency: int = 1
    #: The most items one request brings: v1's page (100, or a deployment's lower cap),
    #: v2's largest window (500).
    page_size: int = 100
    seek_dialect: SeekDialect | None = None


class SeekDialect(Protocol):
    """How a range condition on a field is spelled in the query string."""

    def encode(self, field: str, op: str, value: Any) -> tuple[str, str]: ...


@attrs.frozen
class Position:
    """Where one lane of a walk stands. Bounds are in ascending key terms (keyset
    partitions only); ``last`` is the last key passed and ``ids_at_last`` the ids
    passed at that value (non-unique keys only)."""

    lower: Any = None  # inclusive ($gte); None: open
    upper: Any = None  # exclusive ($lt); None: open
    started: bool = False
    last: Any = None
    ids_at_last: tuple[Any, ...] = ()
    done: bool = False

    def row(self) -> list[Any]:
        return [self.lower, self.upper, self.started, self.last, list(self.ids_at_last), self.done]

    @classmethod
    def from_row(cls, row: Any) -> Position:
        """A position from a token; :class:`ValidationError` for any other shape."""
        try:
            lower, upper, started, last, ids, done = row
            if not isinstance(ids, list) or len(ids) > MAX_TIE_IDS:
                raise TypeError
            return cls(lower, upper, bool(started), last, tuple(ids), bool(done))
        except (TypeError, ValueError):
            raise ValidationError("cursor is mangled: a position has the wrong shape") from None


def advance(spec: WalkSpec, pos: Position, items: Sequence[Raw]) -> Position:
    """The position after ``items`` (in walk order) have been passed."""
    if not items:
        return pos
    key = spec.key
    if spec.unique:
        return attrs.evolve(pos, started=True, last=items[-1].get(key), ids_at_last=())
    last, ids, started = pos.last, pos.ids_at_last, pos.started
    for item in items:
        value = item.get(key)
        if started and sort_rank(value) == sort_rank(last):
            ids = (*ids, item.get(spec.id_field))
        else:
            last, ids, started = value, (item.get(spec.id_field),), True
    return attrs.evolve(pos, started=True, last=last, ids_at_last=ids)


@attrs.frozen
class Ask:
    """One list request a planner wants sent."""

    params: tuple[tuple[str, str], ...]
    #: The most items the answer may hold; a larger page is refused (DecodeError).
    limit: int
    #: The planner's own handle (a lane, a window slot).
    tag: Any = None
    #: A 400 answer goes back to the planner (:meth:`Planner.refused`) instead of
    #: ending the walk: a probe of something the server may not support.
    probe: bool = False


@attrs.define
class Batch:
    """New items read from one answer, in walk order, and the lane state around them."""

    lane: int
    items: list[Raw]
    before: Any
    after: Any
    #: The answer they came from (for errors about it); None in pure tests.
    source: Any = None


class Planner(Protocol):
    """A pure walk strategy. The driver calls :meth:`asks` for requests to send, hands
    each answer to :meth:`take` (or a probe's 400 to :meth:`refused`), and yields the
    batches those return. State is reported per lane, for the cursor."""

    #: Names the strategy in tokens, so one is never resumed by the other.
    kind: ClassVar[str]

    def asks(self, room: int) -> list[Ask]:
        """Up to ``room`` new requests to send now."""
        ...

    def take(self, ask: Ask, page: ListPage) -> list[Batch]:
        """Read the answer to ``ask``; the batches now ready to yield, in order."""
        ...

    def refused(self, ask: Ask) -> list[Batch]:
        """The server answered the probe ``ask`` with a 400."""
        ...

    @property
    def finished(self) -> bool:
        """No request will follow and every answer was read."""
        ...

    @property
    def held(self) -> int:
        """Answers read but not yet turned into batches (they count as prefetched)."""
        ...

    @property
    def total(self) -> int | None:
        """How many items the server says the query has, once known."""
        ...

    def start_states(self) -> list[Any]:
        """Each lane's state before anything of it was yielded."""
        ...

    def state_after(self, batch: Batch, taken: int) -> Any:
        """The lane state after the first ``taken`` items of ``batch`` were yielded."""
        ...

    def is_done(self, state: Any) -> bool: ...

    def lanes_payload(self, states: Sequence[Any]) -> list[Any]:
        """Lane states as JSON data for a token."""
        ...


class WalkStrategy(Protocol):
    """A planner class: what a dialect names as its walk."""

    @property
    def kind(self) -> str: ...

    def __call__(
        self, spec: WalkSpec, options: WalkOptions, lanes: list[Any] | None
    ) -> Planner: ...


def check_lanes(rows: Any) -> list[Any]:
    """The lanes of a token: a non-empty list of at most :data:`MAX_CONCURRENCY`."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError("cursor is mangled: it holds no lanes")
    if len(rows) > MAX_CONCURRENCY:
        raise ValidationError(
            f"cursor is mangled: it holds {len(rows)} lanes, more than {MAX_CONCURRENCY}"
        )
    return rows
