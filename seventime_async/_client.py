"""``SevenTimeClient``: the facade users hold. Builds the transport and the resources."""

from __future__ import annotations

import os
import re
from types import TracebackType
from typing import Any

import aiohttp

from ._endpoints import ENDPOINTS
from ._entities import (
    ContactPerson,
    Customer,
    Department,
    Invoice,
    PriceList,
    Project,
    ProjectStatus,
    ProjectType,
    SalaryType,
    Tag,
    User,
    UserRole,
    UserSkill,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderType,
)
from ._errors import ValidationError
from ._events import EventHook
from ._planner import SeekDialect
from ._ratelimit import RateLimiter
from ._resources import CreateResource, GetResource, ListResource, capability
from ._retry import RetryPolicy
from ._transport import Transport

__all__ = ["DEFAULT_BASE_URL", "SevenTimeClient"]

DEFAULT_BASE_URL = "https://app.seventime.se/api/1"
API_KEY_ENV = "SEVENTIME_API_KEY"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class SevenTimeClient:
    """An async client for the Seven Time API.

    Use it as ``async with SevenTimeClient() as client: ...`` or call
    ``await client.close()`` yourself. One client is meant to be long-lived and shared
    by every task: its rate limiter, concurrency cap and connection pool are shared.

    :param api_key: the ``Client-Secret``; defaults to ``$SEVENTIME_API_KEY``.
    :param rate_limit: requests per second for the whole client; ``None`` disables it;
        a :class:`RateLimiter` gives full control (burst, back-off, recovery, clock).
    :param rate_burst: requests that may go at once before the rate applies (default 1).
    :param max_concurrency: requests in flight at once.
    :param max_retries: retries of one request on 429/5xx/connection errors.
    :param timeout: seconds for one attempt, or an ``aiohttp.ClientTimeout``.
    :param session: an ``aiohttp.ClientSession`` to use; the client never closes it.
    :param retry: a :class:`RetryPolicy` for back-off details (overrides ``max_retries``).
    :param events: a callback receiving request, retry, rate-wait and page events.
    :param seek_dialect: how range filters are spelled (default ``field[$gt]=v``).
    """

    customers: CreateResource[Customer]
    contact_persons: GetResource[ContactPerson]
    users: CreateResource[User]
    user_roles: ListResource[UserRole]
    salary_types: ListResource[SalaryType]
    user_skills: ListResource[UserSkill]
    departments: GetResource[Department]
    projects: CreateResource[Project]
    project_statuses: ListResource[ProjectStatus]
    project_types: ListResource[ProjectType]
    project_tags: ListResource[Tag]
    work_orders: CreateResource[WorkOrder]
    work_order_types: ListResource[WorkOrderType]
    work_order_tags: ListResource[Tag]
    work_order_statuses: ListResource[WorkOrderStatus]
    price_lists: ListResource[PriceList]
    invoices: CreateResource[Invoice]
    invoice_tags: ListResource[Tag]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        rate_limit: float | RateLimiter | None = 10.0,
        rate_burst: int = 1,
        max_concurrency: int = 8,
        max_retries: int = 5,
        timeout: float | aiohttp.ClientTimeout = 30.0,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        events: EventHook | None = None,
        seek_dialect: SeekDialect | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        if not key:
            raise ValidationError(
                f"no API key: pass api_key= or set {API_KEY_ENV} "
                "(Seven Time: Settings -> Integrations -> API)"
            )
        if _CONTROL.search(key):  # a newline from `cat keyfile` or an .env file, typically
            raise ValidationError(
                "the API key contains a control character (a trailing newline?); "
                "remove it (the key is not shown here)"
            )
        if max_concurrency < 1:
            raise ValidationError(f"max_concurrency must be at least 1, got {max_concurrency}")
        limiter: RateLimiter | None
        if isinstance(rate_limit, RateLimiter) or rate_limit is None:
            limiter = rate_limit
        elif rate_limit <= 0:
            raise ValidationError(f"rate_limit must be positive or None, got {rate_limit}")
        else:
            limiter = RateLimiter(rate_limit, burst=rate_burst)
        if max_retries < 0:
            raise ValidationError(f"max_retries must be >= 0, got {max_retries}")
        if isinstance(timeout, int | float):
            timeout = aiohttp.ClientTimeout(total=timeout)
        self._transport = Transport(
            base_url=base_url,
            api_key=key,
            session=session,
            limiter=limiter,
            max_concurrency=max_concurrency,
            retry=retry or RetryPolicy(max_retries=max_retries),
            timeout=timeout,
            events=events,
        )
        for endpoint in ENDPOINTS:
            resource = capability(endpoint)(self._transport, endpoint, seek_dialect)
            setattr(self, endpoint.name, resource)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The shared limiter (its ``rate`` drops after a 429 and recovers)."""
        return self._transport.limiter

    @property
    def closed(self) -> bool:
        return self._transport.closed

    def __repr__(self) -> str:
        # The key is deliberately absent: reprs end up in logs and tracebacks.
        return f"<SevenTimeClient base_url={self.base_url!r} api_key=<redacted>>"

    async def close(self) -> None:
        """Close the connection pool if the client created it. Idempotent."""
        await self._transport.close()

    async def __aenter__(self) -> SevenTimeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __getstate__(self) -> Any:
        raise TypeError("SevenTimeClient cannot be pickled (it holds a session and a secret)")
