"""``sync`` benchmarks: what a database sync achieves against the service's 4 requests/s.

- **one account**: a full sync of N customers (50,000) through v2 at the emulator's
  enforced 4 requests/s, as a fraction of 4 x 500 items/s (target 0.95).
- **accounts**: 1, 10 and 50 accounts at once, each limited to 4/s on its own: the
  aggregate items/s (it should grow with the accounts until CPU is the bound) and the CPU
  per item of the syncing process (the emulator runs in a process of its own).
- **incremental**: a re-sync of the incremental families after 1% of their records
  changed, in requests, against the full sync's (target about 0.01; it needs 50,000
  records a family, so that 1% fills a page of 500).

Stores are SQLite files in a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import seventime_async as st
from seventime_async._endpoints import ENDPOINTS
from seventime_async.emulator import Emulator

RATE = 4  # the service's documented limit, per key
PAGE = 500
#: The families with ``lastModified`` (v2: customers, projects, time logs, work orders,
#: expenses, supplier invoices), as the endpoint table says.
INCREMENTAL = [e.name for e in ENDPOINTS if (api := e.spec(2)) is not None and api.incremental]
TARGETS = {"sync.full_fraction": 0.95, "sync.incremental_ratio": 0.02}

_SERVE = """
import asyncio, json, sys
from seventime_async.emulator import Emulator

async def serve():
    spec = json.loads(sys.argv[1])
    async with Emulator(api_version=2, rate_limit=spec["rate"], accounts=spec["accounts"]) as emu:
        keys = {name: emu.api_key_for(name) for name in emu.accounts}
        print(json.dumps({"url": emu.url(2), "keys": keys}), flush=True)
        await asyncio.Event().wait()

asyncio.run(serve())
"""


@contextlib.asynccontextmanager
async def emulator_process(
    accounts: dict[str, dict[str, int]],
) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """A v2 emulator enforcing 4/s per key, in a process of its own: (url, keys)."""
    spec = json.dumps({"rate": RATE, "accounts": accounts})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SERVE, spec, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        started = json.loads(await proc.stdout.readline())
        yield started["url"], started["keys"]
    finally:
        proc.terminate()
        await proc.wait()


async def _sync_accounts(
    accounts: dict[str, dict[str, int]], families: list[str]
) -> dict[str, float]:
    """Sync every account at once into one SQLite store; items, seconds, CPU seconds."""
    async with emulator_process(accounts) as (url, keys):
        listed = [st.Account(name, f"KEY_{i}", 2, url) for i, name in enumerate(keys)]
        environ = {f"KEY_{i}": keys[name] for i, name in enumerate(keys)}
        with tempfile.TemporaryDirectory() as folder:
            async with st.SqliteStore(Path(folder) / "sync.sqlite") as store:
                cpu, wall = time.process_time(), time.perf_counter()
                report = await st.sync_accounts(listed, store, families, environ=environ)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert not report.failed, report.failed
    items = sum(r.fetched for r in report.synced.values())
    return {"items": items, "seconds": wall, "cpu_s": cpu}


async def bench_one_account(size: int) -> dict[str, Any]:
    got = await _sync_accounts({"acme": {"customers": size}}, ["customers"])
    ideal = RATE * PAGE
    rate = got["items"] / got["seconds"]
    return {**got, "items_per_s": rate, "ideal_items_per_s": ideal, "fraction": rate / ideal}


async def bench_accounts(levels: list[int], size: int) -> dict[str, Any]:
    curve = {}
    for n in levels:
        accounts = {f"account-{i:02d}": {"customers": size} for i in range(n)}
        got = await _sync_accounts(accounts, ["customers"])
        curve[str(n)] = {
            **got,
            "items_per_s": got["items"] / got["seconds"],
            "ideal_items_per_s": n * RATE * PAGE,
            "cpu_us_per_item": 1e6 * got["cpu_s"] / max(got["items"], 1),
        }
    return curve


async def bench_incremental(size: int) -> dict[str, Any]:
    """Requests of an incremental re-sync after 1% changed, over a full sync's."""
    counts = dict.fromkeys(INCREMENTAL, size)
    with tempfile.TemporaryDirectory() as folder:
        async with (
            Emulator(api_version=2, **counts) as emu,  # in process: the benchmark edits it
            st.SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as client,
            st.SqliteStore(Path(folder) / "sync.sqlite") as store,
        ):
            emu.reset_counters()
            await st.sync(client, store, INCREMENTAL)
            full = emu.request_count
            for family in INCREMENTAL:
                for item_id in sorted(emu.ids(family))[::100]:  # 1%
                    emu.modify(family, item_id)
            emu.reset_counters()
            result = await st.sync(client, store, INCREMENTAL)
            incremental = emu.request_count
    return {
        "full_requests": full,
        "incremental_requests": incremental,
        "ratio": incremental / full,
        "kinds": sorted({f.kind for f in result.families.values()}),
        "changed": sum(f.updated for f in result.families.values()),
    }


async def bench_sync(smoke: bool) -> dict[str, Any]:
    one = await bench_one_account(1_000 if smoke else 50_000)
    curve = await bench_accounts([1, 2] if smoke else [1, 10, 50], 500 if smoke else 10_000)
    incremental = await bench_incremental(300 if smoke else 50_000)
    return {
        "one_account": one,
        "accounts": curve,
        "incremental": incremental,
        "full_fraction": one["fraction"],
        "incremental_ratio": incremental["ratio"],
    }


def report_sync(results: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    one = results["one_account"]
    print(
        f"\n== sync: one account, {one['items']:,} customers at {RATE}/s enforced: "
        f"{one['items_per_s']:,.0f} items/s of {one['ideal_items_per_s']:,} "
        f"({one['fraction']:.3f})"
    )
    print("  accounts  items/s (ideal)            CPU us/item")
    for n, level in results["accounts"].items():
        print(
            f"  {n:>8}  {level['items_per_s']:>9,.0f} ({level['ideal_items_per_s']:>9,})"
            f"   {level['cpu_us_per_item']:8.1f}"
        )
    inc = results["incremental"]
    print(
        f"  incremental after {inc['changed']:,} changes: {inc['incremental_requests']} "
        f"requests vs {inc['full_requests']} for a full sync ({inc['ratio']:.3f})"
    )
    rows = []
    for target, bound in TARGETS.items():
        value = results[target.split(".")[1]]
        ok = value <= bound if target == "sync.incremental_ratio" else value >= bound
        rows.append((target, value, bound, ok))
        sign = "<=" if target == "sync.incremental_ratio" else ">="
        print(f"  {'PASS' if ok else 'MISS'}  {target:24} {value:8.3f}  (target {sign} {bound})")
    return rows
