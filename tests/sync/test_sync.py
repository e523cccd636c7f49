"""``sync()`` against the emulator over TCP, into real SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from seventime_async import RetryPolicy, ValidationError
from seventime_async._cli_sync import store_for
from seventime_async._sync import (
    SCHEMA_VERSION,
    AccountBusyError,
    Store,
    StoreError,
    SyncError,
    sync,
)
from seventime_async.emulator import Emulator, Faults
from tests.conftest import client_for

from .conftest import dump, execute_script
from .helpers import COUNTS, FAMILIES, assert_mirrors

NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sync.sqlite'}"
    url: str = request.getfixturevalue("postgres")
    return url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    async with store_for(db_url) as opened:
        yield opened


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(seed=3, **COUNTS) as running:
        yield running


async def test_creates_edits_and_deletes_between_runs_are_mirrored(
    emu: Emulator, store: Store
) -> None:
    async with client_for(emu) as client:
        first = await sync(client, store, FAMILIES)
        assert first.families["customers"].created == COUNTS["customers"]
        await assert_mirrors(store, emu, FAMILIES)

        customers = sorted(emu.ids("customers"))
        projects = sorted(emu.ids("projects"))
        emu.delete("customers", customers[0])
        emu.delete("customers", customers[-1])  # the last item: the end of the walk
        emu.delete("projects", projects[100])  # one at a page seam
        emu.modify("customers", customers[5], name="Åsa Öberg")
        emu.modify("projects", projects[7], name="Ny fasad")
        added = emu.insert("customers", name="Tommy Hellström", city="Västra Karup")

        second = await sync(client, store, FAMILIES)
        got = second.families["customers"]
        assert (got.created, got.updated, got.deleted) == (1, 1, 2)
        assert got.unchanged == COUNTS["customers"] - 2 - 1
        assert second.families["projects"].deleted == 1
        gone = {"customers": {customers[0], customers[-1]}, "projects": {projects[100]}}
        await assert_mirrors(store, emu, FAMILIES, gone=gone)

        # A deleted record that comes back is live again; nothing else moves.
        comeback = (await store.records("default", "customers", deleted=True))[customers[0]]
        emu.insert("customers", comeback)
        third = await sync(client, store, ["customers"])
        assert third.families["customers"].created == 1
        assert third.families["customers"].deleted == 0
        await assert_mirrors(store, emu, ["customers"], gone={"customers": {customers[-1]}})
        assert added["_id"] in await store.records("default", "customers")


async def test_each_page_is_written_with_its_cursor_and_a_failed_family_resumes(
    store: Store,
) -> None:
    # The 4th customers page fails for good: the other families finish, customers keeps
    # the three pages before, and the next run goes on from there.
    async with Emulator(seed=3, **COUNTS) as emu, client_for(emu, retry=NO_RETRY) as client:
        pages_before = 3
        calls = iter(range(1, 100))

        def failing(emulator: Emulator, resource: str) -> None:
            if resource == "customers" and next(calls) == pages_before + 1:
                raise RuntimeError("injected: the server fails on this page")

        emu.before_list = failing
        with pytest.raises(SyncError) as caught:
            await sync(client, store, FAMILIES)
        assert set(caught.value.errors) == {"customers"}
        assert set(caught.value.result.families) == set(FAMILIES) - {"customers"}
        assert len(await store.records("default", "customers")) == pages_before * 100
        state = await store.state("default", "customers")
        assert state.walk == "full" and state.cursor is not None

        emu.before_list = None
        emu.reset_counters()
        again = await sync(client, store, ["customers"])
        customers = again.families["customers"]
        assert customers.resumed and customers.fetched == COUNTS["customers"] - 300
        assert emu.request_count == 2  # pages 4 and 5, not the whole walk again
        await assert_mirrors(store, emu, FAMILIES)


async def test_a_deletion_is_marked_across_an_interrupted_full_scan(store: Store) -> None:
    async with Emulator(seed=3, customers=420) as emu, client_for(emu, retry=NO_RETRY) as client:
        await sync(client, store, ["customers"])
        ids = sorted(emu.ids("customers"))
        emu.delete("customers", ids[10])
        emu.faults = Faults(methods=frozenset({"GET"}), schedule={3: "500"})
        emu.reset_counters()
        with pytest.raises(SyncError):
            await sync(client, store, ["customers"])
        # Interrupted: nothing is marked yet; the resumed scan marks it.
        assert await store.records("default", "customers", deleted=True) == {}
        emu.faults = Faults()
        done = await sync(client, store, ["customers"])
        assert done.families["customers"].resumed
        assert done.families["customers"].deleted == 1
        await assert_mirrors(store, emu, ["customers"], gone={"customers": {ids[10]}})


async def test_an_account_is_synced_by_one_sync_at_a_time(emu: Emulator, store: Store) -> None:
    async with client_for(emu) as client:
        async with store.lock_account("acme"):
            with pytest.raises(AccountBusyError):
                await sync(client, store, ["departments"], account="acme")
        # Other accounts are free meanwhile, and the account is free once let go.
        await sync(client, store, ["departments"], account="acme")
        await assert_mirrors(store, emu, ["departments"], account="acme")
        assert await store.records("default", "departments") == {}


async def test_accounts_share_tables_without_mixing(store: Store) -> None:
    async with (
        Emulator(seed=5, customers=150) as one,
        Emulator(seed=6, customers=90) as two,
        client_for(one) as first,
        client_for(two) as second,
    ):
        await asyncio.gather(
            sync(first, store, ["customers"], account="one"),
            sync(second, store, ["customers"], account="two"),
        )
        await assert_mirrors(store, one, ["customers"], account="one")
        await assert_mirrors(store, two, ["customers"], account="two")


async def test_the_key_is_in_no_table_log_or_error(
    db_url: str, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with Emulator(seed=3, customers=250) as emu, client_for(emu, retry=NO_RETRY) as client:
        emu.faults = Faults(methods=frozenset({"GET"}), schedule={2: "500"})
        with pytest.raises(SyncError) as caught:
            await sync(client, store, ["customers", "users"])
        emu.faults = Faults()
        await sync(client, store, ["customers", "users"])
        key = emu.api_key
    await store.close()
    error = caught.value
    chain = [error, error.__cause__, error.__context__, *error.errors.values()]
    assert not any(key in f"{e!s} {e!r}" for e in chain if e is not None)
    assert key not in caplog.text
    assert "ServerError" in dump(db_url)  # the failure is recorded ...
    assert key not in dump(db_url)  # ... and the key is nowhere in the database


async def test_migrates_a_version_1_database_keeping_its_data(db_url: str, emu: Emulator) -> None:
    customers = emu.items("customers")
    kept, vanished = customers[:200], customers[-1]
    version_1(db_url, [*kept, vanished])
    async with store_for(db_url) as store:
        assert await store.schema_version() == SCHEMA_VERSION == 2
        # The rows, the marks and the runs of version 1 are all there.
        rows = await store.records("acme", "customers")
        assert rows == {c["_id"]: c for c in [*kept, vanished]}
        state = await store.state("acme", "customers")
        assert state.high_water is not None and state.high_water.year == 2024
        assert state.cursor is None  # a version 1 cursor is not resumed
        emu.delete("customers", vanished["_id"])
        async with client_for(emu) as client:
            result = await sync(client, store, ["customers", "projects"], account="acme")
        assert result.families["customers"].unchanged == len(kept)
        await assert_mirrors(
            store, emu, ["customers", "projects"], "acme", {"customers": {vanished["_id"]}}
        )
    async with store_for(db_url) as store:  # opening a current database changes nothing
        assert await store.schema_version() == SCHEMA_VERSION
    # A database a newer library has migrated is not written by this one.
    table = "schema_migrations" if db_url.startswith("sqlite") else "seventime.schema_migrations"
    execute_script(db_url, f"INSERT INTO {table} VALUES ({SCHEMA_VERSION + 1}, 'later');")
    with pytest.raises(StoreError, match=f"version {SCHEMA_VERSION + 1}, newer than"):
        await store_for(db_url).open()


def version_1(db_url: str, customers: list[dict[str, object]]) -> None:
    """A database as version 1 of the schema left it, written by hand (not by the code
    under test): a synced account ``acme`` with its customers and one run."""
    sqlite = db_url.startswith("sqlite")
    time, json = ("TEXT", "TEXT") if sqlite else ("TIMESTAMPTZ", "JSONB")
    serial = "INTEGER PRIMARY KEY" if sqlite else "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    schema = "" if sqlite else "CREATE SCHEMA seventime; SET search_path TO seventime;"
    stamp = "'2024-05-01T03:00:00.000000+00:00'"
    values = ", ".join(
        f"('acme', {_literal(str(c['_id']))}, {_literal(orjson.dumps(c).decode())}, "
        f"NULL, {stamp}, NULL)"
        for c in customers
    )
    execute_script(
        db_url,
        f"""{schema}
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES (1, '2024-04-01T00:00:00+00:00');
        CREATE TABLE sync_state (account TEXT NOT NULL, family TEXT NOT NULL, cursor TEXT,
            high_water {time}, last_full_scan {time}, PRIMARY KEY (account, family));
        CREATE TABLE sync_runs (id {serial}, account TEXT NOT NULL,
            started_at {time} NOT NULL, finished_at {time}, counts {json}, error TEXT);
        CREATE TABLE customers (account TEXT NOT NULL, id TEXT NOT NULL,
            data {json} NOT NULL, modified_at {time}, synced_at {time} NOT NULL,
            deleted_at {time}, PRIMARY KEY (account, id));
        INSERT INTO customers VALUES {values};
        INSERT INTO sync_state VALUES ('acme', 'customers', 'v1-cursor-token', {stamp}, {stamp});
        INSERT INTO sync_runs (account, started_at, finished_at, counts)
            VALUES ('acme', {stamp}, {stamp}, '{{}}');
        """,
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


async def test_a_worker_that_lost_its_postgresql_lock_writes_nothing(postgres: str) -> None:
    import asyncpg

    async with (
        Emulator(seed=3, customers=250) as emu,
        client_for(emu) as client,
        store_for(postgres) as store,
    ):

        async def cut_the_lock_session(emulator: Emulator, family: str) -> None:
            # As a network cut would: the session holding the account's lock ends.
            admin = await asyncpg.connect(postgres)
            try:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                )
            finally:
                await admin.close()

        emu.before_list = cut_the_lock_session
        with pytest.raises(SyncError) as caught:
            await sync(client, store, ["customers"])
        assert "lock on account 'default' was lost" in str(caught.value.errors["customers"])
        assert await store.records("default", "customers") == {}


async def test_a_cursor_the_client_refuses_restarts_that_walk(
    db_url: str, store: Store, emu: Emulator
) -> None:
    async with client_for(emu) as client:
        await sync(client, store, ["customers"])
        # As a token from another API version would be, after the account switched.
        table = "sync_state" if db_url.startswith("sqlite") else "seventime.sync_state"
        execute_script(
            db_url,
            f"UPDATE {table} SET walk = 'full', cursor = 'v9.not-a-token', "
            "walk_started_at = last_full_scan, scan = scan + 1",
        )
        emu.delete("customers", sorted(emu.ids("customers"))[0])
        again = await sync(client, store, ["customers"])
    got = again.families["customers"]
    assert got.resumed and got.fetched == COUNTS["customers"] - 1 and got.deleted == 1


async def test_a_nul_character_is_kept_as_u_fffd_in_postgresql_and_said(
    db_url: str, store: Store, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    victim = sorted(emu.ids("customers"))[4]
    emu.modify("customers", victim, name="Acme\x00AB", notes={"a\x00": ["\x00", "\\u0000"]})
    async with client_for(emu) as client:
        with caplog.at_level(logging.WARNING, logger="seventime_async.sync"):
            await sync(client, store, ["customers"])
        live = await store.records("default", "customers")
        assert len(live) == len(emu.ids("customers"))
        if db_url.startswith("sqlite"):
            await assert_mirrors(store, emu, ["customers"])
            assert "U+0000" not in caplog.text
            return
        # jsonb cannot hold U+0000: the record is kept with U+FFFD instead, and said so.
        assert live[victim]["name"] == "Acme\ufffdAB"
        assert live[victim]["notes"] == {"a\ufffd": ["\ufffd", "\\u0000"]}
        warning = next(r for r in caplog.records if "U+0000" in r.getMessage())
        assert f"customers/{victim}" in warning.getMessage() and "3 " in warning.getMessage()
        assert emu.api_key not in caplog.text
        again = await sync(client, store, ["customers"])
        assert again.families["customers"].updated == 0  # not rewritten on every run


async def test_records_of_an_unknown_family_is_a_validation_error(store: Store) -> None:
    evil = 'customers" WHERE 0 UNION SELECT name, sql FROM sqlite_master --'
    for family in [evil, "no_such_family"]:
        with pytest.raises(ValidationError, match="unknown family"):
            await store.records("default", family)
