"""The emulator: an ``aiohttp.web`` server on loopback that behaves as the references say.

It serves ``/api/1`` and ``/api/2`` at once, over the same data, for every family the
endpoint table gives each version.

- **v1**: bare arrays capped at 100, the documented filters, ``sortBy``/``sortDirection``,
  the ``[$gt]``/``[$gte]``/``[$lt]``/``[$lte]`` seek operators (cast to the field's type,
  compared as MongoDB does, with type bracketing), 400 on unknown parameters, bare
  objects, POST with form (``qs`` bracket) or JSON bodies.
- **v2**: lists as ``{"meta": {"totalResources", "totalPages", "currentPage"}, "data"}``
  (lookup lists, ``paged=False`` in the table, as ``{"data"}`` alone), ``limit`` (1..500,
  default 100) and ``page`` (1-based, default 1) as offsets over the sorted, filtered
  list (a page past the end is empty, with ``meta``; lookup lists page the same way);
  get-one as ``{"data": {...}}``; JSON bodies only; POST creates, PUT and DELETE go to
  the collection URL with ``_id`` in the body; writes answer bare objects; every write
  stamps ``modifiedDate``; ``lastModified`` keeps items modified at or after the given
  time (read as UTC). The v1 seek operators work on v2 too unless ``v2_seek=False``.
- Both: auth by ``Client-Secret`` (401; 403 for writes with a read-only key), 404s,
  400 with ``errorMessage`` for missing required fields and bad parameters.

For tests and benchmarks it logs every request, injects latency and faults, enforces a
per-key rate limit, serves several accounts (one key each), can ignore seek operators or
``sortBy``, can cap ``limit``, and lets a test mutate data before any request.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from typing import Any

import attrs
import orjson
from aiohttp import web

from .._endpoints import ENDPOINTS, VERSIONS, Action, Api, Endpoint, WriteSpec
from .._qs import decode_pairs
from ._actions import ACTIONS, ActionError
from ._data import generated, object_id
from ._limits import SlidingWindow
from ._query import Seek, parse, run
from ._store import Account, Collection, Doc, now_stamp
from ._writes import OBJECT_ID, cast_form, check_body, commit_create, commit_delete, commit_update

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
_WRITES = frozenset({"POST", "PUT", "DELETE"})
DEFAULT_ACCOUNT = "default"


@attrs.frozen
class RequestRecord:
    method: str
    path: str
    query: str
    at: float  # the emulator's clock (time.monotonic() unless injected) on arrival
    status: int | None = None
    fault: str | None = None
    #: The account whose key the request carried (None for an unknown key).
    account: str | None = None
    #: Refused by the emulator's rate limit (a 429 the client's pacing caused).
    rate_limited: bool = False


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
    methods: frozenset[str] = frozenset({"GET", "POST", "PUT", "DELETE"})
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


def _error(status: int, message: str) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps({"errorMessage": message}), content_type="application/json"
    )


def _json(data: Any) -> web.Response:
    return web.Response(body=orjson.dumps(data), content_type="application/json")


def _bytes(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="application/json")


MutationHook = Callable[["Emulator", str], Awaitable[None] | None]
RequestHook = Callable[["Emulator", str, str], Awaitable[None] | None]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Emulator:
    """An in-process Seven Time API on 127.0.0.1, both versions at once.

    ``async with Emulator(seed=1, customers=5000) as emu:`` then point a client at
    ``emu.base_url`` (the ``api_version`` given, default 1; ``emu.url(2)`` for the other)
    with ``emu.api_key``. Counts are per resource (see ``DEFAULT_COUNTS``).

    ``accounts={"acme": {"customers": 500}, "beta": {}}`` serves several accounts at once,
    each with its own generated data and key (``emu.api_key_for("acme")``); counts given
    as keywords then apply to every account. The first account is the default one that
    ``api_key`` and the data helpers (``items``, ``insert``...) use without ``account=``.

    ``rate_limit=R`` refuses with 429 (and ``errorMessage``, no ``Retry-After``: v2 does
    not document one) any request for which the same key already had ``R`` admitted
    requests within the last ``rate_window`` seconds (default 1): at most R requests in
    every one-second window, per key, 429s not counted. That is the documented limit of
    the live service at ``R=4``. A client pacing R per second with a burst of one can put
    R+1 requests in one window, so pair such a client with ``rate_limit=R+1`` or pace it
    below R. ``clock`` (default ``time.monotonic``) times the window and the log.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        api_version: int = 1,
        api_key: str | None = None,
        read_only_key: str | None = None,
        accounts: Mapping[str, Mapping[str, int]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        faults: Faults | None = None,
        rate_limit: int | None = None,
        rate_window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        ignore_seek: bool = False,
        ignore_sort: bool = False,
        v2_seek: bool = True,
        max_limit: int | None = None,
        endpoints: Sequence[Endpoint[Any]] = ENDPOINTS,
        **counts: int,
    ) -> None:
        if api_version not in VERSIONS:
            raise ValueError(f"api_version must be one of {VERSIONS}, got {api_version!r}")
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator binds loopback only")
        wanted = {DEFAULT_ACCOUNT: {}} if accounts is None else dict(accounts)
        if not wanted:
            raise ValueError("accounts must name at least one account")
        #: The families served: the endpoint table unless a test gives its own rows.
        self.endpoints = tuple(endpoints)
        known = {e.name for e in self.endpoints}
        for sizes in (counts, *wanted.values()):
            unknown = set(sizes) - known
            if unknown:
                raise TypeError(
                    f"unknown resource counts {sorted(unknown)}; known: {sorted(known)}"
                )
        if rate_limit is not None:
            SlidingWindow(rate_limit, rate_window)  # refuses a meaningless limit now
        self.seed = seed
        self.api_version = api_version
        self.host = host
        self.port = port
        self.latency = latency
        self.faults = faults or Faults()
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.clock = clock
        #: Drop every ``[$gt]``-style condition (both versions), like an API without them:
        #: the client must notice, not loop.
        self.ignore_seek = ignore_seek
        #: v2 honours the v1 seek operators; False answers 400 for them (a strict server).
        self.v2_seek = v2_seek
        #: Serve lists in insertion order whatever ``sortBy`` says.
        self.ignore_sort = ignore_sort
        #: Cap v2's ``limit`` silently (offsets and ``totalPages`` use the cap; ``meta``
        #: still reports the true total).
        self.max_limit = max_limit
        #: Called before each list request is served, with (emulator, resource name).
        self.before_list: MutationHook | None = None
        #: Called before every authenticated request to a family, with (emulator, method,
        #: resource name): the place for tests to insert, modify or delete mid-walk.
        self.before_request: RequestHook | None = None
        self.requests: list[RequestRecord] = []
        self._accounts: dict[str, Account] = {}
        for index, (name, sizes) in enumerate(wanted.items()):
            # The first account keeps the plain seed, so one account is what it always was.
            account_seed: int | str = seed if index == 0 else f"{seed}/{name}"
            key = (api_key if index == 0 else None) or f"emulator-{secrets.token_hex(8)}"
            self._accounts[name] = Account(
                name,
                key,
                generated(account_seed, {**counts, **sizes}, self.endpoints),
                self.endpoints,
                random.Random(f"{account_seed}/ids"),
                read_only_key if index == 0 else None,
            )
        self._default = next(iter(self._accounts.values()))
        self._keys: dict[str, tuple[Account, bool]] = {}
        for account in self._accounts.values():
            self._keys[account.key] = (account, False)
            if account.read_only_key:
                self._keys[account.read_only_key] = (account, True)
        self._windows: dict[str, SlidingWindow] = {}
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def url(self, version: int) -> str:
        """The base URL of API ``version`` (``http://127.0.0.1:PORT/api/2``)."""
        if self._runner is None:
            raise RuntimeError("the emulator is not started")
        if version not in VERSIONS:
            raise ValueError(f"version must be one of {VERSIONS}, got {version!r}")
        return f"http://{self.host}:{self.port}/api/{version}"

    @property
    def base_url(self) -> str:
        return self.url(self.api_version)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        for version in VERSIONS:
            prefix = f"/api/{version}/{{path}}"
            for route in (prefix, prefix + "/"):
                app.router.add_get(route, partial(self._list, version))
                app.router.add_post(route, partial(self._create, version))
                app.router.add_put(route, partial(self._update, version))
                app.router.add_delete(route, partial(self._delete, version))
            app.router.add_get(prefix + "/{id}", partial(self._get, version))
        return app

    async def start(self) -> Emulator:
        self._runner = web.AppRunner(self.app(), access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
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

    # -- accounts and keys ---------------------------------------------------------------

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(self._accounts)

    @property
    def api_key(self) -> str:
        """The default account's key."""
        return self._default.key

    @property
    def read_only_key(self) -> str | None:
        """A key of the default account that may read but not write (403)."""
        return self._default.read_only_key

    @read_only_key.setter
    def read_only_key(self, key: str | None) -> None:
        if self._default.read_only_key:
            del self._keys[self._default.read_only_key]
        self._default.read_only_key = key
        if key:
            self._keys[key] = (self._default, True)

    def api_key_for(self, account: str) -> str:
        return self._account(account).key

    def _account(self, name: str | None) -> Account:
        if name is None:
            return self._default
        try:
            return self._accounts[name]
        except KeyError:
            raise KeyError(f"no account {name!r}; accounts: {sorted(self._accounts)}") from None

    # -- what tests look at and change ---------------------------------------------------

    @property
    def request_count(self) -> int:
        return len(self.requests)

    @property
    def rate_limited(self) -> int:
        """How many requests the rate limit refused with 429."""
        return sum(r.rate_limited for r in self.requests)

    def reset_counters(self) -> None:
        self.requests.clear()

    def busiest_window(self, seconds: float = 1.0, account: str | None = None) -> int:
        """The most requests (not refused by the rate limit) that arrived within any
        ``seconds``-long window, for one account or all."""
        times = [
            r.at
            for r in self.requests
            if not r.rate_limited and (account is None or r.account == account)
        ]
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= seconds:
                first += 1
            most = max(most, last - first + 1)
        return most

    def _collection(self, resource: str, account: str | None) -> Collection:
        named = next((e for e in self.endpoints if resource in (e.name, e.path)), None)
        if named is None:
            raise KeyError(resource)
        return self._account(account).collections[named.name]

    def items(self, resource: str, *, account: str | None = None) -> list[Doc]:
        """A snapshot of a collection's documents (as served), in _id order."""
        coll = self._collection(resource, account)
        return [dict(d) for d in coll.view(coll.id_field)[0]]

    def ids(self, resource: str, *, account: str | None = None) -> set[Any]:
        return set(self._collection(resource, account).docs)

    def new_id(self, seconds: float | None = None, *, account: str | None = None) -> str:
        return object_id(seconds, self._account(account).rng)

    def insert(
        self,
        resource: str,
        doc: Mapping[str, Any] | None = None,
        *,
        account: str | None = None,
        **fields: Any,
    ) -> Doc:
        """Store a document as given (an ``_id`` is made when missing), stamping
        ``modifiedDate`` unless given, as a write through the API would."""
        coll = self._collection(resource, account)
        new = {**(doc or {}), **fields}
        new.setdefault(coll.id_field, self.new_id(account=account))
        new.setdefault("modifiedDate", now_stamp())
        coll.docs[new[coll.id_field]] = new
        coll.touch()
        return new

    def delete(self, resource: str, item_id: Any, *, account: str | None = None) -> None:
        commit_delete(self._collection(resource, account), item_id)

    def modify(
        self, resource: str, item_id: Any, *, account: str | None = None, **changes: Any
    ) -> Doc:
        """Change a document and stamp ``modifiedDate``, as an update would."""
        return commit_update(self._collection(resource, account), item_id, changes)

    # -- HTTP ----------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        arrived = self.clock()
        known = self._keys.get(request.headers.get("Client-Secret", ""))
        account = known[0].name if known else None
        index = len(self.requests)
        limited = known is not None and not self._admit(known[0], request, arrived)
        self.requests.append(
            RequestRecord(
                request.method,
                request.path,
                request.query_string,
                arrived,
                account=account,
                rate_limited=limited,
            )
        )
        if limited:
            self.requests[index] = attrs.evolve(self.requests[index], status=429)
            return _error(429, "Too Many Requests: the rate limit is exceeded")
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

    def _admit(self, account: Account, request: web.Request, now: float) -> bool:
        if self.rate_limit is None:
            return True
        key = request.headers["Client-Secret"]
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = SlidingWindow(self.rate_limit, self.rate_window)
        return window.admit(now)

    async def _serve(
        self, request: web.Request, handler: Handler, fault: str | None
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
        known = self._keys.get(request.headers.get("Client-Secret", ""))
        if known is None:
            return _error(401, "Unauthorized: missing or invalid Client-Secret")
        if request.method in _WRITES and known[1]:
            return _error(403, "Forbidden: this API key may not write")
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

    async def _resolve(
        self, request: web.Request, version: int, offers: Callable[[Api], object]
    ) -> tuple[Collection, Api] | web.Response:
        """The collection and version spec a request addresses (after the hooks ran), or
        the 404 for a path the version does not have or whose spec ``offers`` nothing
        for this request."""
        path = "/" + request.match_info["path"]
        endpoint = next((e for e in self.endpoints if e.path == path), None)
        api = endpoint.spec(version) if endpoint is not None else None
        if endpoint is None or api is None or not offers(api):
            return _error(404, f"Cannot {request.method} {request.path}")
        await self._run_hook(self.before_request, request.method, endpoint.name)
        if request.method == "GET" and "id" not in request.match_info:
            await self._run_hook(self.before_list, endpoint.name)
        account, _ = self._keys[request.headers["Client-Secret"]]
        return account.collections[endpoint.name], api

    async def _run_hook(
        self, hook: Callable[..., Awaitable[None] | None] | None, *args: str
    ) -> None:
        if hook is not None:
            outcome = hook(self, *args)
            if inspect.isawaitable(outcome):
                await outcome

    async def _list(self, version: int, request: web.Request) -> web.Response:
        found = await self._resolve(request, version, lambda api: api.listable)
        if isinstance(found, web.Response):
            return found
        coll, api = found
        seek = Seek.HONOUR
        if self.ignore_seek:
            seek = Seek.IGNORE
        elif version == 2 and not self.v2_seek:
            seek = Seek.REFUSE
        try:
            query = parse(
                api,
                request.query.items(),
                version=version,
                key=coll.id_field,
                seek=seek,
                max_limit=self.max_limit,
            )
        except ValueError as problem:
            return _error(400, str(problem))
        docs, total = run(coll, query, ignore_sort=self.ignore_sort)
        data = coll.encode(docs)
        if version == 1:
            return _bytes(data)
        if not api.paged or query.limit is None:
            return _bytes(b'{"data":' + data + b"}")
        meta = {
            "totalResources": total,
            "totalPages": -(-total // query.limit),
            "currentPage": query.page,
        }
        return _bytes(b'{"meta":' + orjson.dumps(meta) + b',"data":' + data + b"}")

    async def _get(self, version: int, request: web.Request) -> web.Response:
        found = await self._resolve(request, version, lambda api: api.get)
        if isinstance(found, web.Response):
            return found
        coll, _ = found
        item_id = request.match_info["id"]
        if not OBJECT_ID.fullmatch(item_id):
            return _error(400, f"Cast to ObjectId failed for value {item_id!r}")
        doc = coll.docs.get(item_id)
        if doc is None:
            return _error(404, f"No {coll.endpoint.entity.__name__} with _id {item_id}")
        return _json(doc if version == 1 else {"data": doc})

    async def _body(self, request: web.Request, version: int) -> dict[str, Any] | web.Response:
        """A write's body: JSON (v2 takes nothing else), or in v1 a ``qs`` form too."""
        if request.content_type == "application/json":
            try:
                body = orjson.loads(await request.read())
            except orjson.JSONDecodeError:
                return _error(400, "Body is not valid JSON")
            if not isinstance(body, dict):
                return _error(400, "Body must be a JSON object")
            return body
        if version == 2:
            return _error(400, "Content-Type must be application/json")
        form = await request.post()
        return decode_pairs((k, v) for k, v in form.items() if isinstance(v, str))

    async def _create(self, version: int, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        for endpoint in self.endpoints:
            api = endpoint.spec(version)
            action = (
                next((a for a in api.actions.values() if a.path == path), None) if api else None
            )
            if action is not None:
                return await self._act(version, request, endpoint, action)
        found = await self._resolve(request, version, lambda api: api.create)
        if isinstance(found, web.Response):
            return found
        coll, api = found
        assert api.create is not None
        body = await self._body(request, version)
        if isinstance(body, web.Response):
            return body
        problem = check_body(api.create, body)
        if problem:
            return _error(400, problem)
        if version == 1 and request.content_type != "application/json":
            body = cast_form(coll.endpoint.entity, body)
        account, _ = self._keys[request.headers["Client-Secret"]]
        doc = commit_create(coll, body, object_id(None, account.rng))
        if isinstance(doc, str):
            return _error(400, doc)
        served = dict(doc)
        creator = account.collections["users"].docs.get(doc.get("createdByUser"))
        if coll.endpoint.name == "work_orders" and creator is not None:
            served["createdByUser"] = creator  # the reference shows it expanded here
        return _json(served)

    async def _act(
        self, version: int, request: web.Request, endpoint: Endpoint[Any], action: Action
    ) -> web.Response:
        """A POST to an action's own path (``/startTimer``): its body checked against the
        table, what it does from :data:`ACTIONS`."""
        await self._run_hook(self.before_request, request.method, endpoint.name)
        perform = ACTIONS.get(action.path)
        if perform is None:
            return _error(404, f"Cannot POST {request.path} (not emulated)")
        body = await self._body(request, version)
        if isinstance(body, web.Response):
            return body
        problem = check_body(action.body, body, identified=True)
        if problem:
            return _error(400, problem)
        account, _ = self._keys[request.headers["Client-Secret"]]
        try:
            return _json(perform(account, body, object_id(None, account.rng)))
        except ActionError as refused:
            return _error(refused.status, str(refused))

    async def _identified(
        self, version: int, request: web.Request, operation: str
    ) -> tuple[Collection, str, dict[str, Any]] | web.Response:
        """A PUT or DELETE to the collection URL: the collection, the body's ``_id`` and
        the body, checked; or the error response."""

        def spec_of(api: Api) -> WriteSpec | None:
            return api.update if operation == "update" else api.delete

        found = await self._resolve(request, version, spec_of)
        if isinstance(found, web.Response):
            return found
        coll, api = found
        spec = spec_of(api)
        assert spec is not None
        body = await self._body(request, version)
        if isinstance(body, web.Response):
            return body
        item_id = body.get("_id")
        if item_id is None:
            return _error(400, "Missing required field(s): _id")
        if not isinstance(item_id, str) or not OBJECT_ID.fullmatch(item_id):
            return _error(400, f"Cast to ObjectId failed for value {item_id!r}")
        problem = check_body(spec, body, identified=True)
        if problem:
            return _error(400, problem)
        if item_id not in coll.docs:
            return _error(404, f"No {coll.endpoint.entity.__name__} with _id {item_id}")
        return coll, item_id, body

    async def _update(self, version: int, request: web.Request) -> web.Response:
        found = await self._identified(version, request, "update")
        if isinstance(found, web.Response):
            return found
        coll, item_id, body = found
        changes = {k: v for k, v in body.items() if k != "_id"}
        return _json(commit_update(coll, item_id, changes))

    async def _delete(self, version: int, request: web.Request) -> web.Response:
        found = await self._identified(version, request, "delete")
        if isinstance(found, web.Response):
            return found
        coll, item_id, _ = found
        return _json(commit_delete(coll, item_id))
