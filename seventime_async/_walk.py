"""The driver: runs a pure planner over the transport; ``iter_all`` returns its object.

:func:`open_walk` is the one call a resource makes: it checks the options, decodes a
resume token, and lets the dialect's planner (keyset in v1, page windows in v2) decide
what to ask. The driver is the same for both:

- it sends what the planner asks for, at most ``concurrency`` requests at once, and
  holds at most ``2 x concurrency`` pages ahead of the consumer (in flight, answered or
  buffered), so memory does not grow with the account;
- it refuses an answer larger than the page it asked for (:class:`DecodeError`);
- it keeps the cursor ledger: each lane's state after the last item yielded;
- it cuts the walk at ``max_items`` and yields items or pages;
- on ``break``, ``aclose()``, an error or cancellation, every request in flight is
  cancelled and awaited before control returns; an error carries ``.cursor`` and
  ``.items_yielded``, and anything unexpected becomes a :class:`PaginationError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _tokens
from ._errors import (
    BadRequestError,
    PaginationError,
    SevenTimeError,
    ValidationError,
    decode_error,
)
from ._events import EventHook, PageFetched
from ._plan import MAX_CONCURRENCY, Ask, Batch, Planner, WalkOptions, WalkSpec

if TYPE_CHECKING:
    from ._dialect import Dialect, ListPage

__all__ = ["Paginator", "open_walk"]

T = TypeVar("T")
Raw = dict[str, Any]
Fetch = Callable[[Sequence[tuple[str, str]]], Awaitable["ListPage"]]
#: Decodes the raw items of one answer (the answer is there for errors about them).
Decode = Callable[[list[Raw], Any], list[T]]


def open_walk(
    fetch: Fetch,
    spec: WalkSpec,
    dialect: Dialect,
    decode: Decode[T],
    *,
    concurrency: int = 1,
    page_size: int | None = None,
    page_size_hint: int | None = None,
    cursor: str | None = None,
    cursor_key: bytes | None = None,
    max_items: int | None = None,
    seek_dialect: Any = None,
    events: EventHook | None = None,
) -> Paginator[T]:
    """A walk over every item of ``spec``'s query, by the dialect's strategy.

    Every option is checked here, before any request: :class:`ValidationError`.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise ValidationError(f"concurrency must be an int, got {concurrency!r}")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValidationError(f"concurrency must be 1..{MAX_CONCURRENCY}, got {concurrency}")
    if max_items is not None and max_items < 0:
        raise ValidationError(f"max_items must be >= 0, got {max_items}")
    if page_size_hint is not None:
        warnings.warn(
            "page_size_hint is deprecated: use page_size", DeprecationWarning, stacklevel=4
        )
        if page_size is not None and page_size != page_size_hint:
            raise ValidationError("give page_size or page_size_hint (deprecated), not both")
        page_size = page_size_hint
    largest = dialect.max_page_size
    if page_size is None:
        page_size = largest
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValidationError(f"page_size must be an int, got {page_size!r}")
    if not 1 <= page_size <= largest:
        raise ValidationError(
            f"page_size must be 1..{largest} in API v{dialect.version}, got {page_size}"
        )
    options = WalkOptions(concurrency, page_size, seek_dialect)
    strategy = dialect.walk
    lanes = None
    if cursor is not None:
        lanes = _resumed_lanes(cursor, cursor_key, spec, dialect.version, strategy.kind)
    planner = strategy(spec, options, lanes)

    def encode(states: Sequence[Any]) -> str:
        payload = {
            "api": dialect.version,
            "walk": strategy.kind,
            "q": spec.digest,
            "lanes": planner.lanes_payload(states),
        }
        return _tokens.encode(payload, key=cursor_key)

    walk = _Walk(
        planner=planner,
        spec=spec,
        fetch=fetch,
        decode=decode,
        concurrency=concurrency,
        max_items=max_items,
        encode=encode,
        events=events,
    )
    return Paginator(walk)


def _resumed_lanes(
    token: str, key: bytes | None, spec: WalkSpec, version: int, kind: str
) -> list[Any]:
    """The lanes of ``token``, once it is shown to come from this very walk."""
    payload = _tokens.decode(token, key=key)
    api = payload.get("api")
    if api != version:
        raise ValidationError(
            f"cursor was taken by an API v{api} walk and this client speaks v{version}: "
            "a position in one version's paging means nothing in the other's"
        )
    if payload.get("walk") != kind:
        raise ValidationError(f"cursor is mangled: it is not a {kind} walk's")
    if payload.get("q") != spec.digest:
        raise ValidationError(
            "cursor was taken for a different query (resource, sort key, direction or "
            "filters differ); resume with exactly the query it came from"
        )
    lanes: list[Any] = payload.get("lanes")  # type: ignore[assignment]
    return lanes


class _Walk(Generic[T]):
    """The engine and state of one walk. The generators it runs reference this object,
    never the :class:`Paginator`, so dropping a paginator after ``break`` frees it at
    once and asyncio's finaliser closes the walk (cancelling its requests)."""

    def __init__(
        self,
        *,
        planner: Planner,
        spec: WalkSpec,
        fetch: Fetch,
        decode: Decode[T],
        concurrency: int,
        max_items: int | None,
        encode: Callable[[Sequence[Any]], str],
        events: EventHook | None,
    ) -> None:
        self.planner = planner
        self.spec = spec
        self._fetch = fetch
        self._decode = decode
        self._concurrency = concurrency
        self._max_items = max_items
        self._encode = encode
        self._events = events
        # Per lane, the state after its last batch yielded in full; the batch being
        # yielded now is kept apart, so an item costs one increment.
        self._lanes: dict[int, Any] = {}
        self._active: Batch | None = None
        self._taken = 0
        self._yielded = 0

    # -- the ledger ----------------------------------------------------------------------

    @property
    def items_yielded(self) -> int:
        return self._yielded + self._taken

    def _settle(self) -> None:
        """Record the batch being yielded with the others."""
        if self._active is not None:
            self._lanes[self._active.lane] = self.planner.state_after(self._active, self._taken)
            self._yielded += self._taken
            self._active, self._taken = None, 0

    def _snapshot(self) -> list[Any]:
        states = self.planner.start_states()
        for lane, state in self._lanes.items():
            states[lane] = state
        if self._active is not None:
            states[self._active.lane] = self.planner.state_after(self._active, self._taken)
        return states

    @property
    def cursor(self) -> str:
        return self._encode(self._snapshot())

    @property
    def exhausted(self) -> bool:
        return all(self.planner.is_done(state) for state in self._snapshot())

    def _remaining(self) -> int | None:
        return None if self._max_items is None else self._max_items - self.items_yielded

    # -- items and pages -----------------------------------------------------------------

    def _decoded_batch(self, batch: Batch) -> list[T]:
        """Decode a batch's items, keeping of each only what a cursor needs (key and id).

        Raw items are let go of as soon as they are decoded, as entities are as soon as
        the caller does, so a walk keeps few objects alive: fewer for Python's garbage
        collector to trace again and again, which otherwise costs a fifth of a walk.
        """
        decoded = self._decode(batch.items, batch.source)
        key, id_field = self.spec.key, self.spec.id_field
        batch.items = [{key: item.get(key), id_field: item.get(id_field)} for item in batch.items]
        return decoded

    async def _decoded(self) -> AsyncGenerator[tuple[Batch, list[T]], None]:
        """Each batch with its items decoded and cut to ``max_items``, until reached."""
        if self._remaining() == 0:
            return
        async with contextlib.aclosing(self._batches()) as batches:
            async for batch in batches:
                decoded = self._decoded_batch(batch)
                remaining = self._remaining()
                if remaining is not None:
                    del decoded[remaining:]
                yield batch, decoded
                if self._remaining() == 0:
                    return

    async def items(self) -> AsyncIterator[T]:
        async with contextlib.aclosing(self._decoded()) as batches:
            async for batch, decoded in batches:
                self._active = batch
                decoded.reverse()
                while decoded:
                    self._taken += 1
                    yield decoded.pop()  # held by the caller alone from here
                self._settle()

    async def pages(self) -> AsyncIterator[list[T]]:
        async with contextlib.aclosing(self._decoded()) as batches:
            async for batch, decoded in batches:
                self._active, self._taken = batch, len(decoded)
                self._settle()
                if decoded:
                    yield decoded

    # -- the engine ----------------------------------------------------------------------

    async def _batches(self) -> AsyncGenerator[Batch, None]:
        """Send what the planner asks, read the answers in send order, yield batches."""
        planner, most = self.planner, self._concurrency
        in_flight: dict[asyncio.Future[ListPage], Ask] = {}
        ready: deque[Batch] = deque()
        refusal: SevenTimeError | None = None  # a request the planner will not make
        try:
            while True:
                room = min(most, 2 * most - len(ready) - planner.held) - len(in_flight)
                if room > 0 and refusal is None:
                    try:
                        asks = planner.asks(room)
                    except SevenTimeError as error:
                        asks, refusal = [], error  # raised once what was read is yielded
                    for ask in asks:
                        in_flight[asyncio.ensure_future(self._fetch(ask.params))] = ask
                if ready:
                    yield ready.popleft()
                    continue
                if refusal is not None:
                    raise refusal
                if planner.finished:
                    return
                if not in_flight:
                    raise PaginationError("the walk has nothing to ask yet is not finished")
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for future in [f for f in in_flight if f in done]:
                    ready.extend(self._read(in_flight.pop(future), future))
        finally:
            for future in in_flight:
                future.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    def _read(self, ask: Ask, answer: asyncio.Future[ListPage]) -> list[Batch]:
        try:
            page = answer.result()
        except BadRequestError:
            if ask.probe:
                return self.planner.refused(ask)
            raise
        if len(page.items) > ask.limit:
            reason = f"a list page of {len(page.items)} items answered a request for {ask.limit}"
            if page.source is None:
                raise PaginationError(reason, parameter="limit", value=ask.limit)
            raise decode_error(reason, page.source)
        batches = self.planner.take(ask, page)
        if self._events is not None:
            for batch in batches:
                self._events(PageFetched(self.spec.path, len(batch.items), batch.lane))
        return batches


class Paginator(Generic[T]):
    """An async iterator over every item of a query, past the page cap.

    - ``async for item in paginator`` yields items; ``paginator.pages()`` yields lists.
    - ``cursor`` is a resume token for everything yielded so far; pass it back as
      ``iter_all(cursor=...)`` with the same query to continue after that item.
    - ``total`` is what the server says the query holds (v2's ``meta.totalResources``)
      once known, for progress bars; None in v1.
    - ``async with`` it, or ``await aclose()``, to stop the walk and cancel whatever is
      in flight at once; ``cursor`` stays readable after. A plain ``break`` cannot tell
      the walk anything: its prefetch (at most ``2 x concurrency`` pages) ends when the
      queue is full, and is cancelled when the walk is dropped.
    - An error raised mid-walk carries ``.cursor`` and ``.items_yielded``.
    """

    def __init__(self, walk: _Walk[T]) -> None:
        self._walk = walk
        self._mode: str | None = None
        self._agen: AsyncIterator[Any] | None = None

    def __repr__(self) -> str:
        walk = self._walk
        return (
            f"<Paginator {walk.spec.path} {walk.planner.kind} key={walk.spec.key} "
            f"yielded={walk.items_yielded}>"
        )

    @property
    def items_yielded(self) -> int:
        return self._walk.items_yielded

    @property
    def cursor(self) -> str:
        """A token that resumes right after the last item yielded."""
        return self._walk.cursor

    @property
    def exhausted(self) -> bool:
        """Whether every item was yielded (a resume from ``cursor`` would yield none)."""
        return self._walk.exhausted

    @property
    def total(self) -> int | None:
        """``meta.totalResources`` as last read (v2), or None (v1, or not yet known)."""
        return self._walk.planner.total

    def __aiter__(self) -> Paginator[T]:
        return self

    async def __aenter__(self) -> Paginator[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def __anext__(self) -> T:
        return await self._step("items")  # type: ignore[no-any-return]

    def pages(self) -> AsyncIterator[list[T]]:
        """Iterate page by page (lists of new items) instead of item by item."""
        return _Pages(self)

    async def _step(self, mode: str) -> Any:
        if self._agen is None:
            if self._mode is not None:
                raise StopAsyncIteration
            self._mode = mode
            walk = self._walk
            self._agen = walk.items() if mode == "items" else walk.pages()
        elif mode != self._mode:
            raise RuntimeError("a Paginator is iterated either by items or by pages(), not both")
        try:
            return await self._agen.__anext__()
        except SevenTimeError as error:
            self._located(error)
            raise
        except (StopAsyncIteration, asyncio.CancelledError, GeneratorExit):
            raise
        except Exception as error:
            unexpected = PaginationError(
                f"the walk failed unexpectedly: {type(error).__name__}: {error}"
            )
            raise self._located(unexpected) from error

    def _located(self, error: SevenTimeError) -> SevenTimeError:
        error.cursor = self._walk.cursor
        error.items_yielded = self._walk.items_yielded
        return error

    async def aclose(self) -> None:
        """Stop the walk: cancel and await in-flight requests. Safe to call twice."""
        self._mode = self._mode or "closed"
        agen, self._agen = self._agen, None
        if agen is not None:
            await agen.aclose()  # type: ignore[attr-defined]


class _Pages(Generic[T]):
    """``Paginator.pages()``: the same walk, one list per page."""

    def __init__(self, parent: Paginator[T]) -> None:
        self._parent = parent

    def __aiter__(self) -> _Pages[T]:
        return self

    async def __anext__(self) -> list[T]:
        return await self._parent._step("pages")  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        await self._parent.aclose()
