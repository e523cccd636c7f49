"""How stores hold accounts: against other stores, other processes, and failures."""

from __future__ import annotations

import errno
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seventime_async._cli_sync import _report
from seventime_async._sync import (
    Account,
    AccountBusyError,
    PostgresStore,
    SqliteStore,
    StoreError,
    sync_accounts,
)
from seventime_async._sync._state import Walk
from seventime_async.emulator import Emulator

_PROBE = """
import asyncio, sys
from seventime_async._sync import AccountBusyError, PostgresStore, SqliteStore, StoreError
from seventime_async._sync._state import Walk
async def probe():
    async with SqliteStore(sys.argv[1]) as store:
        try:
            async with store.lock_account(sys.argv[2]):
                print("got it")
        except AccountBusyError:
            print("busy")
asyncio.run(probe())
"""


def _other_process_gets(path: Path, account: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path), account],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


async def test_two_sqlite_stores_on_one_file_in_one_process_exclude_each_other(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sync.sqlite"
    async with SqliteStore(path) as first:
        async with first.lock_account("acme"):
            async with SqliteStore(path) as second:
                with pytest.raises(AccountBusyError):
                    async with second.lock_account("acme"):
                        pass
                async with second.lock_account("other"):  # another account is free
                    pass
            # The second store's failed try, its release of another account and its
            # close left the first's hold in place.
            assert _other_process_gets(path, "acme") == "busy"
        async with SqliteStore(path) as second, second.lock_account("acme"):
            assert _other_process_gets(path, "acme") == "busy"
    assert _other_process_gets(path, "acme") == "got it"


async def test_a_postgresql_worker_that_lost_its_lock_cannot_end_or_restart_a_walk(
    postgres: str,
) -> None:
    import asyncpg

    records = {str(i): ({"_id": str(i), "n": i}, None) for i in range(10)}
    now = datetime.now(UTC)
    stale_walk = Walk(kind="full", scan=1, started_at=now)
    async with (
        PostgresStore(postgres) as stale,
        PostgresStore(postgres) as current,
        stale.lock_account("acme"),
    ):
        await stale.begin_walk("acme", "customers", stale_walk)
        await stale.write_page("acme", "customers", records, cursor="c1", scan=1)
        admin = await asyncpg.connect(postgres)
        try:  # as a network cut would: the session holding the lock ends
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            )
        finally:
            await admin.close()
        async with current.lock_account("acme"):
            walk = Walk(kind="full", scan=2, started_at=now)
            await current.begin_walk("acme", "customers", walk)
            half = dict(list(records.items())[:5])
            await current.write_page("acme", "customers", half, cursor="c2", scan=2)
            before = await current.state("acme", "customers")
            with pytest.raises(StoreError, match="lock on account 'acme' was lost"):
                await stale.finish_walk("acme", "customers", stale_walk, None)
            with pytest.raises(StoreError, match="lock on account 'acme' was lost"):
                await stale.begin_walk("acme", "customers", stale_walk)
            with pytest.raises(StoreError, match="lock on account 'acme' was lost"):
                await stale.start_run("acme", "stale", now)
            assert await current.state("acme", "customers") == before
            assert await current.records("acme", "customers", deleted=True) == {}


async def test_a_lock_that_fails_for_another_reason_is_a_store_error_not_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seventime_async._sync._sqlite as sqlite_store

    def no_locks(fd: int, offset: int, *, take: bool) -> None:
        raise OSError(errno.ENOLCK, "No locks available")  # as NFS without lockd says

    monkeypatch.setattr(sqlite_store, "_set_lock", no_locks)
    async with SqliteStore(tmp_path / "sync.sqlite") as store, Emulator() as emu:
        with pytest.raises(StoreError, match="No locks available"):
            async with store.lock_account("acme"):
                pass
        account = Account("acme", "KEY", 1, emu.url(1))
        report = await sync_accounts(
            [account], store, ["departments"], environ={"KEY": emu.api_key}
        )
        assert (report.busy, list(report.failed)) == ([], ["acme"])
        assert _report(report, quiet=True, shared=True) == 3


def test_account_lock_offsets_are_63_bits_wide() -> None:
    from seventime_async._sync._sqlite import _lock_offset

    offsets = {_lock_offset(f"account-{n}") for n in range(2000)}
    assert len(offsets) == 2000
    assert max(offsets) >= 2**40 and all(0 <= o < 2**63 - 1 for o in offsets)
