"""``SevenTimeClient``: the facade users hold. Builds the transport and the resources."""

from __future__ import annotations

import os
import re
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from ._dialect import Dialect, dialect_for
from ._endpoints import ENDPOINTS
from ._entities import (
    ContactPerson,
    Customer,
    CustomField,
    Department,
    Distributor,
    DistributorContactPerson,
    Document,
    DriverJournal,
    DriverJournalType,
    Expense,
    ExpenseItem,
    Invoice,
    Machine,
    MachineTimeLog,
    MachineType,
    PriceList,
    Project,
    ProjectStatus,
    ProjectType,
    PurchaseOrder,
    Quote,
    QuoteCategory,
    QuoteTemplate,
    ResultUnit,
    SalaryType,
    SupplementOrder,
    SupplierInvoice,
    Tag,
    Task,
    TimeCategory,
    TimeLog,
    Timer,
    User,
    UserRole,
    UserSkill,
    UserWorkType,
    Vehicle,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderType,
    WorkSchedule,
)
from ._errors import ValidationError
from ._events import EventHook
from ._plan import SeekDialect
from ._ratelimit import RateLimiter
from ._requests import check_id
from ._resources import DocumentResource, Resource, TimerResource, resource_class
from ._retry import RetryPolicy
from ._sender import DEFAULT_MAX_RESPONSE_BYTES
from ._tokens import check_cursor_key
from ._transport import Transport
from ._wire import unsafe_char

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "SERVICE_URL",
    "SevenTimeClient",
    "infer_api_version",
]

#: The service; the client appends ``/api/<version>`` when no ``base_url`` is given.
SERVICE_URL = "https://app.seventime.se"
DEFAULT_BASE_URL = f"{SERVICE_URL}/api/1"
API_KEY_ENV = "SEVENTIME_API_KEY"
#: The service's documented limit (v2 reference, "Rate-limit"): 4 requests per second.
DEFAULT_RATE_LIMIT = 4.0
_VERSION_IN_PATH = re.compile(r"/api/(\d+)/?$")


def infer_api_version(base_url: str | None, api_version: int | None) -> int:
    """The version to speak: ``api_version`` if given, else the one a base URL ending in
    ``/api/1`` or ``/api/2`` names, else 1. A conflict between the two is refused."""
    if base_url is None:
        version = 1 if api_version is None else api_version
        dialect_for(version)
        return version
    found = _VERSION_IN_PATH.search(urlsplit(base_url).path)
    in_url = int(found.group(1)) if found else None
    if api_version is None:
        version = in_url if in_url is not None else 1
    else:
        version = api_version
        if in_url is not None and in_url != api_version:
            raise ValidationError(
                f"api_version={api_version} conflicts with base_url {base_url!r}, which "
                f"ends in /api/{in_url}; drop one of them or make them agree"
            )
    dialect_for(version)  # refuses anything but 1 and 2
    return version


class SevenTimeClient:
    """An async client for the Seven Time API.

    Use it as ``async with SevenTimeClient() as client: ...`` or call
    ``await client.close()`` yourself. One client is meant to be long-lived and shared
    by every task: its rate limiter, concurrency cap and connection pool are shared.

    :param api_key: the ``Client-Secret``; defaults to ``$SEVENTIME_API_KEY``.
    :param base_url: the API root; by default the service's ``/api/<api_version>``.
    :param api_version: 1 or 2; by default the one ``base_url`` ends in (``/api/2``),
        else 1. Everything that differs between the versions follows from it.
    :param acting_user: the user id that writes name as ``createdByUser``,
        ``modifiedByUser`` or ``deletedByUser`` where the API requires one; each call
        can override it.
    :param rate_limit: requests per second for the whole client (default 4, the
        service's documented limit); ``None`` disables it;
        a :class:`RateLimiter` gives full control (burst, back-off, recovery, clock).
    :param rate_burst: requests that may go at once before the rate applies (default 1).
    :param max_concurrency: requests in flight at once.
    :param max_retries: retries of one request on 429/5xx/connection errors.
    :param timeout: seconds for one attempt, or an ``aiohttp.ClientTimeout`` (whose
        ``sock_read`` here bounds reading a whole body, see the README).
    :param max_response_bytes: the largest response body read (default 64 MiB); a
        larger one fails fast with a :class:`DecodeError`, not retried.
    :param session: an ``aiohttp.ClientSession`` to use; the client never closes it.
    :param retry: a :class:`RetryPolicy` for back-off details (overrides ``max_retries``).
    :param events: a callback receiving request, retry, rate-wait and page events.
    :param seek_dialect: how range filters are spelled (default ``field[$gt]=v``).
    :param cursor_key: bytes (16 or more) to sign resume tokens with (HMAC-SHA256), so a
        token altered or forged by whoever held it is refused; set it when tokens pass
        through untrusted hands (a web service handing them to its users).
    """

    customers: Resource[Customer]
    contact_persons: Resource[ContactPerson]
    users: Resource[User]
    user_roles: Resource[UserRole]
    salary_types: Resource[SalaryType]
    user_skills: Resource[UserSkill]
    departments: Resource[Department]
    projects: Resource[Project]
    project_statuses: Resource[ProjectStatus]
    project_types: Resource[ProjectType]
    project_tags: Resource[Tag]
    work_orders: Resource[WorkOrder]
    work_order_types: Resource[WorkOrderType]
    work_order_tags: Resource[Tag]
    work_order_statuses: Resource[WorkOrderStatus]
    price_lists: Resource[PriceList]
    invoices: Resource[Invoice]
    invoice_tags: Resource[Tag]
    time_logs: Resource[TimeLog]
    time_categories: Resource[TimeCategory]
    timers: TimerResource[Timer]
    expenses: Resource[Expense]
    expense_items: Resource[ExpenseItem]
    supplier_invoices: Resource[SupplierInvoice]
    purchase_orders: Resource[PurchaseOrder]
    distributors: Resource[Distributor]
    distributor_contact_persons: Resource[DistributorContactPerson]
    quotes: Resource[Quote]
    quote_templates: Resource[QuoteTemplate]
    quote_categories: Resource[QuoteCategory]
    machines: Resource[Machine]
    machine_types: Resource[MachineType]
    machine_time_logs: Resource[MachineTimeLog]
    vehicles: Resource[Vehicle]
    driver_journals: Resource[DriverJournal]
    driver_journal_types: Resource[DriverJournalType]
    tasks: Resource[Task]
    documents: DocumentResource[Document]
    supplement_orders: Resource[SupplementOrder]
    result_units: Resource[ResultUnit]
    work_schedules: Resource[WorkSchedule]
    user_work_types: Resource[UserWorkType]
    custom_fields: Resource[CustomField]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        api_version: int | None = None,
        acting_user: str | None = None,
        rate_limit: float | RateLimiter | None = DEFAULT_RATE_LIMIT,
        rate_burst: int = 1,
        max_concurrency: int = 8,
        max_retries: int = 5,
        timeout: float | aiohttp.ClientTimeout = 30.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        events: EventHook | None = None,
        seek_dialect: SeekDialect | None = None,
        cursor_key: bytes | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        if not key:
            raise ValidationError(
                f"no API key: pass api_key= or set {API_KEY_ENV} "
                "(Seven Time: Settings -> Integrations -> API)"
            )
        if any(map(unsafe_char, key)):  # a newline from `cat keyfile` or an .env file, typically
            raise ValidationError(
                "the API key contains a control character (a trailing newline?); "
                "remove it (the key is not shown here)"
            )
        self._dialect: Dialect = dialect_for(infer_api_version(base_url, api_version))
        if base_url is None:
            base_url = f"{SERVICE_URL}/api/{self._dialect.version}"
        self.acting_user = None if acting_user is None else check_id(acting_user, "acting_user")
        signing_key = check_cursor_key(cursor_key)
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
        if max_response_bytes < 1:
            raise ValidationError(f"max_response_bytes must be positive, got {max_response_bytes}")
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
            headers=self._dialect.headers,
            max_response_bytes=max_response_bytes,
        )
        for endpoint in ENDPOINTS:
            resource = resource_class(endpoint)(
                self._transport,
                endpoint,
                self._dialect,
                acting_user=self.acting_user,
                seek_dialect=seek_dialect,
                cursor_key=signing_key,
            )
            setattr(self, endpoint.name, resource)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def api_version(self) -> int:
        """1 or 2: the API version this client speaks (fixed for its life)."""
        return self._dialect.version

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The shared limiter (its ``rate`` drops after a 429 and recovers)."""
        return self._transport.limiter

    @property
    def closed(self) -> bool:
        return self._transport.closed

    def __repr__(self) -> str:
        # The key is deliberately absent: reprs end up in logs and tracebacks.
        return (
            f"<SevenTimeClient base_url={self.base_url!r} api_version={self.api_version} "
            "api_key=<redacted>>"
        )

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
