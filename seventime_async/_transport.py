"""The transport: turns, retries and the one boundary of the client's I/O.

One instance per client holds the sender (``_sender``, the only aiohttp user), the shared
rate limiter and concurrency semaphore, and the retry loop around a pure reading of each
answer (``_interpret``). Everything above it gets a :class:`Response` or a
:class:`SevenTimeError`, never another exception, and no error it raises chains to an
exception that could hold the API key.

A request first waits for a concurrency slot, then for a rate-limiter turn, then sends at
once: a turn taken before the slot would be spent while waiting, and after a stall the
calls holding turns would all fire together, far above the rate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ._errors import ApiError, ClientClosedError, SevenTimeError, TransportError, ValidationError
from ._events import (
    Event,
    EventHook,
    RateLimitWait,
    RequestStarted,
    ResponseReceived,
    RetryScheduled,
)
from ._http import BODY_PREVIEW, Body, Request, Response
from ._interpret import interpret
from ._ratelimit import RateLimiter
from ._retry import AttemptFailed, Failure, RetryPolicy
from ._sender import DEFAULT_MAX_RESPONSE_BYTES, AiohttpSender, Received, Sender

if TYPE_CHECKING:
    import aiohttp

__all__ = ["Transport", "check_base_url"]

logger = logging.getLogger("seventime_async")

Pairs = Sequence[tuple[str, str]]
T = TypeVar("T")
_CLOSED = "this SevenTimeClient is closed"


def check_base_url(base_url: str) -> str:
    """HTTPS, or plain HTTP to a loopback host only (the key must not cross a network
    in clear text)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"base_url must be an http(s) URL, got {base_url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValidationError(
            f"refusing plain http:// to {parts.hostname}: the API key would travel in "
            "clear text; use https:// (plain http is allowed for loopback only)"
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class Transport:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        session: aiohttp.ClientSession | None,
        limiter: RateLimiter | None,
        max_concurrency: int,
        retry: RetryPolicy,
        timeout: aiohttp.ClientTimeout,
        events: EventHook | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sender: Sender | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._secret = api_key
        self._aiohttp: AiohttpSender | None = None
        if sender is None:
            sent_headers = {**(headers or {}), "Client-Secret": api_key}
            sent_headers.setdefault("Accept", "application/json")
            sender = self._aiohttp = AiohttpSender(
                base_url=self.base_url,
                headers=sent_headers,
                session=session,
                timeout=timeout,
                max_response_bytes=max_response_bytes,
            )
        self._sender = sender
        self.limiter = limiter
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self.retry = retry
        self._events = events
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        # Tasks waiting for a slot, a turn or a retry: close() wakes them to fail.
        self._waiting: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        return f"<Transport {self.base_url}>"

    @property
    def closed(self) -> bool:
        return self._closed

    def emit(self, event: Event) -> None:
        """Pass an event to the user's callback; its failures are logged, never raised."""
        if self._events is None:
            return
        try:
            self._events(event)
        except Exception:
            logger.exception("the events callback raised; ignoring")

    async def close(self) -> None:
        """Close the session if this transport created it; calls still waiting for a
        slot, a turn or a retry fail with :class:`ClientClosedError` at once, taking no
        turn. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for task in self._waiting:
            task.cancel()
        if self._aiohttp is not None:
            await self._aiohttp.close()

    def _check_usable(self) -> None:
        if self._closed:
            raise ClientClosedError(_CLOSED)
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientClosedError(
                "this SevenTimeClient is bound to the event loop it was first used in, "
                "and this is another one; create one client per event loop"
            )

    async def request(
        self, method: str, path: str, *, params: Pairs | None = None, body: Body | None = None
    ) -> Response:
        """Send one API request (retrying it as the policy allows); return decoded JSON.

        Every failure is a :class:`SevenTimeError`. An :class:`ApiError` after an
        earlier attempt that may have been processed has ``after_uncertain_attempt``.
        """
        self._check_usable()
        request = Request(method, path, tuple(params or ()), body)
        url = request.url(self.base_url)
        uncertain = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(request, url, attempt)
            except AttemptFailed as exc:
                failed = exc
            except SevenTimeError:
                raise
            except Exception as exc:  # the one boundary: nothing raw escapes
                failed = self._unexpected(exc, request, url)
            # Raised below, outside every except block, so it chains to nothing.
            error = failed.error
            if uncertain and isinstance(error, ApiError):
                error.after_uncertain_attempt = True
            if not self.retry.should_retry(method, failed, attempt):
                raise error
            uncertain = uncertain or not failed.surely_not_processed
            delay = self.retry.delay(attempt, failed.retry_after)
            reason = str(failed.status) if failed.status else failed.failure.value
            logger.warning(
                "%s %s failed (%s), retry %d/%d in %.2fs",
                method,
                path,
                reason,
                attempt,
                self.retry.max_retries,
                delay,
            )
            self.emit(RetryScheduled(method, path, attempt, delay, reason, failed.status))
            await self._unless_closed(asyncio.sleep(delay))

    def _unexpected(self, exc: Exception, request: Request, url: str) -> AttemptFailed:
        """An exception nothing else expected, as a typed error that keeps its type and
        message (with the key cut out) and not the exception itself."""
        text = str(exc).replace(self._secret, "<redacted>")
        error = TransportError(
            f"unexpected {type(exc).__name__}: {text}", method=request.method, url=url
        )
        return AttemptFailed(Failure.UNEXPECTED, error)

    async def _attempt(self, request: Request, url: str, attempt: int) -> Response:
        slowdowns = self.limiter.slowdowns if self.limiter is not None else 0
        async with self._turn():
            self.emit(RequestStarted(request.method, request.path, attempt))
            loop = asyncio.get_running_loop()
            started = loop.time()
            received: Received | None = None
            try:
                received = await self._sender.send(request)
            finally:
                status = received.status if received is not None else None
                elapsed = loop.time() - started
                self.emit(ResponseReceived(request.method, request.path, attempt, status, elapsed))
                logger.debug(
                    "%s %s -> %s attempt=%d %.1fms",
                    request.method,
                    request.path,
                    status if status is not None else "no response",
                    attempt,
                    elapsed * 1000,
                )
        try:
            data = interpret(
                received.status, received.headers, received.body, method=request.method, url=url
            )
        except AttemptFailed as failed:
            if failed.status == 429 and self.limiter is not None:
                self.limiter.penalize(slowdowns)
            raise
        return Response(received.status, data, request.method, url, received.body[:BODY_PREVIEW])

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """A concurrency slot, then a rate-limiter turn: in that order (see the top)."""
        await self._unless_closed(self._semaphore.acquire())
        try:
            if self.limiter is not None:
                waited = await self._unless_closed(self.limiter.acquire())
                if waited > 0.001:
                    self.emit(RateLimitWait(waited, self.limiter.rate))
            yield
        finally:
            self._semaphore.release()

    async def _unless_closed(self, waiting: Coroutine[Any, Any, T]) -> T:
        """Await ``waiting`` unless the transport is closed first or meanwhile: then
        :class:`ClientClosedError` (and a waiter cancelled so takes no turn)."""
        task = asyncio.current_task()
        if self._closed or task is None:
            waiting.close()
            raise ClientClosedError(_CLOSED)
        self._waiting.add(task)
        try:
            return await waiting
        except asyncio.CancelledError:
            # Cancelled by close() alone: report the closing. Cancelled by the caller
            # too (uncancel() leaves a count): stay cancelled.
            if not self._closed or task.uncancel() > 0:
                raise
        finally:
            self._waiting.discard(task)
        raise ClientClosedError(_CLOSED)
