"""Drives the pure planner over the transport: the object ``iter_all`` returns.

Partitions are walked by up to ``concurrency`` worker tasks that put pages on a bounded
queue, so at most ``2 x concurrency`` pages are held ahead of the consumer and memory
does not grow with the account. The consumer yields items as pages arrive: in key order
within a partition, partitions interleaved. On ``break``, ``aclose()``, an error or
cancellation, every worker is cancelled and awaited before control returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from ._errors import SevenTimeError, ValidationError
from ._events import EventHook, PageFetched
from ._planner import (
    PAGE_SIZE,
    BracketDialect,
    Position,
    SeekDialect,
    WalkSpec,
    accept,
    advance,
    encode_token,
    request_params,
    split,
)

__all__ = ["Paginator"]

T = TypeVar("T")
Raw = dict[str, Any]


@attrs.define
class _Batch:
    partition: int
    items: list[Raw]
    before: Position
    after: Position

    def decoded_by(self, spec: WalkSpec, decode: Callable[[list[Raw]], list[T]]) -> list[T]:
        """Decode the items, keeping of each only what a cursor needs (key and id).

        Raw items are let go of as soon as they are decoded, as entities are as soon as
        the caller does, so a walk keeps few objects alive: fewer for Python's garbage
        collector to trace again and again, which otherwise costs a fifth of a walk.
        """
        decoded = decode(self.items)
        key, id_field = spec.key, spec.id_field
        self.items = [{key: item.get(key), id_field: item.get(id_field)} for item in self.items]
        return decoded


_FINISHED = object()


class _Walk(Generic[T]):
    """The engine and state of one walk. The generators it runs reference this object,
    never the :class:`Paginator`, so dropping a paginator after ``break`` frees it at
    once and asyncio's finaliser closes the walk (cancelling its workers)."""

    def __init__(
        self,
        *,
        fetch: Callable[[Sequence[tuple[str, str]]], Awaitable[list[Raw]]],
        spec: WalkSpec,
        positions: list[Position],
        plan: bool,
        concurrency: int,
        decode: Callable[[list[Raw]], list[T]],
        max_items: int | None = None,
        page_size: int = PAGE_SIZE,
        dialect: SeekDialect | None = None,
        events: EventHook | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValidationError(f"concurrency must be at least 1, got {concurrency}")
        if max_items is not None and max_items < 0:
            raise ValidationError(f"max_items must be >= 0, got {max_items}")
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValidationError(f"page_size_hint must be between 1 and {PAGE_SIZE}")
        self._fetch_page = fetch
        self._spec = spec
        self._positions = positions
        self._plan_first = plan
        self._concurrency = concurrency
        self._decode = decode
        self._max_items = max_items
        self._page_size = page_size
        self._dialect = dialect or BracketDialect()
        self._events = events
        # Per partition, the last batch reached and how many of its items were yielded;
        # the batch being yielded now is kept apart, so an item costs one increment.
        self._current: dict[int, tuple[_Batch, int]] = {}
        self._active: _Batch | None = None
        self._taken = 0
        # Ids passed on a non-unique key, across partitions: an item whose key changes
        # mid-walk may come back further on, and must not be yielded twice.
        self._seen: set[Any] | None = None if spec.unique else set()
        self._yielded = 0

    # -- state ---------------------------------------------------------------------------

    @property
    def items_yielded(self) -> int:
        return self._yielded + self._taken

    def _settle(self) -> None:
        """Record the batch being yielded with the others."""
        if self._active is not None:
            self._current[self._active.partition] = (self._active, self._taken)
            self._yielded += self._taken
            self._active, self._taken = None, 0

    def _snapshot(self) -> list[Position]:
        positions = list(self._positions)
        current = dict(self._current)
        if self._active is not None:
            current[self._active.partition] = (self._active, self._taken)
        for index, (batch, taken) in current.items():
            if taken == len(batch.items):
                positions[index] = batch.after
            else:
                positions[index] = advance(self._spec, batch.before, batch.items[:taken])
        return positions

    @property
    def cursor(self) -> str:
        """A token that resumes right after the last item yielded."""
        return encode_token(self._spec, self._snapshot())

    @property
    def exhausted(self) -> bool:
        """Whether every item was yielded (a resume from ``cursor`` would yield none)."""
        return all(p.done for p in self._snapshot())

    def _remaining(self) -> int | None:
        return None if self._max_items is None else self._max_items - self.items_yielded

    async def _decoded(self) -> AsyncGenerator[tuple[_Batch, list[T]], None]:
        """Each batch with its items decoded and cut to ``max_items``, until reached."""
        if self._remaining() == 0:
            return
        async with contextlib.aclosing(self._batches()) as batches:
            async for batch in batches:
                decoded = batch.decoded_by(self._spec, self._decode)
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

    async def _next_page(self, index: int, pos: Position, queue: asyncio.Queue[Any]) -> Position:
        """Fetch, check and queue partition ``index``'s page at ``pos``; the position after.
        (A function of its own so that nothing of the page outlives it here.)"""
        spec = self._spec
        page = await self._fetch(spec, pos)
        fresh, after = accept(spec, pos, page, seen=self._seen, page_size=self._page_size)
        if self._events is not None:
            self._events(PageFetched(spec.path, len(fresh), index))
        await queue.put(_Batch(index, fresh, pos, after))
        return after

    async def _fetch(self, spec: WalkSpec, pos: Position) -> list[Raw]:
        return await self._fetch_page(request_params(spec, pos, self._dialect))

    async def _plan(self) -> _Batch | None:
        """Split the key range by its two ends; a small result is served from the probe."""
        spec = self._spec
        ascending = attrs.evolve(spec, descending=False)
        descending = attrs.evolve(spec, descending=True)
        low_page, high_page = await asyncio.gather(
            self._fetch(ascending, Position()), self._fetch(descending, Position())
        )
        primary = high_page if spec.descending else low_page
        if len(primary) < self._page_size:
            self._positions = [Position()]
            fresh, after = accept(spec, Position(), primary, page_size=self._page_size)
            return _Batch(0, fresh, Position(), after)
        low, high = low_page[0].get(spec.key), high_page[0].get(spec.key)
        self._positions = split(low, high, self._concurrency)
        return None

    async def _batches(self) -> AsyncGenerator[_Batch, None]:
        if self._plan_first:
            self._plan_first = False
            served = await self._plan()
            if served is not None:
                yield served
                return
        todo = deque(i for i, p in enumerate(self._positions) if not p.done)
        if not todo:
            return
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=2 * self._concurrency)
        workers = [
            asyncio.create_task(self._worker(todo, queue))
            for _ in range(min(self._concurrency, len(todo)))
        ]
        running = len(workers)
        try:
            while running:
                message = await queue.get()
                if message is _FINISHED:
                    running -= 1
                elif isinstance(message, BaseException):
                    raise message
                else:
                    yield message
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _worker(self, todo: deque[int], queue: asyncio.Queue[Any]) -> None:
        try:
            while todo:
                index = todo.popleft()
                pos = self._positions[index]
                while not pos.done:
                    pos = await self._next_page(index, pos, queue)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await queue.put(error)
        else:
            await queue.put(_FINISHED)


class Paginator(Generic[T]):
    """An async iterator over every item of a query, past the 100-item cap.

    - ``async for item in paginator`` yields items; ``paginator.pages()`` yields lists.
    - ``cursor`` is a resume token for everything yielded so far; pass it back as
      ``iter_all(cursor=...)`` with the same query to continue after that item.
    - ``aclose()`` (or ``contextlib.aclosing``, or just ``break``) stops the walk and
      cancels whatever is in flight.
    - An error raised mid-walk carries ``.cursor`` and ``.items_yielded``.
    """

    def __init__(self, **options: Any) -> None:
        self._walk: _Walk[T] = _Walk(**options)
        self._mode: str | None = None
        self._agen: AsyncIterator[Any] | None = None

    def __repr__(self) -> str:
        walk = self._walk
        return f"<Paginator {walk._spec.path} key={walk._spec.key} yielded={walk.items_yielded}>"

    @property
    def items_yielded(self) -> int:
        return self._walk.items_yielded

    @property
    def cursor(self) -> str:
        """A token that resumes right after the last item yielded."""
        return self._walk.cursor

    @property
    def total(self) -> int | None:
        """How many items the server says match (v2's ``meta.totalResources``); None
        until it has said so, and always in v1."""
        return None

    @property
    def exhausted(self) -> bool:
        """Whether every item was yielded (a resume from ``cursor`` would yield none)."""
        return self._walk.exhausted

    def __aiter__(self) -> Paginator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._step("items")  # type: ignore[no-any-return]

    def pages(self) -> AsyncIterator[list[T]]:
        """Iterate page by page (lists of up to 100 items) instead of item by item."""
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
            error.cursor = self._walk.cursor
            error.items_yielded = self._walk.items_yielded
            raise

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
