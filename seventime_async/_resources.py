"""Resource namespaces (``client.customers`` ...), all driven by the endpoint table.

Data flows one way: keywords -> validated query (``_requests``) -> planner -> transport
-> converter -> entities. Three classes cover the 18 endpoints by capability.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Generic, Literal, TypeVar, overload

import orjson

from ._converter import structure, structure_page
from ._endpoints import Endpoint
from ._entities import Entity
from ._errors import DecodeError, NotFoundError
from ._paginate import Paginator, Raw, fetch_list
from ._planner import PAGE_SIZE, Position, SeekDialect, WalkSpec, decode_token
from ._qs import encode_pairs
from ._requests import (
    check_direction,
    check_id,
    create_payload,
    filter_params,
    list_params,
    sort_key,
)
from ._transport import Transport

__all__ = ["CreateResource", "GetResource", "ListResource"]

E = TypeVar("E", bound=Entity)
T = TypeVar("T")

_SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError)


class ListResource(Generic[E]):
    """An endpoint family that can be listed (every one of them)."""

    def __init__(
        self, transport: Transport, endpoint: Endpoint[E], dialect: SeekDialect | None = None
    ) -> None:
        self._transport = transport
        self.endpoint = endpoint
        self._dialect = dialect

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.endpoint.path} -> {self.endpoint.entity.__name__}>"

    def _decode_page(self, items: list[Raw]) -> list[E]:
        try:
            return structure_page(items, self.endpoint.entity)
        except _SHAPE_ERRORS as exc:
            raise self._shape_error(items, exc) from None

    def _decode_one(self, item: Any) -> E:
        try:
            return structure(item, self.endpoint.entity)
        except _SHAPE_ERRORS as exc:
            raise self._shape_error(item, exc) from None

    def _shape_error(self, data: Any, exc: Exception) -> DecodeError:
        return DecodeError(
            f"response is not the {self.endpoint.entity.__name__} shape expected ({exc})",
            status=200,
            body_start=orjson.dumps(data, default=str)[:200],
            method="GET",
            url=self._transport.base_url + self.endpoint.path,
        )

    async def list(
        self, *, sort_by: str | None = None, sort_direction: str | None = None, **filters: Any
    ) -> list[E]:
        """One request: at most 100 items. Use :meth:`iter_all` for all of them."""
        params = list_params(self.endpoint, sort_by, sort_direction, filters)
        return self._decode_page(await fetch_list(self._transport, self.endpoint.path, params))

    def iter_all(
        self,
        *,
        sort_by: str | None = None,
        sort_direction: str = "ascending",
        concurrency: int = 1,
        cursor: str | None = None,
        max_items: int | None = None,
        page_size_hint: int | None = None,
        **filters: Any,
    ) -> Paginator[E]:
        """Every item matching ``filters``, exactly once, past the 100-item cap.

        See :class:`Paginator` and the README's pagination section for the ordering,
        resume and concurrency rules.
        """
        return self._walk(
            self._decode_page,
            sort_by,
            sort_direction,
            concurrency,
            cursor,
            max_items,
            page_size_hint,
            filters,
        )

    def iter_raw(
        self,
        *,
        sort_by: str | None = None,
        sort_direction: str = "ascending",
        concurrency: int = 1,
        cursor: str | None = None,
        max_items: int | None = None,
        page_size_hint: int | None = None,
        **filters: Any,
    ) -> Paginator[dict[str, Any]]:
        """As :meth:`iter_all`, yielding the JSON objects exactly as the API sent them."""
        return self._walk(
            list,
            sort_by,
            sort_direction,
            concurrency,
            cursor,
            max_items,
            page_size_hint,
            filters,
        )

    def _walk(
        self,
        decode: Any,
        sort_by: str | None,
        sort_direction: str,
        concurrency: int,
        cursor: str | None,
        max_items: int | None,
        page_size_hint: int | None,
        filters: dict[str, Any],
    ) -> Paginator[Any]:
        endpoint = self.endpoint
        check_direction(sort_direction)
        key = endpoint.key if sort_by is None else sort_key(endpoint, sort_by)
        spec = WalkSpec(
            path=endpoint.path,
            key=key,
            unique=key == endpoint.key,
            descending=sort_direction == "descending",
            filters=tuple(filter_params(endpoint, filters)),
            id_field="_id" if endpoint.key == "_id" else endpoint.key,
        )
        positions = decode_token(spec, cursor) if cursor is not None else [Position()]
        return Paginator(
            transport=self._transport,
            spec=spec,
            positions=positions,
            plan=cursor is None and concurrency > 1,
            concurrency=concurrency,
            decode=decode,
            max_items=max_items,
            page_size=page_size_hint or PAGE_SIZE,
            dialect=self._dialect,
            events=self._transport.emit,
        )


class GetResource(ListResource[E]):
    """An endpoint family whose items can also be fetched one by one."""

    async def get(self, id: str) -> E:
        """The item with this id; :class:`NotFoundError` if there is none."""
        item_id = check_id(id)
        data = await self._transport.request("GET", f"{self.endpoint.path}/{item_id}")
        return self._decode_one(data)

    @overload
    async def get_many(
        self, ids: Iterable[str], *, return_exceptions: Literal[False] = False
    ) -> list[E]: ...

    @overload
    async def get_many(
        self, ids: Iterable[str], *, return_exceptions: Literal[True]
    ) -> list[E | NotFoundError]: ...

    async def get_many(
        self, ids: Iterable[str], *, return_exceptions: bool = False
    ) -> list[E] | list[E | NotFoundError]:
        """Fetch many items concurrently under the client's limiter; results in input order.

        Repeated ids are fetched once. With ``return_exceptions=True`` a missing id gives
        its :class:`NotFoundError` in its place instead of failing the lot; any other
        error still raises.
        """
        wanted = [check_id(i) for i in ids]
        unique = list(dict.fromkeys(wanted))
        fetch = self._get_or_missing if return_exceptions else self.get
        tasks = {i: asyncio.ensure_future(fetch(i)) for i in unique}
        try:
            await asyncio.gather(*tasks.values())
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
        found = {i: task.result() for i, task in tasks.items()}
        return [found[i] for i in wanted]

    async def _get_or_missing(self, item_id: str) -> E | NotFoundError:
        try:
            return await self.get(item_id)
        except NotFoundError as missing:
            return missing


class CreateResource(GetResource[E]):
    """An endpoint family that can also create items."""

    async def create(self, **fields: Any) -> E:
        """Create an item from snake_case fields; nested objects as entities or dicts.

        Required fields and the reference's conditional rules are checked before the
        request; the body is form-encoded in the bracket form the API reads.
        """
        payload = create_payload(self.endpoint, fields)
        data = await self._transport.request("POST", self.endpoint.path, form=encode_pairs(payload))
        return self._decode_one(data)


def capability(endpoint: Endpoint[Any]) -> type[ListResource[Any]]:
    """The resource class that matches what an endpoint supports."""
    if endpoint.create is not None:
        return CreateResource
    return GetResource if endpoint.get else ListResource
