"""The transport: its turns and retries in virtual time with a scripted sender, and its
sender against real aiohttp servers on 127.0.0.1 that misbehave as the emulator cannot."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

import seventime_async as st
from seventime_async._http import Body, Request
from seventime_async._retry import AttemptFailed, Failure
from seventime_async._sender import Received
from seventime_async._transport import Transport
from seventime_async.emulator import Emulator, Faults

from .conftest import client_for, serving
from .test_emulator import EDITABLE, USERS
from .test_ratelimit import most_in_a_window
from .virtual_time import run

KEY = "secret-key-0123456789"
OK = Received(200, {}, b'{"data": []}')
REFUSED = Received(429, {}, b'{"errorMessage": "Too many requests"}')  # no Retry-After


class ScriptedSender:
    """A :class:`Sender` that answers with ``answer(n)`` for the nth attempt (1-based) and
    records the loop time each attempt was sent."""

    def __init__(self, answer: Callable[[int], Awaitable[Received]]) -> None:
        self.answer = answer
        self.sent: list[float] = []

    async def send(self, request: Request) -> Received:
        self.sent.append(asyncio.get_running_loop().time())
        return await self.answer(len(self.sent))


def transport(
    sender: Any = None,
    *,
    limiter: st.RateLimiter | None = None,
    max_concurrency: int = 8,
    retry: st.RetryPolicy | None = None,
    base_url: str = "https://api.example/api/2",
    **options: Any,
) -> Transport:
    return Transport(
        base_url=base_url,
        api_key=KEY,
        session=None,
        limiter=limiter,
        max_concurrency=max_concurrency,
        retry=retry or st.RetryPolicy(max_retries=3, backoff_base=0.01),
        timeout=aiohttp.ClientTimeout(total=5),
        sender=sender,
        **options,
    )


async def until(when: float) -> None:
    await asyncio.sleep(when - asyncio.get_running_loop().time())


# -- turns: semaphore, then limiter, then send (virtual time) -----------------------------


def test_after_a_stall_the_rate_still_holds() -> None:
    """Eight calls hang until t=3 while 24 more queue. A turn taken before waiting for a
    slot was banked during the stall, and they all fired at t=3: 24 in one instant."""

    async def answer(n: int) -> Received:
        if n <= 8:
            await until(3.0)
        return OK

    sender = ScriptedSender(answer)

    async def main() -> None:
        t = transport(sender, limiter=st.RateLimiter(10), max_concurrency=8)
        await asyncio.gather(*(t.request("GET", "/customers") for _ in range(32)))

    run(main())
    assert len(sender.sent) == 32
    assert most_in_a_window(sender.sent) <= 10 + 1
    assert sender.sent[8] == pytest.approx(3.0)  # the first after the stall goes at once


def test_a_bare_429_halves_the_rate_and_there_is_no_retry_storm_at_4_per_second() -> None:
    """v2 documents no Retry-After: back off on a bare 429, and slow the shared limiter."""

    async def answer(n: int) -> Received:
        return REFUSED if asyncio.get_running_loop().time() < 3.0 else OK

    sender = ScriptedSender(answer)
    limiter = st.RateLimiter(4, recovery_interval=2.0)
    rates: list[float] = []

    async def main() -> None:
        policy = st.RetryPolicy(max_retries=10, random=random.Random(3).random)
        t = transport(
            sender, limiter=limiter, retry=policy, events=lambda e: rates.append(limiter.rate)
        )
        await asyncio.gather(*(t.request("GET", "/customers") for _ in range(8)))

    run(main())
    refused = [at for at in sender.sent if at < 3.0]
    assert len(refused) <= 4, "a fixed 4/s would have sent 12 into the refusals"
    assert min(rates) <= 2.0
    assert most_in_a_window(sender.sent) <= 4 + 1
    assert len(sender.sent) == len(refused) + 8  # then each call succeeds once


def test_the_limiter_slows_after_a_429_and_recovers_in_the_request_times() -> None:
    async def answer(n: int) -> Received:
        return Received(429, {"Retry-After": "0"}, b"{}") if n == 20 else OK

    sender = ScriptedSender(answer)
    limiter = st.RateLimiter(40, recovery_interval=0.5, recovery_factor=2.0, headroom=0)

    async def main() -> None:
        t = transport(sender, limiter=limiter)
        for _ in range(120):
            await t.request("GET", "/customers")

    run(main())
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(sender.sent)]
    assert set(gaps[:19]) == {1 / 40}, "full speed before the 429"
    assert set(gaps[19:29]) == {1 / 20}, "half speed after it"
    assert limiter.rate == 40 and set(gaps[-20:]) == {1 / 40}, "and recovered"


def test_close_fails_every_waiting_call_at_once_and_they_take_no_turns() -> None:
    async def answer(n: int) -> Received:
        await asyncio.sleep(10)
        return OK

    async def main() -> tuple[list[Any], float, list[float]]:
        limiter = st.RateLimiter(0.5, headroom=0)  # a turn every 2 s, shared with another client
        t = transport(ScriptedSender(answer), limiter=limiter, max_concurrency=2)
        calls = [asyncio.create_task(t.request("GET", "/customers")) for _ in range(5)]
        await until(1.0)  # 1 in flight, 1 waiting for a turn, 3 for a slot
        await t.close()
        results = await asyncio.gather(*calls[1:], return_exceptions=True)
        closed_at = asyncio.get_running_loop().time()
        other = ScriptedSender(lambda n: asyncio.sleep(0, OK))
        await transport(other, limiter=limiter).request("GET", "/customers")
        calls[0].cancel()
        await asyncio.gather(calls[0], return_exceptions=True)
        return results, closed_at, other.sent

    results, closed_at, other_sent = run(main())
    assert all(isinstance(r, st.ClientClosedError) for r in results), results
    assert closed_at == 1.0, "failed at once, not after their waits"
    assert other_sent == [2.0], "the next turn went to the other client, not a closed call"


def test_a_retry_waiting_when_the_client_closes_fails_at_once() -> None:
    async def answer(n: int) -> Received:
        return Received(503, {"Retry-After": "30"}, b"{}")

    async def main() -> tuple[BaseException | None, float]:
        t = transport(ScriptedSender(answer))
        call = asyncio.create_task(t.request("GET", "/customers"))
        await until(1.0)
        await t.close()
        results = await asyncio.gather(call, return_exceptions=True)
        return results[0], asyncio.get_running_loop().time()

    error, at = run(main())
    assert isinstance(error, st.ClientClosedError) and at == 1.0


def test_a_caller_cancelling_during_close_stays_cancelled() -> None:
    async def main() -> list[Any]:
        t = transport(ScriptedSender(lambda n: asyncio.sleep(10, OK)), max_concurrency=1)
        calls = [asyncio.create_task(t.request("GET", "/x")) for _ in range(2)]
        await until(1.0)
        calls[1].cancel()  # the caller's own cancellation, then close at the same instant
        await t.close()
        calls[0].cancel()
        return await asyncio.gather(*calls, return_exceptions=True)

    assert all(isinstance(r, asyncio.CancelledError) for r in run(main()))


def test_anything_unexpected_becomes_a_typed_error_without_the_original() -> None:
    async def answer(n: int) -> Received:
        raise RuntimeError(f"headers were {{'Client-Secret': '{KEY}'}}")

    sender = ScriptedSender(answer)

    async def main() -> BaseException:
        with pytest.raises(st.SevenTimeError) as caught:
            await transport(sender).request("GET", "/customers")
        return caught.value

    error = run(main())
    assert type(error) is st.TransportError
    assert "unexpected RuntimeError" in str(error) and "<redacted>" in str(error)
    assert_key_unreachable(error, KEY)
    assert len(sender.sent) == 1, "never retried: it is likely a bug, not a blip"


@pytest.mark.parametrize(
    ("first", "uncertain"),
    [
        (AttemptFailed(Failure.DROPPED, st.TransportError("x", method="DELETE", url="u")), True),
        (AttemptFailed(Failure.TIMEOUT, st.TransportError("x", method="DELETE", url="u")), True),
        (Received(500, {}, b"{}"), True),
        (Received(502, {}, b"{}"), True),
        (AttemptFailed(Failure.NOT_SENT, st.TransportError("x", method="DELETE", url="u")), False),
        (Received(503, {}, b"{}"), False),
        (Received(429, {}, b"{}"), False),
    ],
)
def test_a_404_after_an_attempt_that_may_have_been_processed_says_so(
    first: Any, uncertain: bool
) -> None:
    async def answer(n: int) -> Received:
        if n == 1:
            if isinstance(first, AttemptFailed):
                raise first
            return first  # type: ignore[no-any-return]
        return Received(404, {}, b'{"errorMessage": "No such item"}')

    async def main() -> st.NotFoundError:
        with pytest.raises(st.NotFoundError) as caught:
            await transport(ScriptedSender(answer)).request("DELETE", "/customers")
        return caught.value

    assert run(main()).after_uncertain_attempt is uncertain


# -- the sender against real servers ----------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """``base_url = await serve(handler)``: a real aiohttp server on 127.0.0.1 answering
    every path with ``handler``."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(handler: Handler) -> str:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            return f"{await stack.enter_async_context(serving(app))}/api/2"

        yield start


async def endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b"[")
    while True:
        await response.write(b"0," * 32768)


async def trickle(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    while True:
        await response.write(b" ")
        await asyncio.sleep(0.02)


async def test_an_endless_body_fails_fast_and_is_not_retried(serve: Any) -> None:
    served = 0

    async def counting(request: web.Request) -> web.StreamResponse:
        nonlocal served
        served += 1
        return await endless(request)

    t = transport(base_url=await serve(counting), max_response_bytes=1 << 20)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(st.DecodeError, match="larger than max_response_bytes=1048576"):
            await t.request("GET", "/customers")
        assert asyncio.get_running_loop().time() - started < 2
        assert served == 1
    finally:
        await t.close()


async def test_a_declared_huge_body_is_refused_before_reading(serve: Any) -> None:
    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(500 * 1024 * 1024)})
        await response.prepare(request)
        await response.write(b"[" + b" " * 1000)
        await asyncio.sleep(60)
        return response

    t = transport(base_url=await serve(huge), max_response_bytes=1 << 20)
    try:
        with pytest.raises(st.DecodeError, match="larger than") as caught:
            await t.request("GET", "/customers")
        assert caught.value.status == 200
    finally:
        await t.close()


async def test_a_body_at_the_cap_is_read_and_one_byte_more_is_not(serve: Any) -> None:
    body = b"[" + b"1," * 499 + b"1]"

    async def exact(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    base_url = await serve(exact)
    at_cap = transport(base_url=base_url, max_response_bytes=len(body))
    below = transport(base_url=base_url, max_response_bytes=len(body) - 1)
    try:
        assert len((await at_cap.request("GET", "/x")).data) == 500
        with pytest.raises(st.DecodeError):
            await below.request("GET", "/x")
    finally:
        await at_cap.close()
        await below.close()


async def test_sock_read_bounds_a_trickled_body_without_a_total(serve: Any) -> None:
    t = Transport(
        base_url=await serve(trickle),
        api_key=KEY,
        session=None,
        limiter=None,
        max_concurrency=1,
        retry=st.RetryPolicy(max_retries=0),
        timeout=aiohttp.ClientTimeout(total=None, sock_read=0.3),
    )
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(st.TransportError, match=r"timed out \(sock_read=0.3s\)"):
            await t.request("GET", "/customers")
        assert asyncio.get_running_loop().time() - started < 1.5
    finally:
        await t.close()


class WriteServer:
    """Items that PUT and DELETE act on, and a queue of misbehaviours: ``drop-after`` and
    ``500-after`` act and then fail, ``503`` refuses without acting."""

    def __init__(self) -> None:
        self.items = {"a": 0, "b": 0}
        self.faults: deque[str] = deque()
        self.received: list[tuple[str, bytes]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.received.append((request.method, body))
        fault = self.faults.popleft() if self.faults else None
        if fault == "503":
            return web.json_response({"errorMessage": "maintenance"}, status=503)
        item = request.query.get("id", "")
        if item not in self.items:
            return web.json_response({"errorMessage": "No such item"}, status=404)
        if request.method == "DELETE":
            del self.items[item]
        else:
            self.items[item] += 1
        if fault == "drop-after":
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if fault == "500-after":
            return web.json_response({"errorMessage": "oops"}, status=500)
        return web.json_response({"_id": item})


WRITE = Body("application/json", b'{"_id": "a", "name": "Same Every Time"}')


async def write_once(serve: Any, fault: str, method: str, item: str) -> tuple[WriteServer, Any]:
    """One write through a fresh transport to a :class:`WriteServer` whose first answer
    misbehaves as ``fault`` says: the server and the response or the error raised."""
    server = WriteServer()
    server.faults.append(fault)
    t = transport(base_url=await serve(server.handle))
    try:
        return server, await t.request(method, "/customers", params=[("id", item)], body=WRITE)
    except st.SevenTimeError as error:
        return server, error
    finally:
        await t.close()


@pytest.mark.parametrize("fault", ["drop-after", "500-after"])
async def test_a_put_is_retried_with_the_same_body(serve: Any, fault: str) -> None:
    server, response = await write_once(serve, fault, "PUT", "a")
    assert response.data == {"_id": "a"}
    assert server.received == [("PUT", WRITE.data)] * 2
    assert server.items["a"] == 2  # applied twice, same values: the same result


@pytest.mark.parametrize(
    ("fault", "item", "uncertain"),
    [("drop-after", "a", True), ("500-after", "a", True), ("503", "zzz", False)],
)
async def test_a_404_to_a_retried_delete_says_whether_it_may_have_been_done(
    serve: Any, fault: str, item: str, uncertain: bool
) -> None:
    server, error = await write_once(serve, fault, "DELETE", item)
    assert isinstance(error, st.NotFoundError)
    assert error.after_uncertain_attempt is uncertain
    assert "a" not in server.items if uncertain else server.items == {"a": 0, "b": 0}
    assert server.received == [("DELETE", WRITE.data)] * 2


@pytest.mark.parametrize("fault", ["drop-after", "500-after"])
async def test_a_post_that_may_have_been_processed_is_not_retried(serve: Any, fault: str) -> None:
    server, error = await write_once(serve, fault, "POST", "a")
    assert isinstance(error, st.TransportError | st.ServerError)
    assert len(server.received) == 1 and server.items["a"] == 1


@pytest.mark.parametrize(("fault", "uncertain"), [("drop-after", True), ("503", False)])
async def test_the_emulators_v2_delete_retried_after_a_fault(fault: str, uncertain: bool) -> None:
    """The same rules against the emulator's v2 DELETE and its fault injection."""
    async with Emulator(seed=6, endpoints=(EDITABLE, USERS), customers=5, users=2) as emu:
        user, target = emu.items("users")[0]["_id"], emu.items("customers")[0]["_id"]
        emu.faults = Faults(queue=deque([fault]))
        t = Transport(
            base_url=emu.url(2),
            api_key=emu.api_key,
            session=None,
            limiter=None,
            max_concurrency=1,
            retry=st.RetryPolicy(max_retries=2, backoff_base=0.001),
            timeout=aiohttp.ClientTimeout(total=5),
        )
        body = Body("application/json", orjson.dumps({"_id": target, "deletedByUser": user}))
        try:
            if uncertain:
                with pytest.raises(st.NotFoundError) as caught:
                    await t.request("DELETE", "/customers", body=body)
                assert caught.value.after_uncertain_attempt is True
            else:
                assert (await t.request("DELETE", "/customers", body=body)).data["_id"] == target
        finally:
            await t.close()
        assert target not in emu.ids("customers")
        assert [r.fault for r in emu.requests] == [fault, None]


# -- the caller's session, the event loop ----------------------------------------------


async def test_a_callers_session_that_raises_for_status_still_gets_typed_errors(
    emulator: Emulator,
) -> None:
    async with (
        aiohttp.ClientSession(raise_for_status=True) as session,
        client_for(emulator, session=session) as client,
    ):
        with pytest.raises(st.NotFoundError) as caught:
            await client.customers.get("5bb26376c42fb99275000080")
        assert caught.value.status == 404
        assert emulator.request_count == 1, "a 404 is an answer, not a lost connection"
        assert await client.price_lists.list()


def test_a_client_used_in_a_second_event_loop_says_so() -> None:
    session: aiohttp.ClientSession | None = None

    async def first() -> None:
        nonlocal session
        session = aiohttp.ClientSession()
        client = st.SevenTimeClient(
            KEY, base_url="http://127.0.0.1:1/api/1", session=session, max_retries=0
        )
        with pytest.raises(st.TransportError, match="cannot connect"):
            await client.customers.list()
        await session.close()
        return client  # type: ignore[return-value]

    client: st.SevenTimeClient = asyncio.run(first())  # type: ignore[func-returns-value]

    async def second() -> None:
        with pytest.raises(st.ClientClosedError, match="another one; create one client per"):
            await client.customers.list()

    asyncio.run(second())


async def test_a_closed_callers_session_is_a_typed_error(emulator: Emulator) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    async with client_for(emulator, session=session) as client:
        with pytest.raises(st.ClientClosedError, match="session given to this client"):
            await client.customers.list()


# -- the key is in no error ---------------------------------------------------------------


def assert_key_unreachable(error: BaseException, key: str) -> None:
    """Walk everything reachable from ``error`` but its traceback's frames: the chain
    (``__cause__``, ``__context__``), ``args``, attributes, containers; and look at the
    ``repr`` and ``str`` of each."""
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(error, 0)]
    while todo:
        obj, depth = todo.pop()
        if id(obj) in seen or depth > 8 or isinstance(obj, type | int | float | bool):
            continue
        seen.add(id(obj))
        for text in (repr(obj), str(obj)):
            assert key not in text, f"the key is in {type(obj).__name__}: {text[:200]}"
        if isinstance(obj, str | bytes):
            continue
        children: list[Any] = []
        if isinstance(obj, BaseException):
            children += [obj.__cause__, obj.__context__, *obj.args]
        if isinstance(obj, dict):
            children += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            children += list(obj)
        elif hasattr(obj, "items") and callable(obj.items):
            children += [v for kv in obj.items() for v in kv]
        if hasattr(obj, "__dict__"):
            children += list(vars(obj).values())
        todo += [(c, depth + 1) for c in children if c is not None]


def queued_faults(*kinds: str) -> Faults:
    return Faults(queue=deque(kinds), slow_seconds=2)


async def _raised(call: Callable[[], Awaitable[Any]]) -> BaseException:
    with pytest.raises(st.SevenTimeError) as caught:
        await call()
    return caught.value


async def test_the_key_is_reachable_from_no_error_of_any_kind(
    emulator: Emulator, serve: Any
) -> None:
    key = emulator.api_key
    errors: dict[str, BaseException] = {}
    no_retry = st.RetryPolicy(max_retries=0)
    missing = "5bb26376c42fb99275000080"
    for fault in ("500", "503", "429", "drop-before", "drop-after", "truncated", "not-json"):
        emulator.faults = queued_faults(fault)
        async with client_for(emulator, retry=no_retry) as client:
            errors[fault] = await _raised(client.customers.list)
    emulator.faults = queued_faults("slow")
    async with client_for(emulator, retry=no_retry, timeout=0.1) as client:
        errors["timeout"] = await _raised(client.customers.list)
    async with client_for(emulator) as client:
        errors["404"] = await _raised(lambda: client.customers.get(missing))
        taken = emulator.items("customers")[0]["customerNumber"]
        errors["400"] = await _raised(
            lambda: client.customers.create(name="Dup", customer_number=taken)
        )
    async with client_for(emulator, max_response_bytes=100) as client:
        errors["too large"] = await _raised(client.customers.list)
    emulator.read_only_key = key + "-read-only"
    async with st.SevenTimeClient(emulator.read_only_key, base_url=emulator.base_url) as reader:
        errors["403"] = await _raised(lambda: reader.customers.create(name="Nope"))
    async with (
        aiohttp.ClientSession(raise_for_status=True) as session,
        st.SevenTimeClient(key + "x", base_url=emulator.base_url, session=session) as wrong,
    ):
        errors["401"] = await _raised(wrong.customers.list)
    async with st.SevenTimeClient(
        key, base_url="http://127.0.0.1:1/api/1", retry=no_retry
    ) as refused:
        errors["refused"] = await _raised(refused.customers.list)
    async with st.SevenTimeClient(
        key,
        base_url=await serve(trickle),
        timeout=aiohttp.ClientTimeout(sock_read=0.1),
        retry=no_retry,
    ) as trickled:
        errors["trickled"] = await _raised(trickled.customers.list)
    closed = client_for(emulator)
    await closed.close()
    errors["closed"] = await _raised(closed.customers.list)
    for error in errors.values():
        assert_key_unreachable(error, key)
    assert {type(e).__name__ for e in errors.values()} >= {
        "AuthenticationError",
        "BadRequestError",
        "ClientClosedError",
        "DecodeError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ServerError",
        "ServiceUnavailableError",
        "TransportError",
    }
