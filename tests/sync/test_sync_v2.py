"""``sync()`` over API v2: incremental families fetch only what changed since their mark."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from seventime_async import RetryPolicy
from seventime_async._cli_sync import store_for
from seventime_async._sync import DEFAULT_OVERLAP, Store, SyncError, sync
from seventime_async.emulator import Emulator
from tests.conftest import client_for

from .helpers import assert_mirrors

V2_COUNTS = {"customers": 1200, "projects": 300, "work_orders": 700}
FAMILIES = ["customers", "projects", "work_orders", "departments", "work_order_tags"]


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    url = (
        f"sqlite:///{tmp_path / 'sync.sqlite'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres")
    )
    async with store_for(url) as opened:
        yield opened


def _fail_the_second_page(emu: Emulator) -> None:
    calls = iter(range(100))

    def fail_second_page(emulator: Emulator, family: str) -> None:
        if next(calls) == 1:
            raise RuntimeError("injected: the second page fails")

    emu.before_list = fail_second_page


async def test_incremental_families_fetch_only_what_changed(store: Store) -> None:
    async with Emulator(api_version=2, seed=9, **V2_COUNTS) as emu, client_for(emu) as client:
        assert client.api_version == 2
        before = datetime.now(UTC)
        first = await sync(client, store, FAMILIES)
        assert {f.kind for f in first.families.values()} == {"full"}
        state = await store.state("default", "customers")
        assert before - DEFAULT_OVERLAP <= state.high_water <= datetime.now(UTC) - DEFAULT_OVERLAP
        assert (await store.state("default", "departments")).high_water is None

        customers = sorted(emu.ids("customers"))
        for item_id in customers[100:105]:
            emu.modify("customers", item_id, name="Ändrad Kund")
        emu.modify("work_orders", sorted(emu.ids("work_orders"))[3], title="Byt takpannor")
        added = emu.insert("customers", name="Ny Kund AB")
        emu.delete("customers", customers[7])
        emu.reset_counters()
        second = await sync(client, store, FAMILIES)
        got = second.families["customers"]
        assert (got.kind, got.updated, got.created, got.deleted) == ("incremental", 5, 1, 0)
        assert second.families["work_orders"].updated == 1
        assert second.families["projects"].kind == "incremental"
        assert second.families["departments"].kind == "full"  # no lastModified
        listed = [r.path for r in emu.requests]
        assert listed.count("/api/2/customers") == 1  # one page of changes, not 3 of all
        live = await store.records("default", "customers")
        assert live[added["_id"]] == added
        # An incremental walk cannot see a deletion: the row stays until a full scan.
        assert customers[7] in live

        third = await sync(client, store, FAMILIES, full_every=timedelta(0))
        assert third.families["customers"].kind == "full"
        assert third.families["customers"].deleted == 1
        await assert_mirrors(store, emu, FAMILIES, gone={"customers": {customers[7]}})

        fourth = await sync(client, store, ["customers"], full=True)
        assert fourth.families["customers"].kind == "full"
        assert fourth.families["customers"].unchanged == len(emu.ids("customers"))


async def test_an_interrupted_incremental_walk_keeps_its_since_and_mark(store: Store) -> None:
    async with (
        Emulator(api_version=2, seed=9, customers=1500) as emu,
        client_for(emu, retry=RetryPolicy(max_retries=0)) as client,
    ):
        await sync(client, store, ["customers"])
        mark = (await store.state("default", "customers")).high_water
        for item_id in sorted(emu.ids("customers"))[::2]:  # 750 changed: several pages
            emu.modify("customers", item_id, city="Båstad")
        _fail_the_second_page(emu)
        with pytest.raises(SyncError):
            await sync(client, store, ["customers"])
        state = await store.state("default", "customers")
        assert (state.walk, state.walk_since, state.high_water) == ("incremental", mark, mark)
        emu.before_list = None
        done = await sync(client, store, ["customers"])
        assert done.families["customers"].resumed
        assert done.families["customers"].kind == "incremental"
        assert (await store.state("default", "customers")).high_water > mark
        await assert_mirrors(store, emu, ["customers"])


async def test_a_resumed_walk_marks_from_its_own_start_not_the_resuming_runs(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seventime_async._sync._driver as driver

    later = timedelta(0)

    class Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Clock:
            return datetime.now(tz) + later  # type: ignore[return-value]

    monkeypatch.setattr(driver, "datetime", Clock)
    async with (
        Emulator(api_version=2, seed=9, customers=1500) as emu,
        client_for(emu, retry=RetryPolicy(max_retries=0)) as client,
    ):
        await sync(client, store, ["customers"])
        ids = sorted(emu.ids("customers"))
        for item_id in ids[::2]:  # several pages of changes
            emu.modify("customers", item_id, city="Båstad")
        _fail_the_second_page(emu)
        interrupted = datetime.now(UTC)
        with pytest.raises(SyncError):
            await sync(client, store, ["customers"])
        emu.before_list = None
        # Changed after its page was written, before the walk is resumed a day later.
        stamp = (interrupted + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        emu.modify("customers", ids[0], name="Ändrad efter sidan", modifiedDate=stamp)
        later = timedelta(hours=24)
        resumed = await sync(client, store, ["customers"], full_every=timedelta(days=7))
        assert resumed.families["customers"].resumed
        state = await store.state("default", "customers")
        assert state.high_water is not None and state.high_water <= interrupted
        after = await sync(client, store, ["customers"], full_every=timedelta(days=7))
        assert after.families["customers"].kind == "incremental"
        live = await store.records("default", "customers")
        assert live[ids[0]]["name"] == "Ändrad efter sidan"
