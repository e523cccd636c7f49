"""The command line, run for real: in-process via main(), and as subprocesses for
kill -9, Ctrl-C and the emulator command."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from seventime_async import __version__
from seventime_async._cli import main
from seventime_async._endpoints import families
from seventime_async._export import Checkpoint
from seventime_async.emulator import Emulator

CLI = [sys.executable, "-m", "seventime_async._cli"]


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _reference(resource: str, **counts: int) -> list[dict[str, Any]]:
    """What an emulator with this seed and these counts serves (generation is seeded)."""
    return Emulator(seed=1, **counts).items(resource)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SEVENTIME_API_KEY"}
    env.update(extra)
    return env


def test_export_every_resource_in_both_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [e.name for e in families(1) if e.name != "contact_persons"]
    for fmt in ("jsonl", "csv"):
        folder = tmp_path / fmt
        folder.mkdir()
        assert (
            main(
                [
                    "export",
                    *names,
                    "--emulator",
                    "--rate-limit",
                    "0",
                    "--format",
                    fmt,
                    "--out",
                    str(folder),
                    "--quiet",
                ]
            )
            == 0
        )
        for name in names:
            expected = _reference(name)
            path = folder / f"{name}.{fmt}"
            if fmt == "jsonl":
                # Records exactly as the API sent them: wire names, _id, every key.
                assert _records(path) == expected, name
            else:
                with open(path, encoding="utf-8-sig", newline="") as handle:
                    rows = list(csv.DictReader(handle))
                assert len(rows) == len(expected), name
            assert Checkpoint.load(path).complete  # type: ignore[union-attr]
    assert capsys.readouterr().err == ""  # --quiet

    big = max(
        {p["customer"] for p in _reference("contact_persons")},
        key=[p["customer"] for p in _reference("contact_persons")].count,
    )
    out = tmp_path / "people.jsonl"
    assert (
        main(
            [
                "export",
                "contact_persons",
                "--emulator",
                "--rate-limit",
                "0",
                "--filter",
                f"customer_id={big}",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    people = _records(out)
    assert len(people) > 100 and {p["customer"] for p in people} == {big}


def test_csv_opens_in_a_spreadsheet_with_swedish_intact(tmp_path: Path) -> None:
    out = tmp_path / "customers.csv"
    assert (
        main(
            [
                "export",
                "customers",
                "--emulator",
                "--format",
                "csv",
                "--rate-limit",
                "0",
                "--filter",
                "city=Båstad",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets look for
    with open(out, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    expected = [c for c in _reference("customers") if c["city"] == "Båstad"]
    assert len(rows) == len(expected) > 0
    assert (
        header[0] == "_id" and "billingSettings.isROTCustomer" in header and header[-1] == "_extra"
    )
    assert header.index("billingSettings.isROTCustomer") < header.index("createdDate")
    for row, source in zip(rows, expected, strict=True):
        assert row["city"] == "Båstad"
        assert row["name"] == source["name"]
        assert (
            row["billingSettings.isROTCustomer"]
            == str(source["billingSettings"]["isROTCustomer"]).lower()
        )
        assert (
            json.loads(row["billingSettings.deductionDistribution"])
            == source["billingSettings"]["deductionDistribution"]
        )
    assert any("ö" in r["name"] or "å" in r["name"] or "ä" in r["name"] for r in rows)


def test_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.jsonl"
    out.write_text("precious\n")
    assert main(["export", "customers", "--emulator", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    assert (
        main(
            [
                "export",
                "customers",
                "--emulator",
                "--rate-limit",
                "0",
                "--out",
                str(out),
                "--force",
                "--quiet",
            ]
        )
        == 0
    )
    assert _records(out) == _reference("customers")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "customers", "--format", "xml"])
    assert caught.value.code == 2
    assert (
        main(
            [
                "export",
                "customers",
                "--emulator",
                "--filter",
                "colour=red",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )
    assert "no filter colour" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["export", "customers", "--out", str(tmp_path / "y")]) == 2  # no key, no --emulator
    assert "SEVENTIME_API_KEY" in capsys.readouterr().err


def test_version_and_help_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--version"], ["--help"], ["export", "--help"], ["emulator", "--help"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 0
    out = capsys.readouterr().out
    assert __version__ in out and "--resume" in out and "--fault-rate" in out
    assert "--follow-symlinks" in out and "5 output in use" in out  # the exit codes


def _wait_for_items(path: Path, at_least: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            checkpoint = Checkpoint.load(path)
        except Exception:  # being replaced right now; look again
            checkpoint = None
        if checkpoint is not None and checkpoint.items >= at_least:
            return
        assert proc.poll() is None, "the export ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("the export made no progress")


SLOW_EXPORT = [
    "export",
    "customers",
    "--emulator",
    "--emulator-count",
    "customers=3000",
    "--emulator-latency",
    "0.02",
    "--rate-limit",
    "0",
    "--quiet",
]


def test_kill_9_then_resume_holds_every_record_once(tmp_path: Path) -> None:
    out = tmp_path / "customers.jsonl"
    proc = subprocess.Popen([*CLI, *SLOW_EXPORT, "--out", str(out)], env=_env())
    _wait_for_items(out, 700, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # A crash mid-write leaves half a record past the checkpoint; resume must drop it.
    with open(out, "ab") as handle:
        handle.write(b'{"_id": "half a rec')
    done = subprocess.run(
        [*CLI, *SLOW_EXPORT, "--out", str(out), "--resume"],
        env=_env(),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    records = _records(out)
    ids = [r["_id"] for r in records]
    assert len(ids) == len(set(ids)) == 3000
    assert records == _reference("customers", customers=3000)


def test_ctrl_c_saves_a_usable_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "customers.jsonl"
    proc = subprocess.Popen(
        [*CLI, *SLOW_EXPORT, "--out", str(out)], env=_env(), stderr=subprocess.PIPE
    )
    _wait_for_items(out, 500, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"--resume" in err and b"Traceback" not in err
    checkpoint = Checkpoint.load(out)
    assert checkpoint is not None and not checkpoint.complete
    assert out.stat().st_size == checkpoint.offset  # flushed up to the checkpoint exactly
    assert len(_records(out)) == checkpoint.items
    done = subprocess.run(
        [*CLI, *SLOW_EXPORT, "--out", str(out), "--resume"], env=_env(), timeout=120
    )
    assert done.returncode == 0
    assert _records(out) == _reference("customers", customers=3000)


def test_emulator_command_wrong_key_and_no_secret_in_output(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [*CLI, "emulator", "--port", "0", "--customers", "321"],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        second = server.stdout.readline()
        base_url = first.split(" on ")[1].strip()
        key = second.split("SEVENTIME_API_KEY=")[1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        wrong = subprocess.run(
            [
                *CLI,
                "export",
                "customers",
                "--base-url",
                base_url,
                "--out",
                str(tmp_path / "w.jsonl"),
            ],
            env=_env(SEVENTIME_API_KEY="not-" + key),
            capture_output=True,
            text=True,
        )
        assert wrong.returncode == 1
        assert "AuthenticationError" in wrong.stderr and key not in wrong.stderr + wrong.stdout
        right = subprocess.run(
            [
                *CLI,
                "export",
                "customers",
                "--base-url",
                base_url,
                "--rate-limit",
                "0",
                "--out",
                str(tmp_path / "r.jsonl"),
            ],
            env=_env(SEVENTIME_API_KEY=key),
            capture_output=True,
            text=True,
        )
        assert right.returncode == 0, right.stderr
        assert key not in right.stderr + right.stdout
        assert "321 records" in right.stderr and "done: 321 items" in right.stderr
        assert len(_records(tmp_path / "r.jsonl")) == 321
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert server.returncode == 0
