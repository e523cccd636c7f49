"""The transport: the only module that touches aiohttp.

One instance per client holds the session, the auth header, the shared rate limiter and
concurrency semaphore, the retry loop, and the one place aiohttp failures and HTTP
statuses become this library's errors. Everything above it sees decoded JSON or a
:class:`SevenTimeError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import orjson

from ._errors import (
    ClientClosedError,
    DecodeError,
    RateLimitError,
    SevenTimeError,
    TransportError,
    ValidationError,
    error_for_status,
)
from ._events import (
    Event,
    EventHook,
    RateLimitWait,
    RequestStarted,
    ResponseReceived,
    RetryScheduled,
)
from ._http import Body, Response
from ._ratelimit import RateLimiter
from ._retry import Failure, RetryPolicy, parse_retry_after

__all__ = ["Transport", "check_base_url"]

logger = logging.getLogger("seventime_async")

Pairs = Sequence[tuple[str, str]]
_BODY_PREVIEW = 200


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


class _Outcome(Exception):
    """One failed attempt, classified for the retry decision (internal)."""

    def __init__(
        self,
        failure: Failure,
        error: SevenTimeError,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.failure = failure
        self.error = error
        self.status = status
        self.retry_after = retry_after


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
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._headers = {**(headers or {}), "Client-Secret": api_key}
        self._headers.setdefault("Accept", "application/json")
        self._session = session
        self._owns_session = session is None
        self.limiter = limiter
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self.retry = retry
        self.timeout = timeout
        self._events = events
        self._closed = False

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

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this SevenTimeClient is closed")
        if self._session is None:
            # Created on first use, inside the running loop, as aiohttp expects.
            self._session = aiohttp.ClientSession(timeout=self.timeout)
            # aiohttp silently resends an idempotent request once when the connection
            # drops; that resend would bypass the rate limiter and the retry count, so
            # our own session leaves every retry to the policy here.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
        return self._session

    async def close(self) -> None:
        """Close the session if this transport created it. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()

    async def request(
        self, method: str, path: str, *, params: Pairs | None = None, body: Body | None = None
    ) -> Response:
        """Send one API request (retrying it as the policy allows); return decoded JSON."""
        url = self.base_url + path
        shown = f"{url}?{urlencode(params)}" if params else url
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(method, path, url, shown, params, body, attempt)
            except _Outcome as outcome:
                error = outcome.error
                retry_after = outcome.retry_after
                if retry_after is not None and retry_after > self.retry.max_retry_after:
                    raise error from None
                if not self.retry.should_retry(method, outcome.failure, outcome.status, attempt):
                    raise error from None
                delay = self.retry.delay(attempt, retry_after)
                reason = str(outcome.status) if outcome.status else outcome.failure.value
                logger.warning(
                    "%s %s failed (%s), retry %d/%d in %.2fs",
                    method,
                    path,
                    reason,
                    attempt,
                    self.retry.max_retries,
                    delay,
                )
                self.emit(RetryScheduled(method, path, attempt, delay, reason, outcome.status))
                await asyncio.sleep(delay)

    async def _attempt(
        self,
        method: str,
        path: str,
        url: str,
        shown: str,
        params: Pairs | None,
        body: Body | None,
        attempt: int,
    ) -> Response:
        session = self._get_session()
        if self.limiter is not None:
            waited = await self.limiter.acquire()
            if waited > 0.001:
                self.emit(RateLimitWait(waited, self.limiter.rate))
        async with self._semaphore:
            self.emit(RequestStarted(method, path, attempt))
            loop = asyncio.get_running_loop()
            started = loop.time()
            status: int | None = None
            try:
                async with session.request(
                    method,
                    url,
                    params=params,
                    data=body.data if body is not None else None,
                    headers=self._headers
                    if body is None
                    else {**self._headers, "Content-Type": body.content_type},
                    timeout=self.timeout,
                    allow_redirects=False,
                ) as response:
                    status = response.status
                    retry_after_header = response.headers.get("Retry-After")
                    try:
                        content = await response.read()
                    except aiohttp.ClientPayloadError as exc:
                        raise _Outcome(
                            Failure.BAD_BODY,
                            DecodeError(
                                f"truncated body ({exc})",
                                status=status,
                                body_start=b"",
                                method=method,
                                url=shown,
                            ),
                        ) from None
            except _Outcome:
                raise
            except TimeoutError:
                raise _Outcome(
                    Failure.TIMEOUT,
                    TransportError(
                        f"timed out after {self.timeout.total}s", method=method, url=shown
                    ),
                ) from None
            except aiohttp.ClientConnectorError as exc:
                raise _Outcome(
                    Failure.NOT_SENT,
                    TransportError(f"cannot connect: {exc.os_error}", method=method, url=shown),
                ) from None
            except aiohttp.ClientError as exc:
                raise _Outcome(
                    Failure.DROPPED,
                    TransportError(
                        f"connection lost: {type(exc).__name__}: {exc}", method=method, url=shown
                    ),
                ) from None
            finally:
                elapsed = loop.time() - started
                self.emit(ResponseReceived(method, path, attempt, status, elapsed))
                logger.debug(
                    "%s %s -> %s attempt=%d %.1fms",
                    method,
                    path,
                    status if status is not None else "no response",
                    attempt,
                    elapsed * 1000,
                )
        data = self._decode(method, shown, status, content, retry_after_header)
        return Response(status, data, method, shown, content[:_BODY_PREVIEW])

    def _decode(
        self, method: str, shown: str, status: int, body: bytes, retry_after_header: str | None
    ) -> Any:
        if 200 <= status < 300:
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                raise _Outcome(
                    Failure.BAD_BODY,
                    DecodeError(
                        "response is not JSON",
                        status=status,
                        body_start=body[:_BODY_PREVIEW],
                        method=method,
                        url=shown,
                    ),
                ) from None
        message = _error_message(body)
        cls = error_for_status(status)
        retry_after = parse_retry_after(retry_after_header)
        if cls is RateLimitError:
            if self.limiter is not None:
                self.limiter.penalize()
            error: SevenTimeError = RateLimitError(status, message, method, shown, retry_after)
        else:
            error = cls(status, message, method, shown)
        raise _Outcome(Failure.STATUS, error, status, retry_after)


def _error_message(body: bytes) -> str:
    """The server's ``errorMessage``, or the start of a non-JSON error body."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body[:_BODY_PREVIEW].decode("utf-8", "replace").strip()
    if isinstance(data, dict) and isinstance(data.get("errorMessage"), str):
        return str(data["errorMessage"])
    return body[:_BODY_PREVIEW].decode("utf-8", "replace").strip()
