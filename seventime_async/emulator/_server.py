"""The emulator: an ``aiohttp.web`` server on loopback that behaves as the reference says.

It serves the 18 endpoint families from the shared endpoint table with the 100-item cap,
the documented filters, ``sortBy``/``sortDirection``, the ``[$gt]``/``[$gte]``/``[$lt]``/
``[$lte]`` seek operators (cast to the field's type, compared as MongoDB does, with type
bracketing), auth (401, and 403 for a read-only key), 404, and 400 with ``errorMessage``
for missing required fields, duplicates and bad parameters. POST takes form (``qs``
bracket) or JSON bodies.

For tests it counts and logs every request, injects latency and faults, can ignore seek
parameters (to prove the client notices), and lets a test mutate data mid-walk.
"""

from __future__ import annotations

import asyncio
import bisect
import inspect
import random
import secrets
import time
import typing
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import attrs
import orjson
from aiohttp import web

from .._endpoints import ENDPOINTS, Endpoint, by_name
from .._entities import Entity, cached_per_class
from .._planner import PAGE_SIZE, order
from .._qs import decode_pairs
from .._requests import missing_required
from .._wire import format_timestamp
from ._data import DEFAULT_COUNTS, Generator, object_id

__all__ = ["FAULT_KINDS", "Emulator", "Faults", "RequestRecord"]

#: Fault kinds: an HTTP status before the handler runs (429 with Retry-After in seconds
#: or as an HTTP date, 500, 502, 503); "500-after" commits then answers 500; "drop-before"
#: / "drop-after" close the connection before or after the handler ran; "truncated" cuts
#: the JSON body short; "not-json" answers 200 with an HTML page; "slow" stalls.
FAULT_KINDS = (
    "429",
    "429-date",
    "500",
    "502",
    "503",
    "500-after",
    "drop-before",
    "drop-after",
    "truncated",
    "not-json",
    "slow",
)
_STATUS_FAULTS = {"429": 429, "429-date": 429, "500": 500, "502": 502, "503": 503}
_OPS = frozenset({"$gt", "$gte", "$lt", "$lte"})
_LOW, _HIGH = (-1,), (99,)
_PREFIX = "/api/1"
# Documented filters that name a differently-called field.
_FILTER_FIELDS = {
    "customerId": "customer",
    "projectId": "project",
    "personNumber": "personalNumber",
    "userRole": "userRoleId",
}


@attrs.frozen
class RequestRecord:
    method: str
    path: str
    query: str
    at: float  # time.monotonic() when the request arrived
    status: int | None = None
    fault: str | None = None


@attrs.define
class Faults:
    """Which requests fail, and how. ``rate`` of requests fail with a kind drawn from
    ``kinds``; ``schedule`` maps the Nth request (1-based) to a kind; ``queue`` fails the
    next requests in order."""

    rate: float = 0.0
    kinds: tuple[str, ...] = (
        "429",
        "500",
        "502",
        "503",
        "drop-before",
        "drop-after",
        "truncated",
        "not-json",
    )
    methods: frozenset[str] = frozenset({"GET", "POST"})
    retry_after: int = 0
    slow_seconds: float = 5.0
    seed: int = 0
    schedule: dict[int, str] = attrs.field(factory=dict)
    queue: deque[str] = attrs.field(factory=deque)
    _rng: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        self._rng = random.Random(self.seed)

    def pick(self, number: int, method: str) -> str | None:
        if number in self.schedule:
            return self.schedule[number]
        if method not in self.methods:
            return None
        if self.queue:
            return self.queue.popleft()
        if self.rate and self._rng.random() < self.rate:
            return self._rng.choice(self.kinds)
        return None


def _variants(text: str) -> dict[int, Any]:
    """A query value cast to each JSON type it could be compared with, by order() rank."""
    out: dict[int, Any] = {2: text}
    try:
        number = float(text)
        out[1] = int(number) if number.is_integer() else number
    except ValueError:
        pass
    if text in ("true", "false"):
        out[3] = text == "true"
    return out


def _holds(actual: Any, op: str, variants: dict[int, Any]) -> bool:
    here = order(actual)
    if here[0] not in variants:
        return False  # MongoDB's type bracketing: $gt on a string never matches a number
    there = order(variants[here[0]])
    if op == "$gt":
        return here > there
    if op == "$gte":
        return here >= there
    if op == "$lt":
        return here < there
    return here <= there


class _Collection:
    """One endpoint's documents, with sorted views cached until the next mutation."""

    def __init__(self, endpoint: Endpoint[Any], docs: list[dict[str, Any]]) -> None:
        self.endpoint = endpoint
        self.id_field = endpoint.key
        self.docs: dict[Any, dict[str, Any]] = {d[self.id_field]: d for d in docs}
        self.version = 0
        self._encoded: dict[Any, bytes] = {}
        self._views: dict[str, tuple[int, list[dict[str, Any]], list[Any], int | None]] = {}

    def touch(self) -> None:
        self.version += 1
        self._encoded.clear()

    def encode(self, docs: list[dict[str, Any]]) -> bytes:
        """A JSON array of ``docs``, each serialised once until the next mutation: the
        emulator should not be the bottleneck of a client benchmark."""
        cache, idf = self._encoded, self.id_field
        parts = []
        for doc in docs:
            key = doc[idf]
            if key not in cache:
                cache[key] = orjson.dumps(doc)
            parts.append(cache[key])
        return b"[" + b",".join(parts) + b"]"

    def view(self, field: str) -> tuple[list[dict[str, Any]], list[Any], int | None]:
        """Documents sorted by ``field`` (ties by id), their sort keys, and the one JSON
        type rank all values share (None when mixed)."""
        cached = self._views.get(field)
        if cached is None or cached[0] != self.version:
            idf = self.id_field
            rows = sorted(self.docs.values(), key=lambda d: (order(d.get(field)), order(d[idf])))
            keys = [(order(d.get(field)), order(d[idf])) for d in rows]
            ranks = {key[0][0] for key in keys}
            rank = ranks.pop() if len(ranks) == 1 else None
            cached = self._views[field] = (self.version, rows, keys, rank)
        return cached[1], cached[2], cached[3]


def _error(status: int, message: str) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps({"errorMessage": message}), content_type="application/json"
    )


def _json(data: Any) -> web.Response:
    return web.Response(body=orjson.dumps(data), content_type="application/json")


@cached_per_class
def _field_kinds(entity: type[Entity]) -> dict[str, tuple[str, type[Entity] | None]]:
    """Wire name -> (scalar kind, nested entity) for casting form text like Mongoose."""
    from .._converter import entity_fields

    names = entity_fields(entity)
    out: dict[str, tuple[str, type[Entity] | None]] = {}
    for name, tp in typing.get_type_hints(entity).items():
        if name not in names:
            continue
        args = {tp, *typing.get_args(tp)}
        for arg in args:
            args.update(typing.get_args(arg))
        nested = next((a for a in args if isinstance(a, type) and issubclass(a, Entity)), None)
        kind = (
            "bool"
            if bool in args
            else "int"
            if int in args
            else "float"
            if float in args
            else "str"
        )
        out[names[name]] = (kind, nested if str not in args else None)
    return out


def _cast(entity: type[Entity], data: Any) -> Any:
    """Cast form text to the field types of ``entity`` (what the server's schema does)."""
    if isinstance(data, list):
        return [_cast(entity, item) for item in data]
    if not isinstance(data, dict):
        return data
    kinds = _field_kinds(entity)
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind, nested = kinds.get(key, ("str", None))
        if nested is not None:
            out[key] = _cast(nested, value)
        elif isinstance(value, str) and kind == "bool" and value in ("true", "false"):
            out[key] = value == "true"
        elif isinstance(value, str) and kind in ("int", "float"):
            try:
                number = float(value)
            except ValueError:
                out[key] = value
            else:
                out[key] = int(number) if kind == "int" or number.is_integer() else number
        else:
            out[key] = value
    return out


MutationHook = Callable[["Emulator", str], Awaitable[None] | None]


class Emulator:
    """An in-process Seven Time API on 127.0.0.1.

    ``async with Emulator(seed=1, customers=5000) as emu:`` then point a client at
    ``emu.base_url`` with ``emu.api_key``. Counts are per resource (see ``DEFAULT_COUNTS``).
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        api_key: str | None = None,
        read_only_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        faults: Faults | None = None,
        **counts: int,
    ) -> None:
        unknown = set(counts) - set(DEFAULT_COUNTS)
        if unknown:
            raise TypeError(
                f"unknown resource counts {sorted(unknown)}; known: {sorted(DEFAULT_COUNTS)}"
            )
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator binds loopback only")
        self.seed = seed
        self.api_key = api_key or f"emulator-{secrets.token_hex(8)}"
        self.read_only_key = read_only_key
        self.host = host
        self.port = port
        self.latency = latency
        self.faults = faults or Faults()
        #: When True the server drops every $gt/$gte/$lt/$lte condition, like an API
        #: that does not support them: the client must notice, not loop.
        self.ignore_seek = False
        #: Called before each list request is served, with (emulator, resource name):
        #: the place for tests to insert, delete or modify items mid-walk.
        self.before_list: MutationHook | None = None
        self.requests: list[RequestRecord] = []
        self._rng = random.Random(seed ^ 0x5EED)
        generated = Generator(seed).build(counts)
        self._collections = {e.name: _Collection(e, generated[e.name]) for e in ENDPOINTS}
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self.port}{_PREFIX}"

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get(_PREFIX + "/{path}", self._list)
        app.router.add_get(_PREFIX + "/{path}/", self._list)
        app.router.add_get(_PREFIX + "/{path}/{id}", self._get)
        app.router.add_post(_PREFIX + "/{path}", self._create)
        app.router.add_post(_PREFIX + "/{path}/", self._create)
        return app

    async def start(self) -> Emulator:
        self._runner = web.AppRunner(self.app(), access_log=None, handler_cancellation=True)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        server = self._site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- what tests look at and change ---------------------------------------------------

    @property
    def request_count(self) -> int:
        return len(self.requests)

    def reset_counters(self) -> None:
        self.requests.clear()

    def items(self, resource: str) -> list[dict[str, Any]]:
        """A snapshot of a collection's documents (as served), in _id order."""
        coll = self._collections[by_name(resource).name]
        return [dict(d) for d in coll.view(coll.id_field)[0]]

    def ids(self, resource: str) -> set[Any]:
        coll = self._collections[by_name(resource).name]
        return set(coll.docs)

    def new_id(self, seconds: float | None = None) -> str:
        return object_id(seconds, self._rng)

    def insert(
        self, resource: str, doc: Mapping[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        coll = self._collections[by_name(resource).name]
        new = {**(doc or {}), **fields}
        new.setdefault(coll.id_field, self.new_id())
        coll.docs[new[coll.id_field]] = new
        coll.touch()
        return new

    def delete(self, resource: str, item_id: Any) -> None:
        coll = self._collections[by_name(resource).name]
        del coll.docs[item_id]
        coll.touch()

    def modify(self, resource: str, item_id: Any, **changes: Any) -> dict[str, Any]:
        coll = self._collections[by_name(resource).name]
        doc = coll.docs[item_id]
        doc.update(changes)
        doc["modifiedDate"] = format_timestamp(datetime.now(UTC))
        coll.touch()
        return doc

    # -- HTTP ----------------------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        arrived = time.monotonic()
        index = len(self.requests)
        self.requests.append(
            RequestRecord(request.method, request.path, request.query_string, arrived)
        )
        fault = self.faults.pick(index + 1, request.method)
        status: int | None = None
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            response = await self._serve(request, handler, fault)
            status = response.status
            return response
        finally:
            self.requests[index] = attrs.evolve(self.requests[index], status=status, fault=fault)

    async def _serve(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        fault: str | None,
    ) -> web.StreamResponse:
        if fault in _STATUS_FAULTS:
            headers = {}
            if fault == "429":
                headers["Retry-After"] = str(self.faults.retry_after)
            elif fault == "429-date":
                when = datetime.fromtimestamp(time.time() + self.faults.retry_after, UTC)
                headers["Retry-After"] = format_datetime(when, usegmt=True)
            refusal = _error(_STATUS_FAULTS[fault], f"Injected fault {fault}")
            refusal.headers.update(headers)
            return refusal
        if fault == "drop-before":
            return self._drop(request)
        secret = request.headers.get("Client-Secret")
        if secret not in (self.api_key, self.read_only_key) or secret is None:
            return _error(401, "Unauthorized: missing or invalid Client-Secret")
        if request.method == "POST" and secret == self.read_only_key:
            return _error(403, "Forbidden: this API key may not create items")
        if fault == "slow":
            await asyncio.sleep(self.faults.slow_seconds)
        response = await handler(request)
        if fault == "500-after":
            return _error(500, "Internal server error after commit (injected)")
        if fault == "drop-after":
            return self._drop(request)
        if fault == "truncated" and isinstance(response, web.Response) and response.body:
            body = bytes(response.body)  # type: ignore[arg-type]
            return web.Response(
                body=body[: max(1, len(body) // 2)], content_type="application/json"
            )
        if fault == "not-json":
            return web.Response(
                text="<html><body>502 Bad Gateway</body></html>", content_type="text/html"
            )
        return response

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError  # aiohttp ends the handler quietly on a lost peer

    def _collection(self, request: web.Request) -> _Collection | None:
        path = "/" + request.match_info["path"]
        endpoint = next((e for e in ENDPOINTS if e.path == path), None)
        return None if endpoint is None else self._collections[endpoint.name]

    async def _list(self, request: web.Request) -> web.Response:
        coll = self._collection(request)
        if coll is None:
            return _error(404, f"Unknown endpoint {request.path}")
        if self.before_list is not None:
            outcome = self.before_list(self, coll.endpoint.name)
            if inspect.isawaitable(outcome):
                await outcome
        try:
            found = self._query(coll, list(request.query.items()))
        except ValueError as problem:
            return _error(400, str(problem))
        return web.Response(body=coll.encode(found), content_type="application/json")

    def _query(self, coll: _Collection, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        endpoint = coll.endpoint
        api = endpoint.api(1)
        sort_by = coll.id_field
        descending = False
        plain: list[tuple[str, str]] = []
        ranges: list[tuple[str, str]] = []
        for key, value in params:
            if key == "sortBy":
                sort_by = value
            elif key == "sortDirection":
                if value not in ("ascending", "descending"):
                    raise ValueError("sortDirection must be 'ascending' or 'descending'")
                descending = value == "descending"
            elif "[" in key:
                ranges.append((key, value))
            elif key in {f.wire for f in api.filters.values()}:
                plain.append((key, value))
            else:
                raise ValueError(f"Unknown query parameter {key!r}")
        for name in api.required_filters:
            if api.filters[name].wire not in (k for k, _ in plain):
                raise ValueError(f"{api.filters[name].wire} is required")
        conditions: list[tuple[str, str, dict[int, Any]]] = []
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
            if not self.ignore_seek:
                conditions.extend((field, op, _variants(v)) for op, v in ops.items())
        rows, keys, uniform = coll.view(sort_by)
        low, high = 0, len(rows)
        for field, op, variants in conditions:
            if field != sort_by:
                continue
            if uniform is not None:
                rank = uniform
            else:  # mixed types: seek among the values of the first non-null one
                sample = next((r.get(field) for r in rows if r.get(field) is not None), None)
                rank = order(sample)[0]
            if rank not in variants:
                continue
            target = order(variants[rank])
            if op == "$gt":
                low = max(low, bisect.bisect_right(keys, (target, _HIGH)))
            elif op == "$gte":
                low = max(low, bisect.bisect_left(keys, (target, _LOW)))
            elif op == "$lt":
                high = min(high, bisect.bisect_left(keys, (target, _LOW)))
            else:
                high = min(high, bisect.bisect_right(keys, (target, _HIGH)))
        if uniform is not None:
            # One JSON type throughout: the bisected range already enforces every
            # condition on the sort field, so only the others are checked per document.
            conditions = [c for c in conditions if c[0] != sort_by or uniform not in c[2]]
        filters = [(k, _variants(v)) for k, v in plain]
        if not conditions and not filters:
            # Nothing left to check per document: the page is a slice of the view (the
            # common keyset request, kept cheap so the emulator is no benchmark's bottleneck).
            if descending:
                return rows[max(low, high - PAGE_SIZE) : high][::-1]
            return rows[low : min(high, low + PAGE_SIZE)]
        indexes = range(high - 1, low - 1, -1) if descending else range(low, high)
        out: list[dict[str, Any]] = []
        for i in indexes:
            doc = rows[i]
            if all(_holds(doc.get(f), op, v) for f, op, v in conditions) and all(
                self._matches(endpoint, doc, k, v) for k, v in filters
            ):
                out.append(doc)
                if len(out) == PAGE_SIZE:
                    break
        return out

    @staticmethod
    def _matches(
        endpoint: Endpoint[Any], doc: dict[str, Any], param: str, variants: dict[int, Any]
    ) -> bool:
        if endpoint.name == "users" and param == "name":
            return bool(f"{doc.get('firstName', '')} {doc.get('lastName', '')}" == variants[2])
        actual = doc.get(_FILTER_FIELDS.get(param, param))
        if isinstance(actual, list):
            return variants[2] in actual
        rank = order(actual)[0]
        return rank in variants and variants[rank] == actual

    async def _get(self, request: web.Request) -> web.Response:
        coll = self._collection(request)
        if coll is None or not coll.endpoint.api(1).get:
            return _error(404, f"Unknown endpoint {request.path}")
        item_id = request.match_info["id"]
        if len(item_id) != 24 or any(c not in "0123456789abcdefABCDEF" for c in item_id):
            return _error(400, f"Cast to ObjectId failed for value {item_id!r}")
        doc = coll.docs.get(item_id)
        if doc is None:
            return _error(404, f"No {coll.endpoint.entity.__name__} with _id {item_id}")
        return _json(doc)

    async def _create(self, request: web.Request) -> web.Response:
        coll = self._collection(request)
        spec = coll.endpoint.api(1).create if coll is not None else None
        if coll is None or spec is None:
            return _error(404, f"Cannot POST {request.path}")
        if request.content_type == "application/json":
            try:
                body = orjson.loads(await request.read())
            except orjson.JSONDecodeError:
                return _error(400, "Body is not valid JSON")
            if not isinstance(body, dict):
                return _error(400, "Body must be a JSON object")
        else:
            body = decode_pairs((await request.post()).items())  # type: ignore[arg-type]
        allowed = set(spec.fields.values())
        unknown = sorted(set(body) - allowed)
        if unknown:
            return _error(400, f"Unknown field(s): {', '.join(unknown)}")
        missing = missing_required(spec, body)
        if missing:
            return _error(400, f"Missing required field(s): {', '.join(missing)}")
        return self._commit(coll, _cast(coll.endpoint.entity, body))

    def _commit(self, coll: _Collection, body: dict[str, Any]) -> web.Response:
        numbers = {
            "customers": "customerNumber",
            "projects": "projectNumber",
            "work_orders": "workOrderNumber",
            "invoices": "invoiceNumber",
        }
        number_field = numbers.get(coll.endpoint.name)
        if number_field is not None:
            taken = {d.get(number_field) for d in coll.docs.values()}
            if number_field in body:
                if body[number_field] in taken or str(body[number_field]) in {
                    str(t) for t in taken
                }:
                    return _error(400, f"{number_field} {body[number_field]} is already in use")
            else:
                numeric = [int(str(t)) for t in taken if str(t).isdigit()]
                following = max(numeric, default=1000) + 1
                body[number_field] = (
                    following if number_field == "workOrderNumber" else str(following)
                )
        now = format_timestamp(datetime.now(UTC))
        stamp = "createDate" if coll.endpoint.name in ("work_orders", "invoices") else "createdDate"
        doc = {"_id": self.new_id(), **body, stamp: now, "__v": 0}
        if stamp == "createdDate":
            doc["modifiedDate"] = now
        coll.docs[doc["_id"]] = doc
        coll.touch()
        served = dict(doc)
        creator = self._collections["users"].docs.get(doc.get("createdByUser"))
        if coll.endpoint.name == "work_orders" and creator is not None:
            served["createdByUser"] = creator  # the reference shows it expanded here
        return _json(served)
