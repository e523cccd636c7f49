"""Shared fixtures: a real emulator on 127.0.0.1 and a real client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from seventime_async import RetryPolicy, SevenTimeClient
from seventime_async.emulator import Emulator

# Quick retries: tests prove behaviour, not patience.
FAST_RETRY = RetryPolicy(max_retries=5, backoff_base=0.001, backoff_cap=0.01)

SMALL = {
    "customers": 250,
    "contact_persons": 330,
    "users": 120,
    "projects": 150,
    "work_orders": 250,
    "invoices": 150,
}


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(seed=1, **SMALL) as emu:
        yield emu


def client_for(emu: Emulator, **options: Any) -> SevenTimeClient:
    options.setdefault("rate_limit", None)
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("base_url", emu.base_url)
    return SevenTimeClient(emu.api_key, **options)


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[SevenTimeClient]:
    async with client_for(emulator) as c:
        yield c


async def head_ids(walk: Any, count: int) -> list[Any]:
    """The ids of a walk's first ``count`` items, then a break and ``aclose()``."""
    head: list[Any] = []
    async for item in walk:
        head.append(item.id)
        if len(head) == count:
            break
    await walk.aclose()
    return head


async def collect_ids(walk: Any, into: list[Any]) -> None:
    """Drain a walk into ``into``, so what came before an error stays visible."""
    async for item in walk:
        into.append(item.id)


EmulatorFactory = Callable[..., AbstractAsyncContextManager[tuple[Emulator, SevenTimeClient]]]


@pytest.fixture
def running() -> EmulatorFactory:
    """``async with running(customers=101) as (emu, client):`` for a custom account."""

    @asynccontextmanager
    async def factory(
        client_options: dict[str, Any] | None = None, **emulator_options: Any
    ) -> AsyncIterator[tuple[Emulator, SevenTimeClient]]:
        emulator_options.setdefault("seed", 7)
        async with (
            Emulator(**emulator_options) as emu,
            client_for(emu, **(client_options or {})) as c,
        ):
            yield emu, c

    return factory


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """A real aiohttp server for ``app`` on 127.0.0.1, for the answers the emulator is
    not meant to give: yields its root, ``http://127.0.0.1:PORT``."""
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
