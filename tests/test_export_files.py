"""The export's files under hostile conditions, driven through the real CLI against the
embedded emulator: two writers at once, checkpoints that lie, symbolic links, a full
disk, a file-size limit, a read-only directory, a key with a newline, a hostile error
message, formula cells."""

from __future__ import annotations

import asyncio
import csv
import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from seventime_async._cli import main
from seventime_async._export import Checkpoint
from seventime_async.emulator import Emulator

from .conftest import serving
from .test_cli import CLI, _env, _records, _reference, _wait_for_items


def _export(out: Path, *extra: str) -> int:
    """The export of the emulator's 250 customers (3 pages) to ``out``."""
    argv = ["export", "customers", "--emulator", "--rate-limit", "0", "--quiet"]
    return main([*argv, "--out", str(out), *extra])


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("seventime-async: error: "), err
    return err


def _edit_checkpoint(out: Path, **changes: Any) -> None:
    path = Checkpoint.path_for(out)
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


# -- #10 item 1: one writer, and a checkpoint checked against its file -------------------


def test_a_second_run_on_the_same_output_is_refused_while_the_first_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.jsonl"
    slow = ["--emulator-count", "customers=3000", "--emulator-latency", "0.05"]
    argv = ["export", "customers", "--emulator", "--rate-limit", "0", "--quiet", *slow]
    first = subprocess.Popen(
        [*CLI, *argv, "--out", str(out)],
        env=_env(),
    )
    _wait_for_items(out, 200, first)
    # The flags that would truncate (--force) or append (--resume) meet the lock first.
    assert _export(out, "--force") == 5
    assert "another run" in _one_line_error(capsys)
    assert _export(out, "--resume") == 5
    assert "another run" in _one_line_error(capsys)
    assert first.poll() is None, "the first run ended before the second one tried"
    assert first.wait(timeout=60) == 0
    assert _records(out) == _reference("customers", customers=3000)
    checkpoint = Checkpoint.load(out)
    assert checkpoint is not None and checkpoint.complete and checkpoint.items == 3000


def test_a_complete_checkpoint_whose_output_is_gone_or_short_is_not_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.jsonl"
    assert _export(out) == 0
    whole = out.read_bytes()
    out.write_bytes(whole[:-300])  # an output cut short between runs
    assert _export(out, "--resume") == 4
    assert "--force" in _one_line_error(capsys)
    assert out.read_bytes() == whole[:-300]
    out.unlink()  # an output deleted between runs
    assert _export(out, "--resume") == 4
    assert "is gone" in _one_line_error(capsys)
    assert not out.exists()
    assert _export(out, "--force") == 0  # the way out the message names
    assert out.read_bytes() == whole


def test_resume_refuses_a_checkpoint_that_does_not_describe_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.jsonl"
    assert _export(out) == 0
    before, saved = out.read_bytes(), Checkpoint.path_for(out).read_text()
    lies: list[tuple[dict[str, Any], str]] = [
        ({"offset": len(before) + 4096}, "holds"),  # resume once padded the file with NULs
        ({"offset": -1}, "claims"),
        ({"items": 0}, "claims"),
        ({"items": -5}, "claims"),
        ({"offset": len(before) - 10}, "middle of a record"),
        ({"resource": "users"}, "resume with those"),
        ({"filters": {"city": "Båstad"}}, "resume with those"),
        ({"format": "csv"}, "resume with those"),
        ({"cursor": "st1.mangled"}, "cursor"),
    ]
    for changes, complaint in lies:
        Checkpoint.path_for(out).write_text(saved)
        _edit_checkpoint(out, complete=False, **changes)
        assert _export(out, "--resume") == 4, changes
        assert complaint in _one_line_error(capsys), changes
        assert out.read_bytes() == before, changes


def test_resume_refuses_a_csv_whose_header_is_not_this_version_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "customers.csv"
    assert _export(table, "--format", "csv") == 0
    _edit_checkpoint(table, complete=False)
    table.write_bytes(table.read_bytes().replace(b"_id,", b"id_,", 1))  # other columns
    assert _export(table, "--format", "csv", "--resume") == 4
    assert "CSV header" in _one_line_error(capsys)


def test_a_checkpoint_of_the_wrong_shape_is_one_line_and_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.jsonl"
    assert _export(out) == 0
    saved = json.loads(Checkpoint.path_for(out).read_text())
    not_checkpoints = ["{", "[]", '{"version": 1}', '{"version": 2}', "null"]
    wrong_shapes = [
        {"offset": "12"},
        {"offset": True},
        {"items": 1.5},
        {"complete": 1},
        {"filters": {"city": 1}},
        {"filters": ["city"]},
        {"cursor": None},
        {"surplus": 1},
    ]
    texts = not_checkpoints + [json.dumps({**saved, **changes}) for changes in wrong_shapes]
    for text in texts:
        Checkpoint.path_for(out).write_text(text)
        assert _export(out, "--resume") == 4, text
        assert "checkpoint.json is " in _one_line_error(capsys), text


# -- #10 item 2: never through a symbolic link, never a predictable temporary name -------


def test_a_dangling_symlink_at_the_output_is_refused_and_its_target_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere" / "victim"
    target.parent.mkdir()
    out = tmp_path / "customers.jsonl"
    out.symlink_to(target)
    for extra in ([], ["--force"], ["--resume"]):
        assert _export(out, *extra) == 2
        assert "symbolic link" in _one_line_error(capsys)
        assert not target.exists() and out.is_symlink()


def test_a_symlink_to_an_existing_file_is_refused_unless_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "victim"
    target.write_bytes(b"precious\n")
    out = tmp_path / "customers.jsonl"
    out.symlink_to(target)
    for extra in (["--force"], ["--resume", "--force"]):
        assert _export(out, *extra) == 2
        assert "--follow-symlinks" in _one_line_error(capsys)
        assert target.read_bytes() == b"precious\n"
    assert _export(out, "--force", "--follow-symlinks") == 0
    assert _records(target) == _reference("customers")


def test_an_output_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.jsonl"
    os.mkfifo(out)  # resuming needs a size and a truncate: a pipe or device has neither
    assert _export(out, "--force") == 2
    assert "not a regular file" in _one_line_error(capsys)
    assert not Checkpoint.path_for(out).exists()


def test_a_file_planted_at_a_temporary_name_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    out = tmp_path / "customers.jsonl"
    # The names an attacker could predict: the checkpoint's fixed ".tmp" of old, and the
    # checkpoint itself.
    planted = tmp_path / "customers.jsonl.checkpoint.json.tmp"
    planted.symlink_to(victim)
    other = tmp_path / "other.jsonl"
    (tmp_path / "other.jsonl.checkpoint.json.tmp").write_bytes(b"left alone\n")
    Checkpoint.path_for(other).symlink_to(victim)
    assert _export(out) == 0
    assert _export(other) == 0
    assert victim.read_bytes() == b"precious\n"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert (tmp_path / "other.jsonl.checkpoint.json.tmp").read_bytes() == b"left alone\n"
    checkpoint = Checkpoint.load(other)  # the link was replaced, not followed
    assert checkpoint is not None and checkpoint.complete
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- #10 item 10: ordinary failures are one line and their own exit code -----------------


def test_a_full_disk_is_one_line_exit_3_and_resumes_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "customers.jsonl"
    real_write = os.write
    calls = 0

    def full_disk(fd: int, data: Any) -> int:
        # A real full disk needs a small filesystem mounted (root); this is what the
        # kernel then answers: the third page written in part, then ENOSPC.
        nonlocal calls
        if out.exists() and os.fstat(fd).st_ino == out.stat().st_ino:
            calls += 1
            if calls == 3:
                return real_write(fd, bytes(data)[: len(data) // 2])
            if calls > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    assert _export(out) == 3
    err = _one_line_error(capsys)
    assert f"{out}: No space left on device" in err
    monkeypatch.setattr(os, "write", real_write)
    assert _export(out, "--resume") == 0
    assert _records(out) == _reference("customers")


def test_a_file_size_limit_is_one_line_exit_3_and_resumes_exactly(tmp_path: Path) -> None:
    out = tmp_path / "customers.jsonl"
    argv = ["export", "customers", "--emulator", "--rate-limit", "0", "--quiet"]
    argv += ["--emulator-count", "customers=1000", "--out", str(out)]
    # `ulimit -f`: the kernel refuses writes past the limit with EFBIG (CPython ignores
    # the SIGXFSZ that comes with it).
    launcher = (
        "import resource, runpy, sys; "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000)); "
        "sys.argv = ['seventime-async', *sys.argv[1:]]; "
        "runpy.run_module('seventime_async._cli', run_name='__main__')"
    )
    limited = subprocess.run(
        [sys.executable, "-c", launcher, *argv], env=_env(), capture_output=True, text=True
    )
    assert limited.returncode == 3, limited.stderr
    assert limited.stderr == f"seventime-async: error: {out}: File too large\n"
    checkpoint = Checkpoint.load(out)
    assert checkpoint is not None and 0 < checkpoint.items < 1000
    assert main([*argv, "--resume"]) == 0
    assert _records(out) == _reference("customers", customers=1000)


def test_a_directory_without_write_permission_is_one_line_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    out = folder / "customers.jsonl"
    if os.geteuid() == 0:
        # Root passes permission checks, so reproduce what the kernel tells anyone else.
        real_open = os.open

        def denied(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & os.O_CREAT and Path(os.fsdecode(path)).parent == folder:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", denied)
    try:
        assert _export(out) == 3
    finally:
        folder.chmod(0o755)
    assert f"{out}: Permission denied" in _one_line_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize("key", ["emulator-key\n", "emulator-key\r\n", "emu\x1b[2Jlator"])
def test_a_key_with_a_control_character_is_one_line_exit_2_and_not_shown(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
) -> None:
    monkeypatch.setenv("SEVENTIME_API_KEY", key)
    out = tmp_path / "customers.jsonl"
    argv = ["export", "customers", "--base-url", "http://127.0.0.1:9/api/1", "--out", str(out)]
    assert main(argv) == 2
    err = _one_line_error(capsys)
    assert "control character" in err and "emulator-key" not in err and "lator" not in err
    assert not out.exists()


# -- #10 item 11: CSV cells that a spreadsheet would run --------------------------------


async def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    risky = {
        "name": '=HYPERLINK("http://evil","x")',
        "city": "+46 Båstad",
        "address": "-2+3",
        "address2": "@SUM(A1)",
        "notes": "\tindented",
        "email": "\rreturn",
        "billingSettings": {"city": "=1+1"},
        "pricePerHour": -150.5,
        "paymentDays": -1,
        "phone": "070-123 45 67",  # a minus inside, not at the start: untouched
    }
    out = tmp_path / "customers.csv"
    async with Emulator(seed=1, customers=3) as emu:
        emu.insert("customers", risky)
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "export",
            "customers",
            "--base-url",
            emu.base_url,
            "--format",
            "csv",
            "--quiet",
            "--out",
            str(out),
            env=_env(SEVENTIME_API_KEY=emu.api_key),
        )
        assert await proc.wait() == 0
    text = out.read_bytes().decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(text, newline="")) if r["name"].startswith("'")]
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == '\'=HYPERLINK("http://evil","x")'
    assert row["city"] == "'+46 Båstad"
    assert row["address"] == "'-2+3"
    assert row["address2"] == "'@SUM(A1)"
    assert row["notes"] == "'\tindented"
    assert row["email"] == "'\rreturn"
    assert row["billingSettings.city"] == "'=1+1"
    assert row["pricePerHour"] == "-150.5"  # JSON numbers are numbers, not formulas
    assert row["paymentDays"] == "-1"
    assert row["phone"] == "070-123 45 67"


async def test_a_hostile_error_message_reaches_the_terminal_on_one_line(tmp_path: Path) -> None:
    async def refuse(request: web.Request) -> web.Response:
        message = "bad filter\x1b[2J\x1b]0;owned\x07\nsecond line"
        return web.json_response({"errorMessage": message}, status=400)

    app = web.Application()
    app.router.add_get("/api/1/customers", refuse)
    async with serving(app) as root:
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "export",
            "customers",
            "--base-url",
            f"{root}/api/1",
            "--out",
            str(tmp_path / "customers.jsonl"),
            env=_env(SEVENTIME_API_KEY="k"),
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
    assert proc.returncode == 1
    text = err.decode()
    assert "\x1b" not in text and "\x07" not in text and "Traceback" not in text
    first = text.splitlines()[0]
    assert first.startswith("seventime-async: BadRequestError: ") and "second line" in first
