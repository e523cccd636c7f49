"""The exception tree: one root, families below it, structured data on each.

Nothing here ever holds the API key: errors carry the method, the URL (which never
contains the key, it travels in a header) and what the server said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._wire import printable

if TYPE_CHECKING:
    from ._http import Response

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "DecodeError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "ServiceUnavailableError",
    "SevenTimeError",
    "TransportError",
    "ValidationError",
    "clean_message",
    "decode_error",
    "error_for_status",
]


class SevenTimeError(Exception):
    """Root of every error this library raises.

    An error raised from inside an ``iter_all`` walk also carries ``cursor`` (a resume
    token for the items yielded so far) and ``items_yielded``; both are ``None``
    elsewhere.
    """

    cursor: str | None = None
    items_yielded: int | None = None


class ClientClosedError(SevenTimeError, RuntimeError):
    """The client was closed; create a new one (or use ``async with``)."""


class ValidationError(SevenTimeError, ValueError):
    """Bad input, caught before any request was made."""


class TransportError(SevenTimeError):
    """The request did not get an HTTP answer: connection failure or timeout."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(f"{message} ({method} {url})")
        self.method = method
        self.url = url


class DecodeError(SevenTimeError):
    """The body was not the JSON expected (not JSON, truncated, or the wrong shape)."""

    def __init__(
        self, message: str, *, status: int, body_start: bytes, method: str, url: str
    ) -> None:
        super().__init__(
            f"{message}: HTTP {status} from {method} {url}, body starts {body_start!r}"
        )
        self.status = status
        self.body_start = body_start
        self.method = method
        self.url = url


class PaginationError(SevenTimeError):
    """A walk cannot go on without losing or repeating items (see design.md §4)."""

    def __init__(self, message: str, *, parameter: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


#: The most of a server's ``errorMessage`` an error keeps (a hostile server sent 50 MB).
MAX_ERROR_MESSAGE = 500


def clean_message(text: str, limit: int = MAX_ERROR_MESSAGE) -> str:
    """A server's message safe for a terminal or a log line (see :func:`_wire.printable`)."""
    return printable(text, limit)


class ApiError(SevenTimeError):
    """The server answered with an HTTP error status.

    ``error_message`` is the server's ``errorMessage``, made safe to print (see
    :func:`clean_message`). ``after_uncertain_attempt`` is True when an earlier attempt
    of the same request was sent and may have been processed (the connection dropped,
    it timed out, or a 5xx other than 503 came back) before this answer: a 404 on a
    retried DELETE then means the delete was done.
    """

    after_uncertain_attempt: bool = False

    def __init__(self, status: int, error_message: str, method: str, url: str) -> None:
        message = clean_message(error_message)
        super().__init__(message or f"HTTP {status}")
        self.status = status
        self.error_message = message
        self.method = method
        self.url = url

    def __str__(self) -> str:
        return (
            f"{self.error_message or 'HTTP error'} (HTTP {self.status}, {self.method} {self.url})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.status, self.error_message, self.method, self.url), self.__dict__)


class BadRequestError(ApiError):
    """HTTP 400: the server refused the request, e.g. a missing or duplicate field."""


class AuthenticationError(ApiError):
    """HTTP 401: the API key is missing or wrong."""


class PermissionDeniedError(ApiError):
    """HTTP 403: the key is valid but may not do this."""


class NotFoundError(ApiError):
    """HTTP 404: no such item."""


class RateLimitError(ApiError):
    """HTTP 429 that outlasted the retries, or whose Retry-After exceeds the cap."""

    def __init__(
        self,
        status: int,
        error_message: str,
        method: str,
        url: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, error_message, method, url)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        args = (self.status, self.error_message, self.method, self.url, self.retry_after)
        return (type(self), args, self.__dict__)


class ServerError(ApiError):
    """HTTP 5xx."""


class ServiceUnavailableError(ServerError):
    """HTTP 503, typically maintenance."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_for_status(status: int) -> type[ApiError]:
    """The class for an HTTP error status: the one place statuses map to classes."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else ApiError


def decode_error(reason: str, response: Response) -> DecodeError:
    """The one builder of a :class:`DecodeError` for a response that is not the shape
    expected: it names the request that got it and shows the start of the body."""
    return DecodeError(
        reason,
        status=response.status,
        body_start=response.body_start,
        method=response.method,
        url=response.url,
    )
