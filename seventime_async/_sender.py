"""The sender: one HTTP attempt over aiohttp, the only module of the client that uses it.

It sends one :class:`Request`, reads the body incrementally up to a cap and within a
deadline, and turns every aiohttp, OS and timeout failure into an
:class:`AttemptFailed` in one place. It does not interpret statuses (``_interpret``),
retry, or wait for turns (``_transport``).

Every error is built outside the ``except`` block that caught aiohttp's exception, so
nothing chains to it: aiohttp's exceptions hold ``request_info.headers``, which hold the
API key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

import aiohttp
import attrs

from ._errors import ClientClosedError, SevenTimeError, TransportError, decode_error
from ._http import Request, Response
from ._retry import AttemptFailed, Failure

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "AiohttpSender", "Received", "Sender"]

#: The largest response body the client reads by default (64 MiB). A v2 page of 500
#: invoices, the largest documented answer, is a few MB; this leaves ten times that and
#: still stops a hostile or broken server from filling memory.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


@attrs.frozen
class Received:
    """One HTTP answer, whatever its status: what :func:`interpret` reads."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Sender(Protocol):
    """Sends one attempt. Raises :class:`AttemptFailed` when no whole answer came."""

    async def send(self, request: Request) -> Received: ...


class _TooLarge(Exception):
    pass


class AiohttpSender:
    """:class:`Sender` over an ``aiohttp.ClientSession`` (the caller's, or its own)."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        session: aiohttp.ClientSession | None,
        timeout: aiohttp.ClientTimeout,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.base_url = base_url
        self._headers = dict(headers)
        self._session = session
        self._owns_session = session is None
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        return f"<AiohttpSender {self.base_url}>"

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            # Created on first use, inside the running loop, as aiohttp expects.
            self._session = aiohttp.ClientSession(timeout=self.timeout)
            # aiohttp silently resends an idempotent request once when the connection
            # drops; that resend would bypass the rate limiter and the retry count, so
            # our own session leaves every retry to the policy.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
        elif self._session.closed:
            raise ClientClosedError("the aiohttp session given to this client is closed")
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()

    async def send(self, request: Request) -> Received:
        session = self._get_session()
        url = request.url(self.base_url)
        headers = self._headers
        if request.body is not None:
            headers = {**headers, "Content-Type": request.body.content_type}
        status: int | None = None
        failure: Failure
        reason: str
        try:
            async with session.request(
                request.method,
                self.base_url + request.path,
                params=list(request.params) or None,
                data=request.body.data if request.body is not None else None,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                # A caller's session may raise on 4xx; statuses are interpret()'s job.
                raise_for_status=False,
            ) as response:
                status = response.status
                body = await self._read_body(response)
                return Received(status, response.headers, body)
        except _TooLarge:
            failure, reason = (
                Failure.TOO_LARGE,
                (f"response body larger than max_response_bytes={self.max_response_bytes}"),
            )
        except TimeoutError:
            failure, reason = Failure.TIMEOUT, f"timed out ({_describe(self.timeout)})"
        except aiohttp.ClientPayloadError as exc:
            failure, reason = Failure.BAD_BODY, f"truncated body ({exc})"
        except aiohttp.ClientConnectorError as exc:
            failure, reason = Failure.NOT_SENT, f"cannot connect: {exc.os_error}"
        except (aiohttp.ClientError, OSError) as exc:
            failure, reason = Failure.DROPPED, f"connection lost: {type(exc).__name__}: {exc}"
        error: SevenTimeError
        if status is not None and failure in (Failure.TOO_LARGE, Failure.BAD_BODY):
            error = decode_error(reason, Response(status, None, request.method, url))
        else:
            error = TransportError(reason, method=request.method, url=url)
        raise AttemptFailed(failure, error)

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes:
        """The whole body, refusing one past the cap as soon as it is known to be; and,
        where ``sock_read`` is set, within that many seconds (aiohttp's own ``sock_read``
        bounds each read, which a server trickling a byte at a time never trips)."""
        cap = self.max_response_bytes
        declared = response.content_length
        if declared is not None and declared > cap:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async with asyncio.timeout(self.timeout.sock_read):
            async for chunk in response.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise _TooLarge
                chunks.append(chunk)
        return b"".join(chunks)


def _describe(timeout: aiohttp.ClientTimeout) -> str:
    parts = [
        f"{name}={value}s"
        for name in ("total", "connect", "sock_connect", "sock_read")
        if (value := getattr(timeout, name)) is not None
    ]
    return ", ".join(parts) or "no limit set"
