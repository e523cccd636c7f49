"""The request and response values that cross the transport (pure data).

Everything above the transport builds a :class:`Request` and gets a :class:`Response`;
only the sender turns them into aiohttp calls. Neither ever holds the API key: it is
added to the headers by the sender alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import attrs

__all__ = ["BODY_PREVIEW", "Body", "Request", "Response"]

#: How much of a body an error shows.
BODY_PREVIEW = 200


@attrs.frozen
class Body:
    """An encoded request body: form (v1) or JSON (v2), chosen by the dialect."""

    content_type: str
    data: bytes


@attrs.frozen
class Request:
    method: str
    path: str
    params: Sequence[tuple[str, str]] = ()
    body: Body | None = None

    def url(self, base_url: str) -> str:
        """The URL as errors and logs show it (the key never is in it: it is a header)."""
        query = f"?{urlencode(list(self.params))}" if self.params else ""
        return f"{base_url}{self.path}{query}"


@attrs.frozen
class Response:
    """A successful response: its decoded JSON and what an error about it would name."""

    status: int
    data: Any
    method: str
    url: str
    body_start: bytes = b""
