"""The CLI against API v2: exports, and incremental runs with --since and --state.

The emulator runs in the test's event loop and the CLI in a real subprocess, so two runs
can see one account change between them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from seventime_async._cli import main
from seventime_async.emulator import Emulator


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


async def _cli(emu: Emulator, *args: str) -> tuple[int, str]:
    env = {**os.environ, "SEVENTIME_API_KEY": emu.api_key}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "seventime_async._cli",
        "export",
        "--base-url",
        emu.url(2),
        "--rate-limit",
        "0",
        "--quiet",
        *args,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    return await proc.wait(), err.decode()


def test_v2_export_of_the_embedded_emulator_holds_every_record(tmp_path: Path) -> None:
    out = tmp_path / "customers.jsonl"
    argv = ["export", "customers", "--emulator", "--api-version", "2", "--rate-limit", "0"]
    assert main([*argv, "--emulator-count", "customers=1234", "--out", str(out), "--quiet"]) == 0
    expected = Emulator(seed=1, customers=1234).items("customers")
    assert sorted(_records(out), key=lambda r: r["_id"]) == expected


async def test_state_runs_export_exactly_what_changed_between_them(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async with Emulator(seed=3, customers=700, projects=40) as emu:
        first = tmp_path / "first.jsonl"
        code, err = await _cli(emu, "customers", "--state", str(state), "--out", str(first))
        assert (code, err) == (0, "")
        assert {r["_id"] for r in _records(first)} == emu.ids("customers")
        mark = json.loads(state.read_text())["since"]["customers"]
        assert datetime.fromisoformat(mark) < datetime.now(UTC) - timedelta(minutes=9)

        ids = sorted(emu.ids("customers"))
        edited = {ids[0], ids[350], ids[-1]}
        for item_id in edited:
            emu.modify("customers", item_id, city="Båstad")
        edited.add(emu.insert("customers", name="Ny Kund AB")["_id"])
        emu.delete("customers", ids[10])  # lastModified reports no deletions

        second = tmp_path / "second.jsonl"
        code, err = await _cli(emu, "customers", "--state", str(state), "--out", str(second))
        assert (code, err) == (0, "")
        records = _records(second)
        assert {r["_id"] for r in records} == edited
        assert len(records) == len(edited)  # each id once
        served = {d["_id"]: d for d in emu.items("customers")}
        assert all(r == served[r["_id"]] for r in records)
        # The mark moved on only once the second run was complete.
        assert json.loads(state.read_text())["since"]["customers"] > mark


async def test_since_exports_what_was_modified_since_that_time(tmp_path: Path) -> None:
    async with Emulator(seed=4, work_orders=300) as emu:
        cut = datetime.now(UTC)
        changed = sorted(emu.ids("work_orders"))[5:9]
        for item_id in changed:
            emu.modify("work_orders", item_id, title="Ändrad")
        out = tmp_path / "wo.jsonl"
        code, err = await _cli(emu, "work_orders", "--since", cut.isoformat(), "--out", str(out))
        assert (code, err) == (0, "")
        assert {r["_id"] for r in _records(out)} == set(changed)


def test_incremental_export_is_refused_where_the_api_has_no_last_modified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["export", "users", "--emulator", "--api-version", "2", "--out", str(tmp_path / "u")]
    assert main([*argv, "--since", "2026-01-01T00:00Z"]) == 2
    assert "users cannot be exported incrementally" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # no time zone: the parser refuses it
        main([*argv, "--since", "2026-01-01T00:00"])
    assert refused.value.code == 2 and "give a time zone" in capsys.readouterr().err
    assert not (tmp_path / "u").exists()
