"""Real processes: a sync killed with ``kill -9`` mid-walk, and two workers sharing one
accounts file over PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from seventime_async import SevenTimeClient
from seventime_async._cli_sync import store_for
from seventime_async._sync import sync
from seventime_async.emulator import Emulator

from .helpers import assert_mirrors, served

CLI = [sys.executable, "-m", "seventime_async._cli", "sync"]
KILLED = ["customers", "projects", "work_orders"]


def _env(**keys: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEVENTIME", "KEY_"))}
    return {**env, **keys}


def _served_from(emu: Emulator, path: str) -> int:
    return sum(1 for r in emu.requests if r.path.endswith(path))


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for what another process does, as the emulator sees it."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 (the emulator has no event to wait on)
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def _running(*args: str, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        *CLI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.communicate()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_kill_9_mid_sync_then_a_rerun_mirrors_exactly(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db_url = (
        f"sqlite:///{tmp_path / 'sync.sqlite'}"
        if kind == "sqlite"
        else request.getfixturevalue("postgres")
    )
    counts = {"customers": 3000, "projects": 600, "work_orders": 800}
    async with Emulator(seed=4, latency=0.01, **counts) as emu:
        args = [*KILLED, "--db", db_url, "--base-url", emu.base_url, "--rate-limit", "0"]
        async with _running(*args, env=_env(SEVENTIME_API_KEY=emu.api_key)) as proc:
            await _until(lambda: _served_from(emu, "/customers") >= 12)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        async with store_for(db_url) as store:
            # What the killed run left is a prefix of whole pages, each row as served.
            state = await store.state("default", "customers")
            assert state.walk == "full" and state.cursor is not None
            rows = await store.records("default", "customers")
            assert 0 < len(rows) < counts["customers"] and len(rows) % 100 == 0
            truth = served(emu, "customers")
            assert all(truth[i] == row for i, row in rows.items())

            ids = sorted(emu.ids("customers"))
            behind, ahead = sorted(rows)[5], ids[-7]  # before and after the saved cursor
            emu.delete("customers", behind)
            emu.delete("customers", ahead)  # never synced: nothing to mark
            emu.modify("customers", ids[-3], name="Märta Ödqvist")
            emu.insert("customers", name="Nils Åkesson")
            emu.reset_counters()
            async with SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as c:
                rerun = await sync(c, store, KILLED)
                resumed = rerun.families["customers"]
                assert resumed.resumed and resumed.deleted == 0
                assert resumed.fetched == counts["customers"] - len(rows) - 1 + 1
                assert _served_from(emu, "/customers") < counts["customers"] // 100
                # The walk had passed the deleted `behind`: as with any deletion behind a
                # walk, the next full scan marks it.
                live = await store.records("default", "customers")
                assert live.pop(behind) is not None
                assert live == served(emu, "customers")
                again = await sync(c, store, KILLED)
                assert again.families["customers"].deleted == 1
            await assert_mirrors(store, emu, KILLED, gone={"customers": {behind}})


async def test_two_workers_never_hold_one_account_and_sync_every_one(
    postgres: str, tmp_path: Path
) -> None:
    names = [f"acct{i}" for i in range(5)]
    async with contextlib.AsyncExitStack() as stack:
        emus = [
            await stack.enter_async_context(Emulator(seed=i, latency=0.01, customers=500))
            for i in range(len(names))
        ]
        accounts = tmp_path / "accounts.toml"
        accounts.write_text(
            "".join(
                f'[[accounts]]\nname = "{name}"\nkey_env = "KEY_{i}"\napi_version = 1\n'
                f'base_url = "{emu.base_url}"\n\n'
                for i, (name, emu) in enumerate(zip(names, emus, strict=True))
            )
        )
        env = _env(**{f"KEY_{i}": emu.api_key for i, emu in enumerate(emus)})
        args = ["customers", "--accounts", str(accounts), "--db", postgres, "--parallel", "1"]
        args += ["--rate-limit", "0"]
        # The first worker is held inside acct0 until the second has moved on past it,
        # which it can only do by finding acct0 taken: one account at a time each.
        release = asyncio.Event()

        async def hold(emulator: Emulator, family: str) -> None:
            await release.wait()

        emus[0].before_list = hold
        async with _running(*args, env=env) as first:
            await _until(lambda: emus[0].request_count > 0)
            async with _running(*args, env=env) as second:
                await _until(lambda: emus[1].request_count > 0)
                release.set()
                outs = await asyncio.gather(first.communicate(), second.communicate())
        assert first.returncode == second.returncode == 0, outs
        assert b"another worker is syncing it" in b"".join(err for _, err in outs)

        connection = await asyncpg.connect(postgres)
        try:
            runs = await connection.fetch(
                "SELECT account, started_at, finished_at, worker, error "
                "FROM seventime.sync_runs ORDER BY started_at"
            )
        finally:
            await connection.close()
        assert {r["account"] for r in runs} == set(names)
        assert all(r["finished_at"] is not None and r["error"] is None for r in runs)
        assert len({r["worker"] for r in runs}) == 2  # both did some of the work
        for name in names:
            mine = [r for r in runs if r["account"] == name]
            for earlier, later in itertools.pairwise(mine):
                assert earlier["finished_at"] <= later["started_at"], name
        async with store_for(postgres) as store:
            for name, emu in zip(names, emus, strict=True):
                await assert_mirrors(store, emu, ["customers"], account=name)
