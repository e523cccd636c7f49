"""How stores hold accounts: against other stores, other processes, and failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seventime_async._sync import AccountBusyError, SqliteStore

_PROBE = """
import asyncio, sys
from seventime_async._sync import AccountBusyError, SqliteStore
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
