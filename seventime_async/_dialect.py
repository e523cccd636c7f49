"""The two API versions, as one object each (pure).

Everything that differs between v1 and v2 lives here (design.md §10): the response
envelopes, the body encoding, the headers, the page sizes and which walk pages past the
cap. A client chooses its dialect once; resources, entities, errors, the limiter,
retries, events and the CLI never ask which version they speak.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlencode

import attrs
import orjson

from ._errors import ValidationError, decode_error
from ._http import Body, Response
from ._keyset import KeysetPlanner
from ._plan import WalkStrategy
from ._qs import encode_pairs
from ._windows import WindowPlanner
from ._wire import scalar_text

__all__ = ["DIALECTS", "V1", "V2", "Dialect", "ListPage", "dialect_for"]

Raw = dict[str, Any]
#: Express's body parser refuses a form of more parameters than this (HTTP 413).
FORM_PARAMETER_LIMIT = 1000


@attrs.frozen
class ListPage:
    """One list response, unwrapped: the items and, in v2, what ``meta`` said."""

    items: list[Raw]
    total: int | None = None
    total_pages: int | None = None
    page: int | None = None
    #: The response it came from, for errors about its items.
    source: Response | None = attrs.field(default=None, eq=False, repr=False)


class Dialect(Protocol):
    """What differs between the API versions."""

    @property
    def version(self) -> int: ...

    @property
    def max_page_size(self) -> int:
        """The most items one list request can return."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers every request of this version carries (besides the key)."""
        ...

    @property
    def walk(self) -> WalkStrategy:
        """How ``iter_all`` pages past the cap: keyset (v1) or page windows (v2)."""
        ...

    def page_params(self, limit: int | None, page: int | None) -> list[tuple[str, str]]:
        """The query pairs asking for one page; ValidationError where not offered."""
        ...

    def list_page(self, response: Response) -> ListPage: ...

    def one(self, response: Response) -> Raw:
        """The object of a get-one response."""
        ...

    def written(self, response: Response) -> Raw:
        """The object a write (create, update, delete, action) answers with."""
        ...

    def body(self, payload: Mapping[str, Any]) -> Body: ...


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _object(response: Response, value: Any, what: str) -> Raw:
    if not isinstance(value, dict):
        raise decode_error(f"expected {what}", response)
    return value


@attrs.frozen
class _V1:
    """The 2018-2020 API: bare arrays capped at 100, bare objects, form bodies."""

    version: int = 1
    max_page_size: int = 100
    headers: Mapping[str, str] = attrs.field(factory=dict)
    walk: WalkStrategy = KeysetPlanner

    def page_params(self, limit: int | None, page: int | None) -> list[tuple[str, str]]:
        if limit is not None or page is not None:
            raise ValidationError(
                "limit and page are API v2 parameters; a v1 list returns up to 100 items "
                "(use iter_all() for all of them, or SevenTimeClient(api_version=2))"
            )
        return []

    def list_page(self, response: Response) -> ListPage:
        if not _objects(response.data):
            raise decode_error("expected a JSON array of objects", response)
        return ListPage(response.data, source=response)

    def one(self, response: Response) -> Raw:
        return _object(response, response.data, "a JSON object")

    def written(self, response: Response) -> Raw:
        return _object(response, response.data, "a JSON object")

    def body(self, payload: Mapping[str, Any]) -> Body:
        pairs = encode_pairs(payload)
        if len(pairs) > FORM_PARAMETER_LIMIT:
            raise ValidationError(
                f"this write encodes as {len(pairs)} form parameters; the server's form "
                f"parser refuses more than {FORM_PARAMETER_LIMIT} (HTTP 413). Send fewer "
                "nested items per request, or use API v2, whose bodies are JSON"
            )
        return Body("application/x-www-form-urlencoded", urlencode(pairs).encode())


def _count(meta: Mapping[str, Any], key: str) -> int | None:
    value = meta.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@attrs.frozen
class _V2:
    """The live API: ``{"meta", "data"}`` envelopes, ``limit``/``page``, JSON bodies."""

    version: int = 2
    max_page_size: int = 500
    #: The reference requires both on every request (index.html.md "Header fields").
    headers: Mapping[str, str] = attrs.field(
        factory=lambda: {"Content-Type": "application/json", "Accept": "application/json"}
    )
    walk: WalkStrategy = WindowPlanner

    def page_params(self, limit: int | None, page: int | None) -> list[tuple[str, str]]:
        params = []
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int):
                raise ValidationError(f"limit must be an int, got {limit!r}")
            if not 1 <= limit <= self.max_page_size:
                raise ValidationError(f"limit must be 1..{self.max_page_size}, got {limit}")
            params.append(("limit", str(limit)))
        if page is not None:
            if isinstance(page, bool) or not isinstance(page, int) or page < 1:
                raise ValidationError(f"page must be an int of at least 1, got {page!r}")
            params.append(("page", str(page)))
        return params

    def list_page(self, response: Response) -> ListPage:
        data = response.data
        if not isinstance(data, dict) or not _objects(data.get("data")):
            raise decode_error('expected {"data": [objects]} (the v2 list envelope)', response)
        meta = data.get("meta")
        if meta is None:  # lookup lists send data alone
            return ListPage(data["data"], source=response)
        if not isinstance(meta, dict):
            raise decode_error("expected meta to be an object", response)
        return ListPage(
            data["data"],
            total=_count(meta, "totalResources"),
            total_pages=_count(meta, "totalPages"),
            page=_count(meta, "currentPage"),
            source=response,
        )

    def one(self, response: Response) -> Raw:
        data = response.data
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            raise decode_error('expected {"data": {object}} (the v2 get envelope)', response)
        found: Raw = data["data"]
        return found

    def written(self, response: Response) -> Raw:
        return _object(response, response.data, "a JSON object")

    def body(self, payload: Mapping[str, Any]) -> Body:
        return Body("application/json", orjson.dumps(payload, default=scalar_text))


V1: Dialect = _V1()
V2: Dialect = _V2()
DIALECTS: Mapping[int, Dialect] = {1: V1, 2: V2}


def dialect_for(version: int) -> Dialect:
    try:
        return DIALECTS[version]
    except KeyError:
        raise ValidationError(f"api_version must be 1 or 2, got {version!r}") from None
