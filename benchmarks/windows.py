"""Page windows (v2 without a seek): what exactly-once over ``limit``/``page`` costs.

Counted in requests, not seconds, so the emulator runs in-process (its CPU does not
matter to a count):

- **overhead** on a list that does not change, over HTTP at 10,000 and 100,000 items
  and through the pure planner alone at 1,000,000: requests against the ideal
  ``ceil(N / 500)`` and against :func:`fewest_requests`, the floor the window rule
  allows (a dynamic program over the (limit, page) choices);
- the **seek** a server may honour (v1's ``_id[$gt]``), probed once: its requests
  against the ideal;
- **mutation cost**: one item deleted before the cursor before every request, and the
  extra requests that costs per deletion.
"""

from __future__ import annotations

import math
from typing import Any

from seventime_async import SevenTimeClient
from seventime_async._dialect import ListPage
from seventime_async._plan import WalkOptions, WalkSpec
from seventime_async._windows import WindowPlanner, fewest_requests
from seventime_async.emulator import Emulator

TARGETS = {"windows.floor_ratio_max": 1.01}


def _ratios(items: int, requests: int) -> dict[str, Any]:
    ideal, floor = max(1, math.ceil(items / 500)), fewest_requests(items)
    return {
        "items": items,
        "requests": requests,
        "ideal": ideal,
        "floor": floor,
        "vs_ideal": requests / ideal,
        "vs_floor": requests / floor,
    }


def planner_requests(items: int) -> int:
    """Requests the pure planner makes over an unchanging list of ``items`` ids (served
    by arithmetic, so a million items need no list)."""
    planner = WindowPlanner(WalkSpec(path="/x"), WalkOptions(1, 500), None)
    requests, seek = 0, None
    while not planner.finished:
        (ask,) = planner.asks(1)
        requests += 1
        query = dict(ask.params)
        if "page" not in query:  # the seek probe: this server refuses it
            seek = ask
            planner.refused(ask)
            continue
        limit, page = int(query["limit"]), int(query["page"])
        start = (page - 1) * limit
        data = [{"_id": f"{i:024x}"} for i in range(start, min(start + limit, items))]
        planner.take(ask, ListPage(data, total=items, page=page))
    return requests - (seek is not None)


async def _walk_requests(emu: Emulator, yielded: list[str] | None = None) -> int:
    async with SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as client:
        emu.reset_counters()
        async for item in client.customers.iter_raw():
            if yielded is not None:
                yielded.append(item["_id"])
        return emu.request_count


async def bench_windows(smoke: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"http": {}, "seek": {}}
    for items in (1_000, 5_000) if smoke else (10_000, 100_000):
        async with Emulator(api_version=2, v2_seek=False, customers=items) as emu:
            requests = await _walk_requests(emu) - 1  # the seek probe it refused
        out["http"][str(items)] = _ratios(items, requests)
        async with Emulator(api_version=2, customers=items) as emu:
            out["seek"][str(items)] = _ratios(items, await _walk_requests(emu))
    planned = 20_000 if smoke else 1_000_000
    out["planner"] = _ratios(planned, planner_requests(planned))
    out["floor_ratio_max"] = max(
        [r["vs_floor"] for r in out["http"].values()] + [out["planner"]["vs_floor"]]
    )

    # Mutation cost: before every request, the item just before the cursor goes.
    items = 2_000 if smoke else 20_000
    async with Emulator(api_version=2, v2_seek=False, customers=items) as emu:
        calm = await _walk_requests(emu)
    async with Emulator(api_version=2, v2_seek=False, customers=items) as emu:
        yielded: list[str] = []
        deleted = 0

        def delete_before_cursor(emu: Emulator, _resource: str) -> None:
            nonlocal deleted
            alive = emu.ids("customers")
            victim = next((i for i in reversed(yielded[-50:-1]) if i in alive), None)
            if victim is not None:
                emu.delete("customers", victim)
                deleted += 1

        emu.before_list = delete_before_cursor
        busy = await _walk_requests(emu, yielded)
    out["mutation"] = {
        "items": items,
        "deletes": deleted,
        "calm_requests": calm,
        "requests": busy,
        "extra_per_delete": (busy - calm) / max(deleted, 1),
    }
    return out


def report_windows(results: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    print("\n== page windows (v2, no seek): requests on an unchanging list")
    rows = [*(("HTTP", r) for r in results["http"].values()), ("planner", results["planner"])]
    for where, r in rows:
        print(
            f"  {where:8} {r['items']:>9,} items: {r['requests']:>5} requests, ideal "
            f"{r['ideal']:>5} (x{r['vs_ideal']:.3f}), floor {r['floor']:>5} (x{r['vs_floor']:.4f})"
        )
    for r in results["seek"].values():
        print(
            f"  seek     {r['items']:>9,} items: {r['requests']:>5} requests, ideal "
            f"{r['ideal']:>5} (x{r['vs_ideal']:.3f})"
        )
    m = results["mutation"]
    print(
        f"  mutation: {m['deletes']} deletes before the cursor over {m['items']:,} items: "
        f"{m['requests']} requests vs {m['calm_requests']} calm, "
        f"{m['extra_per_delete']:.2f} extra a delete"
    )
    out = []
    for target, bound in TARGETS.items():
        value = results[target.split(".")[1]]
        ok = value <= bound
        out.append((target, value, bound, ok))
        print(f"  {'PASS' if ok else 'MISS'}  {target:24} {value:8.4f}  (target <= {bound})")
    return out
