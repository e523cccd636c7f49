"""Resource namespaces (``client.customers`` ...), all driven by the endpoint table.

Data flows one way: keywords -> validated request (``_requests``) -> dialect (body,
envelope) -> transport -> converter -> entities. One class serves every family; what a
family offers in the client's API version comes from its row in the table, and an
operation it lacks is a :class:`ValidationError` before any request.
"""

from __future__ import annotations

import asyncio
import base64
import builtins
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, Literal, TypeVar, overload

from ._converter import structure, structure_page
from ._dialect import Dialect, ListPage
from ._endpoints import Api, Endpoint, WriteSpec
from ._entities import Entity
from ._errors import NotFoundError, ValidationError, decode_error
from ._http import Response
from ._page import Page
from ._plan import SeekDialect, WalkSpec
from ._requests import (
    check_direction,
    check_id,
    filter_params,
    list_params,
    sort_key,
    write_payload,
)
from ._transport import Transport
from ._walk import Paginator, open_walk

__all__ = ["MAX_UPLOAD_BYTES", "DocumentResource", "Resource", "TimerResource", "resource_class"]

#: The largest file ``documents.upload`` sends (before base64, which adds a third).
#: The reference documents no limit; a JSON body far beyond this is refused by the
#: usual reverse proxies, so it is refused here first, with a clear message.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

E = TypeVar("E", bound=Entity)
T = TypeVar("T")
Raw = dict[str, Any]

_SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError)


def _as_sent(items: list[Raw], _response: Response) -> list[Raw]:
    return items


class Resource(Generic[E]):
    """One endpoint family: ``list``, ``iter_all``, ``get``, ``get_many``, ``create``,
    ``update`` and ``delete``, as far as the client's API version offers them."""

    def __init__(
        self,
        transport: Transport,
        endpoint: Endpoint[E],
        dialect: Dialect,
        *,
        acting_user: str | None = None,
        seek_dialect: SeekDialect | None = None,
        cursor_key: bytes | None = None,
    ) -> None:
        self._transport = transport
        self.endpoint = endpoint
        self._dialect = dialect
        self._acting_user = acting_user
        self._seek_dialect = seek_dialect
        self._cursor_key = cursor_key

    def __repr__(self) -> str:
        return (
            f"<Resource {self.endpoint.name} {self.endpoint.path} "
            f"-> {self.endpoint.entity.__name__} (v{self._dialect.version})>"
        )

    # -- what the version offers ---------------------------------------------------------

    @property
    def api(self) -> Api:
        """What this family offers in the client's version (ValidationError if nothing)."""
        return self.endpoint.api(self._dialect.version)

    def _operation(self, name: str, spec: WriteSpec | bool | None) -> None:
        if not spec:
            raise ValidationError(
                f"{self.endpoint.name}.{name}() is not offered by API "
                f"v{self._dialect.version} for {self.endpoint.path}"
            )

    # -- decoding ------------------------------------------------------------------------

    def _entities(self, items: builtins.list[Raw], response: Response) -> builtins.list[E]:
        try:
            return structure_page(items, self.endpoint.entity)
        except _SHAPE_ERRORS as exc:
            raise self._shape_error(response, exc) from None

    def _entity(self, item: Raw, response: Response) -> E:
        try:
            return structure(item, self.endpoint.entity)
        except _SHAPE_ERRORS as exc:
            raise self._shape_error(response, exc) from None

    def _shape_error(self, response: Response, exc: Exception) -> Exception:
        reason = f"not the {self.endpoint.entity.__name__} shape expected ({exc})"
        return decode_error(reason, response)

    # -- reading -------------------------------------------------------------------------

    async def _list_response(self, params: Sequence[tuple[str, str]]) -> tuple[ListPage, Response]:
        response = await self._transport.request("GET", self.endpoint.path, params=params)
        return self._dialect.list_page(response), response

    async def list(
        self,
        *,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        limit: int | None = None,
        page: int | None = None,
        **filters: Any,
    ) -> Page[E]:
        """One request: one page of items (v1: up to 100; v2: ``limit`` up to 500, page
        ``page``). Use :meth:`iter_all` for all of them."""
        api = self.api
        params = list_params(self.endpoint, api, sort_by, sort_direction, filters)
        params += self._dialect.page_params(limit, page)
        found, response = await self._list_response(params)
        return Page(
            self._entities(found.items, response),
            total=found.total,
            total_pages=found.total_pages,
            page=found.page,
            limit=limit,
        )

    async def _fetch_page(self, params: Sequence[tuple[str, str]]) -> ListPage:
        """One page of a walk, items and ``meta``, knowing the response it came from."""
        found, _ = await self._list_response(params)
        return found

    def iter_all(
        self,
        *,
        sort_by: str | None = None,
        sort_direction: str = "ascending",
        concurrency: int = 1,
        cursor: str | None = None,
        max_items: int | None = None,
        page_size: int | None = None,
        page_size_hint: int | None = None,
        **filters: Any,
    ) -> Paginator[E]:
        """Every item matching ``filters``, exactly once, past the page cap.

        ``page_size`` is the most items one request brings (v1: 100, or a deployment's
        lower cap; v2: up to 500, the default). ``page_size_hint`` is its deprecated
        name. See :class:`Paginator` and the README's pagination section for the
        ordering, resume and concurrency rules.
        """
        return self._walk(
            self._entities,
            sort_by,
            sort_direction,
            filters,
            concurrency=concurrency,
            cursor=cursor,
            max_items=max_items,
            page_size=page_size,
            page_size_hint=page_size_hint,
        )

    def iter_raw(
        self,
        *,
        sort_by: str | None = None,
        sort_direction: str = "ascending",
        concurrency: int = 1,
        cursor: str | None = None,
        max_items: int | None = None,
        page_size: int | None = None,
        page_size_hint: int | None = None,
        **filters: Any,
    ) -> Paginator[dict[str, Any]]:
        """As :meth:`iter_all`, yielding the JSON objects exactly as the API sent them."""
        return self._walk(
            _as_sent,
            sort_by,
            sort_direction,
            filters,
            concurrency=concurrency,
            cursor=cursor,
            max_items=max_items,
            page_size=page_size,
            page_size_hint=page_size_hint,
        )

    def _walk(
        self,
        decode: Callable[[builtins.list[Raw], Response], builtins.list[Any]],
        sort_by: str | None,
        sort_direction: str,
        filters: dict[str, Any],
        **options: Any,
    ) -> Paginator[Any]:
        endpoint = self.endpoint
        check_direction(sort_direction)
        key = endpoint.key if sort_by is None else sort_key(endpoint, sort_by)
        spec = WalkSpec(
            path=endpoint.path,
            key=key,
            unique=key == endpoint.key,
            descending=sort_direction == "descending",
            filters=tuple(filter_params(endpoint, self.api, filters)),
            id_field="_id" if endpoint.key == "_id" else endpoint.key,
        )
        return open_walk(
            self._fetch_page,
            spec,
            self._dialect,
            decode,
            cursor_key=self._cursor_key,
            seek_dialect=self._seek_dialect,
            events=self._transport.emit,
            **options,
        )

    async def get(self, id: str) -> E:
        """The item with this id; :class:`NotFoundError` if there is none."""
        self._operation("get", self.api.get)
        item_id = check_id(id)
        response = await self._transport.request("GET", f"{self.endpoint.path}/{item_id}")
        return self._entity(self._dialect.one(response), response)

    @overload
    async def get_many(
        self, ids: Iterable[str], *, return_exceptions: Literal[False] = False
    ) -> builtins.list[E]: ...

    @overload
    async def get_many(
        self, ids: Iterable[str], *, return_exceptions: Literal[True]
    ) -> builtins.list[E | NotFoundError]: ...

    async def get_many(
        self, ids: Iterable[str], *, return_exceptions: bool = False
    ) -> builtins.list[E] | builtins.list[E | NotFoundError]:
        """Fetch many items concurrently under the client's limiter; results in input order.

        Repeated ids are fetched once. With ``return_exceptions=True`` a missing id gives
        its :class:`NotFoundError` in its place instead of failing the lot; any other
        error still raises.
        """
        self._operation("get", self.api.get)
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

    # -- writing -------------------------------------------------------------------------

    async def _write(self, method: str, payload: dict[str, Any]) -> E:
        body = self._dialect.body(payload)
        response = await self._transport.request(method, self.endpoint.path, body=body)
        return self._entity(self._dialect.written(response), response)

    async def _act(self, name: str, fields: dict[str, Any]) -> tuple[Raw, Response]:
        """Run the named action of the table (a POST to its own path)."""
        action = self.api.actions.get(name)
        if action is None:
            raise ValidationError(
                f"{self.endpoint.name}.{name}() is not offered by API v{self._dialect.version}"
            )
        payload = write_payload(self.endpoint, action.body, name, fields, self._acting_user)
        body = self._dialect.body(payload)
        response = await self._transport.request("POST", action.path, body=body)
        return self._dialect.written(response), response

    async def create(self, **fields: Any) -> E:
        """Create an item from snake_case fields; nested objects as entities or dicts.

        Required fields and the reference's conditional rules are checked before the
        request; audit fields (``created_by_user``) default to the client's
        ``acting_user``.
        """
        spec = self.api.create
        self._operation("create", spec)
        assert spec is not None
        payload = write_payload(self.endpoint, spec, "create", fields, self._acting_user)
        return await self._write("POST", payload)

    async def update(self, id: str, **fields: Any) -> E:
        """Update the item ``id`` with the fields given (and those the reference requires).

        PUT to the collection URL with ``_id`` in the JSON body (v2). A PUT sends full
        values, so it is retried like a GET.
        """
        spec = self.api.update
        self._operation("update", spec)
        assert spec is not None
        item_id = check_id(id)
        payload = write_payload(self.endpoint, spec, "update", fields, self._acting_user)
        return await self._write("PUT", {"_id": item_id, **payload})

    async def delete(self, id: str, **fields: Any) -> None:
        """Delete the item ``id`` (v2; ``deleted_by_user`` defaults to ``acting_user``).

        A delete retried after a connection dropped mid-request may find the item gone:
        that 404 means the first attempt did it, and counts as done.
        """
        spec = self.api.delete
        self._operation("delete", spec)
        assert spec is not None
        item_id = check_id(id)
        payload = write_payload(self.endpoint, spec, "delete", fields, self._acting_user)
        body = self._dialect.body({"_id": item_id, **payload})
        try:
            await self._transport.request("DELETE", self.endpoint.path, body=body)
        except NotFoundError as gone:
            if not gone.after_uncertain_attempt:
                raise


class TimerResource(Resource[E]):
    """``client.timers``: the active timers, and the actions that start and stop one."""

    async def start(self, *, user: str, **fields: Any) -> E:
        """Start a timer for ``user`` (optionally on a customer, project, work order,
        time category or task); the server answers with the running timer."""
        data, response = await self._act("start", {"user": check_id(user, "user"), **fields})
        return self._entity(data, response)

    async def stop(self, id: str | None = None, *, user: str | None = None) -> Entity:
        """Stop a timer, named by its ``id`` or by its ``user`` (exactly one of them);
        the server answers with the time log it created, returned as a ``TimeLog``."""
        if (id is None) == (user is None):
            raise ValidationError("timers.stop() takes exactly one of id= or user=")
        fields = {"id": check_id(id)} if id is not None else {"user": check_id(user, "user")}
        data, response = await self._act("stop", fields)
        action = self.api.actions["stop"]
        returns = action.returns or self.endpoint.entity
        try:
            return structure(data, returns)
        except _SHAPE_ERRORS as exc:
            raise self._shape_error(response, exc) from None


class DocumentResource(Resource[E]):
    """``client.documents``: documents cannot be listed, only uploaded to a parent
    (they come back embedded, as ``documents``, in the parent object)."""

    async def upload(
        self,
        content: bytes,
        *,
        file_name: str,
        content_type: str,
        entity_type: int,
        entity_id: str | None = None,
        folder_id: str | None = None,
        uploaded_by: str | None = None,
    ) -> None:
        """Upload ``content`` as ``file_name`` to the parent ``entity_type`` (e.g. 200 for
        a work order) and ``entity_id``, or into the folder ``folder_id``.

        Content above :data:`MAX_UPLOAD_BYTES` is refused before anything is sent; it
        travels base64-encoded in the JSON body, as the reference shows.
        """
        if not isinstance(content, bytes | bytearray | memoryview):
            raise ValidationError(f"content must be bytes, got {type(content).__name__}")
        size = len(content)
        if size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"content is {size:,} bytes; documents.upload sends at most "
                f"{MAX_UPLOAD_BYTES:,} (MAX_UPLOAD_BYTES)"
            )
        if not isinstance(file_name, str) or not file_name.strip():
            raise ValidationError("file_name must be a non-empty string")
        if not isinstance(content_type, str) or "/" not in content_type:
            raise ValidationError(f"content_type must be a MIME type, got {content_type!r}")
        if entity_id is None and folder_id is None:
            raise ValidationError("documents.upload() needs entity_id= (or folder_id=)")
        fields = {
            "uploaded_by": uploaded_by,
            "entity_type": entity_type,
            "entity_id": None if entity_id is None else check_id(entity_id, "entity_id"),
            "folder_id": None if folder_id is None else check_id(folder_id, "folder_id"),
            "file": {
                "file_content": base64.b64encode(content).decode("ascii"),
                "options": {"file_name": file_name, "content_type": content_type},
            },
        }
        data, response = await self._act("upload", fields)
        if data.get("success") is not True:
            raise decode_error('expected {"success": true} after an upload', response)


_ACTION_RESOURCES: dict[str, type[Resource[Any]]] = {
    "timers": TimerResource,
    "documents": DocumentResource,
}


def resource_class(endpoint: Endpoint[Any]) -> type[Resource[Any]]:
    """The resource class of a family: the plain one, or one with its actions' methods."""
    return _ACTION_RESOURCES.get(endpoint.name, Resource)
