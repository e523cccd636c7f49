"""What one HTTP response means (pure): decoded JSON, or a typed error.

The one place statuses become error classes, ``errorMessage`` is read, ``Retry-After``
is parsed and a body that is not JSON becomes a :class:`DecodeError`. No I/O, so every
hostile body is tested synchronously.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ._errors import RateLimitError, SevenTimeError, decode_error, error_for_status
from ._http import BODY_PREVIEW, Response
from ._retry import AttemptFailed, Failure, parse_retry_after

__all__ = ["interpret"]


def interpret(
    status: int, headers: Mapping[str, str], body: bytes, *, method: str, url: str
) -> Any:
    """The decoded JSON of a 2xx response; otherwise raise :class:`AttemptFailed`
    carrying the error the caller gets if no retry follows.

    ``headers`` needs only ``Retry-After`` (case as aiohttp's mapping gives it).
    """
    if 200 <= status < 300:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            reason = f"response is not JSON ({exc})"
        # Built outside the except block: the error must not chain to the parser's.
        raise AttemptFailed(
            Failure.BAD_BODY,
            decode_error(reason, Response(status, None, method, url, body[:BODY_PREVIEW])),
        )
    retry_after = parse_retry_after(headers.get("Retry-After"))
    message = error_message(body)
    cls = error_for_status(status)
    error: SevenTimeError
    if cls is RateLimitError:
        error = RateLimitError(status, message, method, url, retry_after)
    else:
        error = cls(status, message, method, url)
    raise AttemptFailed(Failure.STATUS, error, retry_after)


def error_message(body: bytes) -> str:
    """The server's ``errorMessage``, or the start of an error body that has none.

    Never re-encodes what it parsed (orjson refuses to dump what nests deeper than 255
    levels): a preview is always the raw bytes' start.
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("errorMessage"), str):
        return str(data["errorMessage"])
    return body[:BODY_PREVIEW].decode("utf-8", "replace").strip()
