"""The page-window planner (v2): exactly once over ``limit`` and ``page`` (pure: no I/O).

v2 pages by offset, which loses items when the list shifts under it. This planner
keeps the v1 guarantee with documented parameters only (design.md §11):

- A window ``(L, p)`` is the server's positions ``[(p-1)L, pL)`` of the sorted list at
  the moment it answers. The walk keeps K, the last key yielded, and an estimate of
  K's position (``anchor``), and asks only for windows that start at or before it,
  choosing ``L`` so the window reaches furthest (:func:`best_window`).
- A window is *verified* when it starts at the head of the list or its first key is at
  or before K (strictly before, for a non-unique key, whose ties at K may straddle the
  start): it is then a contiguous run from before K, so its items after K are exactly
  the items that follow K. Only a verified window yields anything.
- An unverified window (deletes before K shifted the list left past its start) yields
  nothing, and the walk steps back: by the drop in ``totalResources`` first, then by
  doubling steps. A window wholly before K (inserts shifted it right) moves forward.
- The walk ends on a verified window with fewer than ``L`` items that ``meta``, when
  sent, agrees with: ``totalResources`` is exactly the window's end and ``totalPages``
  is what ``L`` makes of it (a capped server pages and counts pages by its cap). Without
  ``totalPages`` the window must also reach K (hold K or an item after it, or start at
  the head): one wholly before K may be a capped server's. Any other short window is a
  capped ``limit``, and the walk adapts to the cap. What a server does past the last
  page is never trusted.
- With ``concurrency`` above 1, windows are planned ahead from ``totalResources`` (each
  starting at or before the previous one's last item), fetched side by side, and read
  in key order; a window whose seam does not hold (its first key after K) is patched
  by a re-fetch in front of it, after which it usually verifies.
- Before any of that, once per walk on the unique key, it probes v1's seek spelling
  (``_id[$gt]=K``) with ``limit=500`` (other keys may be null, which no seek matches).
  A server that honours it, checked on every page like a v1 seek, is walked
  keyset-wise at one request per 500 items; one that refuses it (400) or ignores it,
  then or when a token taken while it honoured the seek is resumed, falls back to
  windows at once.

Correctness rests on verification alone; the position estimates only decide how many
requests it costs. :func:`fewest_requests` is the floor the window rule allows on a list
that does not change, which the planner meets on such a list.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._errors import PaginationError, ValidationError
from ._keyset import check_page, request_params, seek_parameter
from ._plan import Ask, Batch, Position, WalkOptions, WalkSpec, advance, check_lanes, sort_rank

if TYPE_CHECKING:
    from ._dialect import ListPage

__all__ = ["MIN_PAGE_SIZE", "Seek", "WindowLane", "WindowPlanner", "best_window", "fewest_requests"]

Raw = dict[str, Any]
#: Windows read in a row without a new item before the walk gives up: a server whose
#: ``page`` answers never converge (plus room for windows planned ahead going stale).
STALL_LIMIT = 32
#: The smallest ``page_size`` a v2 walk takes: below it :func:`best_window` dead-ends on
#: lists of ordinary length (at position lcm(1..page_size) - 1).
MIN_PAGE_SIZE = 20
#: Largest position a token may claim (a forged anchor must not be arithmetic bait).
_MAX_POSITION = 10**12


def best_window(anchor: int, max_limit: int) -> tuple[int, int]:
    """``(limit, page)``: of the windows starting at or before position ``anchor``, the one
    reaching furthest (the larger limit on a tie). ``anchor`` -1: nothing yielded yet.

    :class:`PaginationError` where none reaches past ``anchor``: every limit up to
    ``max_limit`` divides ``anchor + 1``. Following the best windows from the head meets
    that at ``anchor + 1`` = lcm(1..max_limit): 12 for 4, 2520 for 9 or 10, above 10**8
    for 19 or more. So a walk takes no ``page_size`` below :data:`MIN_PAGE_SIZE`, and
    only a server capping its pages that low meets it.
    """
    if anchor < 0:
        return max_limit, 1
    best_reach, best = -1, (max_limit, 1)
    for limit in range(max_limit, 0, -1):
        if anchor + limit - 1 <= best_reach:
            break  # no smaller limit can reach further
        start = anchor - anchor % limit
        if start + limit - 1 > best_reach:
            best_reach, best = start + limit - 1, (limit, start // limit + 1)
    if best_reach <= anchor:
        raise PaginationError(
            f"no window of at most {max_limit} items both starts at or before position "
            f"{anchor} and ends after it, so the walk cannot verify a next window; a "
            "server serving so few items a page cannot be walked exactly once",
            parameter="limit",
            value=max_limit,
        )
    return best


def fewest_requests(total: int, max_limit: int = 500) -> int:
    """The fewest windows that walk an unchanging list of ``total`` items, each starting
    at or before the last item already seen and the last one short (so known final).

    A dynamic program over positions: f(k) is the fewest windows from "items 0..k seen".
    f never grows with k (a window chosen from k reaches at least as far from any later
    k), so of the states one request reaches only the furthest can be optimal, and the
    program reduces to following :func:`best_window` from the head. The tests check
    this against the exhaustive program.
    """
    anchor, count = -1, 0
    while True:
        count += 1
        limit, page = best_window(anchor, max_limit)
        start = (page - 1) * limit
        if start + limit > total:
            return count
        anchor = start + limit - 1


class Seek(enum.Enum):
    """Whether the server honours v1's seek spelling (``_id[$gt]=``)."""

    UNTESTED = "untested"
    HONOURED = "honoured"
    UNAVAILABLE = "unavailable"


@attrs.frozen
class WindowLane:
    """Where a v2 walk stands, and what it learnt of the server (all in its token)."""

    mark: Position = attrs.field(factory=Position)
    #: Estimated index of the item the next window must start at or before: K itself for
    #: a unique key, the last item before K's tie group otherwise; -1 before any.
    anchor: int = -1
    #: ``meta.totalResources`` of the last window read.
    total: int | None = None
    #: The largest window the server serves (500, or a cap it showed).
    limit: int = 500
    seek: Seek = Seek.UNTESTED

    def row(self) -> list[Any]:
        return [self.mark.row(), self.anchor, self.total, self.limit, self.seek.value]

    @classmethod
    def from_row(cls, row: Any, max_limit: int) -> WindowLane:
        """A lane from a token, its numbers bounded; :class:`ValidationError` otherwise."""
        try:
            mark, anchor, total, limit, seek = row
            if not (_count(anchor, -1) and _count(limit, 2) and (total is None or _count(total))):
                raise TypeError
            return cls(Position.from_row(mark), anchor, total, min(limit, max_limit), Seek(seek))
        except (TypeError, ValueError):
            raise ValidationError(
                "cursor is mangled: a window position has the wrong shape"
            ) from None


def _count(value: Any, least: int = 0) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and least <= value <= _MAX_POSITION
    )


@attrs.define(eq=False)
class _Slot:
    """One planned request: a window ``(limit, page)``, or a seek when ``window`` is None."""

    window: tuple[int, int] | None
    ask: Ask | None = None
    page: ListPage | None = None
    #: Its place in send order: a later answer knows the newer ``totalResources``.
    sent: int = -1
    #: Failed once and kept behind the patch sent for it; dropped if it fails again.
    spare: bool = False


class WindowPlanner:
    """v2's walk: a seek probe, then page windows (see the module docstring)."""

    kind: ClassVar[str] = "windows"

    def __init__(self, spec: WalkSpec, options: WalkOptions, lanes: list[Any] | None) -> None:
        if options.page_size < MIN_PAGE_SIZE:
            raise ValidationError(
                f"page_size must be at least {MIN_PAGE_SIZE} for a v2 walk: each window must "
                "start at or before the last item yielded and end after it, and with windows "
                "of fewer items every limit soon divides that position (at position 11 for "
                f"page_size 4) so no window can; from {MIN_PAGE_SIZE} on, not before "
                "232,792,560 items"
            )
        self._spec = spec
        self._concurrency = options.concurrency
        self._dialect = options.seek_dialect
        if lanes is None:
            lane = WindowLane(limit=options.page_size)
        else:
            rows = check_lanes(lanes)
            if len(rows) != 1:
                raise ValidationError("cursor is mangled: a window walk has one lane")
            lane = WindowLane.from_row(rows[0], options.page_size)
        if spec.filtered_key is not None or not spec.unique:
            # A seek would merge with a filter on the key; and a seek on a key some items
            # lack (null or missing) never matches them, while windows hold them in order.
            lane = attrs.evolve(lane, seek=Seek.UNAVAILABLE)
        self._start = self._lane = lane
        self._slots: deque[_Slot] = deque()
        self._frontier = -1  # reach of the last window planned ahead
        self._sent = 0
        self._total_seen = -1  # send order of the answer ``total`` came from
        self._total = lane.total
        self._anchor_sent, self._anchor_total = -1, lane.total  # what the anchor knew
        self._failures = 0  # unverified windows in a row
        self._stalls = 0  # windows read in a row without a new item
        self._seen: set[Any] | None = None if spec.unique else set()

    # -- what to ask -----------------------------------------------------------------------

    def _seeking(self) -> bool:
        lane = self._lane
        return lane.seek is not Seek.UNAVAILABLE and lane.mark.started

    def asks(self, room: int) -> list[Ask]:
        if self._lane.mark.done:
            return []
        if self._seeking():
            if self._slots or room < 1:
                return []
            slot = _Slot(None)
            self._slots.append(slot)
            return [self._send(slot)]
        self._plan()
        out: list[Ask] = []
        for slot in self._slots:
            if len(out) >= room:
                break
            if slot.ask is None:
                out.append(self._send(slot))
        return out

    def _plan(self) -> None:
        """Plan windows up to ``concurrency`` ahead: the first from the anchor, the next
        from the previous one's last item, until one reaches past ``totalResources``."""
        lane = self._lane
        while len(self._slots) < self._concurrency:
            if not self._slots:
                anchor = lane.anchor
            elif self._total is None or self._frontier >= self._total:
                return  # ahead only once the length is known, and not past it
            else:
                # The seam: start at or before the previous window's last item (and, for a
                # non-unique key, the one before it, so a tie there still verifies).
                anchor = self._frontier - (0 if self._spec.unique else 1)
            window = best_window(anchor, lane.limit)
            limit, page = window
            self._frontier = (page - 1) * limit + limit - 1
            self._slots.append(_Slot(window))

    def _send(self, slot: _Slot) -> Ask:
        spec, lane = self._spec, self._lane
        if slot.window is None:
            params = [*request_params(spec, lane.mark, self._dialect), ("limit", str(lane.limit))]
            # Any seek may be refused: a token resumed against a server that no longer
            # honours it falls back to windows just as a first probe does.
            ask = Ask(tuple(params), lane.limit, slot, probe=True)
        else:
            limit, page = slot.window
            direction = "descending" if spec.descending else "ascending"
            params = [*spec.filters, ("sortBy", spec.key), ("sortDirection", direction)]
            params += [("limit", str(limit)), ("page", str(page))]
            ask = Ask(tuple(params), limit, slot)
        slot.ask, slot.sent = ask, self._sent
        self._sent += 1
        return ask

    # -- what came back --------------------------------------------------------------------

    def take(self, ask: Ask, page: ListPage) -> list[Batch]:
        slot: _Slot = ask.tag
        slot.page = page
        if slot.sent > self._total_seen and page.total is not None and slot.window is not None:
            self._total_seen, self._total = slot.sent, page.total
        out: list[Batch] = []
        while self._slots and self._slots[0].page is not None and not self._lane.mark.done:
            head = self._slots[0]
            batch = self._read_seek(head) if head.window is None else self._read_window(head)
            if batch is not None:
                out.append(batch)
        if self._lane.mark.done:
            self._slots.clear()
        return out

    def refused(self, ask: Ask) -> list[Batch]:
        """The server refused the seek (400), first or after a resume: walk by windows."""
        self._slots.remove(ask.tag)
        self._lane = attrs.evolve(self._lane, seek=Seek.UNAVAILABLE)
        return []

    def _read_seek(self, slot: _Slot) -> Batch | None:
        self._slots.popleft()
        assert slot.page is not None
        assert slot.ask is not None
        page, lane, spec = slot.page, self._lane, self._spec
        limit = slot.ask.limit
        try:
            fresh, mark = check_page(spec, lane.mark, page.items, seen=self._seen, page_size=limit)
        except PaginationError as error:
            if error.parameter != seek_parameter(spec):
                raise
            # It ignored the seek: never trusted again; the windows take over from K.
            self._lane = attrs.evolve(lane, seek=Seek.UNAVAILABLE)
            return None
        n = len(page.items)
        if page.total is not None:  # the count after K, when the server counts the seek
            self._total = lane.anchor + 1 + page.total
        if mark.done and n and page.total is not None and page.total > n:
            mark, limit = attrs.evolve(mark, done=False), n  # a capped limit, not the end
        after = WindowLane(mark, lane.anchor + len(fresh), self._total, limit, Seek.HONOURED)
        self._lane = after
        return Batch(0, fresh, lane, after, page.source)

    def _read_window(self, slot: _Slot) -> Batch | None:
        assert slot.page is not None
        assert slot.window is not None
        spec, lane, page = self._spec, self._lane, slot.page
        limit, number = slot.window
        start = (number - 1) * limit
        items = page.items
        n = len(items)
        self._check_order(items)
        if page.page is not None and page.page != number:
            raise PaginationError(
                f"the server answered page {page.page} when asked for page {number} "
                f"(limit {limit}): it does not page as documented",
                parameter="page",
                value=number,
            )
        self._slots.popleft()
        shift = self._shift(slot)
        verified = start == 0 or (n > 0 and lane.mark.started and self._starts_before(items[0]))
        if not verified:
            if slot.spare:
                return None  # a window kept behind a patch failed again: the patch leads
            self._failures += 1
            self._stalled()
            # Deletes before K shifted the list left past this window's start: step back,
            # first by what the list lost, then twice as far each time in a row.
            guess = min(lane.anchor + min(shift, 0), start - 1) - (2 ** (self._failures - 1) - 1)
            if page.total is not None:
                guess = min(guess, page.total - 1)
            self._move(attrs.evolve(lane, anchor=max(guess, -1), total=self._total), slot)
            if not any(other.spare for other in self._slots):
                slot.spare = True  # once the patch is read it may verify: keep it (one)
                self._slots.appendleft(slot)
            self._slots.appendleft(_Slot(best_window(self._lane.anchor, lane.limit)))
            return None
        self._failures = 0
        fresh = self._after_mark(items)
        if self._seen is not None:
            self._seen.update(item.get(spec.id_field) for item in fresh)
        short = n < limit
        ends = short and self._meta_agrees(page, slot.window, n)
        ends = ends and (page.total_pages is not None or self._reaches_mark(items, start))
        cap = lane.limit
        if short and not ends and n >= 2:
            cap = min(cap, n)  # fewer than asked, yet not the end: the server caps limit
        mark = advance(spec, lane.mark, fresh)
        anchor = self._anchor_after(items, start, mark, lane.anchor + max(shift, 0))
        if ends:
            mark = attrs.evolve(mark, done=True)
        elif fresh:
            self._stalls = 0
        else:
            self._stalled()
            self._refuse_stuck_ties(slot.window, items, mark, anchor, cap)
        after = WindowLane(mark, anchor, self._total, cap, lane.seek)
        self._move(after, slot)
        if not fresh and not mark.done:
            return None
        return Batch(0, fresh, lane, after, page.source)

    def _shift(self, slot: _Slot) -> int:
        """How much the list grew (or, negative, shrank) between the answer the anchor
        was estimated from and this one; 0 when unknown or when this answer is older."""
        assert slot.page is not None
        total = slot.page.total
        if total is None or self._anchor_total is None or slot.sent < self._anchor_sent:
            return 0
        return total - self._anchor_total

    def _move(self, lane: WindowLane, slot: _Slot) -> None:
        self._lane = lane
        assert slot.page is not None
        if slot.sent > self._anchor_sent and slot.page.total is not None:
            self._anchor_sent, self._anchor_total = slot.sent, slot.page.total

    # -- the rules -------------------------------------------------------------------------

    def _after(self, value: Any, than: Any) -> bool:
        """Whether key ``value`` comes after ``than`` in walk order."""
        a, b = sort_rank(value), sort_rank(than)
        return a < b if self._spec.descending else a > b

    def _starts_before(self, first: Raw) -> bool:
        """Whether a window whose first item is ``first`` starts at or before K (strictly
        before K's ties, for a non-unique key)."""
        key, last = self._spec.key, self._lane.mark.last
        if self._spec.unique:
            return not self._after(first.get(key), last)
        return self._after(last, first.get(key))

    def _reaches_mark(self, items: Sequence[Raw], start: int) -> bool:
        """Whether a verified window holds K or an item after it (or starts at the head).
        Without ``totalPages`` to show the server paged by the limit asked for, one
        wholly before K may have been paged by a cap, so its shortness ends nothing."""
        mark = self._lane.mark
        if start == 0 or not mark.started:
            return True
        return bool(items) and not self._after(mark.last, items[-1].get(self._spec.key))

    @staticmethod
    def _meta_agrees(page: ListPage, window: tuple[int, int], n: int) -> bool:
        """Whether ``meta`` agrees that a short window ends the list: it counts exactly
        the items up to the window's end and, past the first page, as many pages as the
        limit asked for makes (a capped server counts and pages by its cap)."""
        limit, number = window
        start = (number - 1) * limit
        if page.total is None:
            return True
        if page.total != start + n:
            return False  # more remain (a cap), or the window is not where it was asked
        if page.total_pages is None or number == 1:
            return True
        return page.total_pages == -(-page.total // limit)

    def _after_mark(self, items: Sequence[Raw]) -> list[Raw]:
        """The items of a verified window that follow K (and were not yielded)."""
        spec, mark = self._spec, self._lane.mark
        if not mark.started:
            fresh = list(items)
        else:
            key, id_field, last = spec.key, spec.id_field, mark.last
            fresh = [
                item
                for item in items
                if self._after(item.get(key), last)
                or (
                    not spec.unique
                    and sort_rank(item.get(key)) == sort_rank(last)
                    and item.get(id_field) not in mark.ids_at_last
                )
            ]
        if self._seen is None:
            return fresh
        seen, taken, out = self._seen, set(), []
        for item in fresh:
            ident = item.get(spec.id_field)
            if ident not in seen and ident not in taken:
                taken.add(ident)
                out.append(item)
        return out

    def _anchor_after(self, items: Sequence[Raw], start: int, mark: Position, ahead: int) -> int:
        """The anchor's position, read from a verified window: exact, unless K lies past
        the window (inserts before K shifted it right), where ``ahead`` is the guess."""
        key = self._spec.key
        if not items:
            return -1
        if not mark.started:
            return start + len(items) - 1
        if self._spec.unique:
            if self._after(mark.last, items[-1].get(key)):
                return max(ahead, start + len(items))
            return start + len(items) - 1
        before = [i for i, item in enumerate(items) if self._after(mark.last, item.get(key))]
        if not before:
            return -1 if start == 0 else start - 1
        return start + before[-1]

    def _refuse_stuck_ties(
        self,
        window: tuple[int, int],
        items: Sequence[Raw],
        mark: Position,
        anchor: int,
        cap: int,
    ) -> None:
        """A non-unique key whose tie group no window can get past: the best window that
        starts before the group (as a verified one must) ends inside it, bringing nothing
        new. Windows start at multiples of their limit, so this can happen to a group
        smaller than the largest window when it sits badly."""
        key = self._spec.key
        if self._spec.unique or not items:
            return
        last, tail = sort_rank(mark.last), items[-1]
        moved = self._seen is not None and tail.get(self._spec.id_field) in self._seen
        if sort_rank(tail.get(key)) != last and not moved:
            return  # (an item yielded before its key changed past K ends it just as well)
        if best_window(anchor, cap) == window:
            ties = sum(1 for item in items if sort_rank(item.get(key)) == last)
            raise PaginationError(
                f"{ties} or more items share {key}={mark.last!r} and no window of at most "
                f"{cap} items that starts before them gets past them; sort by a more "
                "selective key such as _id",
                parameter=key,
                value=mark.last,
            )

    def _check_order(self, items: Sequence[Raw]) -> None:
        key, unique = self._spec.key, self._spec.unique
        ranks = [sort_rank(item.get(key)) for item in items]
        if self._spec.descending:
            ranks.reverse()
        for i, (a, b) in enumerate(pairwise(ranks)):
            if a > b or (unique and a == b):
                bad = items[len(items) - 2 - i if self._spec.descending else i + 1]
                raise PaginationError(
                    f"the server ignored sortBy={key}: the window holds "
                    f"{self._spec.id_field}={bad.get(self._spec.id_field)!r} "
                    f"({key}={bad.get(key)!r}) out of order; refusing to repeat or skip items",
                    parameter="sortBy",
                    value=key,
                )

    def _stalled(self) -> None:
        self._stalls += 1
        if self._stalls > STALL_LIMIT + 2 * self._concurrency:
            raise PaginationError(
                f"{self._stalls} windows in a row brought nothing new: the server's page "
                "answers do not converge (or the list changes faster than it can be walked)",
                parameter="page",
            )

    # -- where it stands -------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self._lane.mark.done

    @property
    def held(self) -> int:
        return sum(1 for slot in self._slots if slot.page is not None)

    @property
    def total(self) -> int | None:
        """``meta.totalResources`` of the newest window; in seek mode, where the server
        counts only the items after K, the items walked past plus that count: what the
        walk delivers in all if nothing more changes (items deleted behind the cursor
        stay counted, since they were yielded; the list's own size is not asked for)."""
        return self._total

    def start_states(self) -> list[Any]:
        return [self._start]

    def state_after(self, batch: Batch, taken: int) -> Any:
        after: WindowLane = batch.after
        if taken == len(batch.items):
            return after
        before: WindowLane = batch.before
        mark = advance(self._spec, before.mark, batch.items[:taken])
        anchor = after.anchor - (len(batch.items) - taken) if taken else before.anchor
        return attrs.evolve(after, mark=mark, anchor=max(anchor, -1))

    def is_done(self, state: Any) -> bool:
        return bool(state.mark.done)

    def lanes_payload(self, states: Sequence[Any]) -> list[Any]:
        return [state.row() for state in states]
