"""``seventime-async sync`` from the command line: runs, summaries and exit codes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from seventime_async._cli import main
from seventime_async.emulator import Emulator

CLI = [sys.executable, "-m", "seventime_async._cli", "sync"]


def _rows(path: Path, table: str, where: str = "deleted_at IS NULL") -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            count: int = db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0
    return count


def test_sync_from_the_embedded_emulator_then_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys: list[str] = []
    real_init = Emulator.__init__

    def remember_key(self: Emulator, **options: Any) -> None:
        real_init(self, **options)
        keys.append(self.api_key)

    monkeypatch.setattr(Emulator, "__init__", remember_key)
    db = tmp_path / "seventime.sqlite"
    args = ["sync", "--emulator", "--emulator-count", "customers=250", "--rate-limit", "0"]
    args += ["--db", f"sqlite:///{db}"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "default/customers: full, 250 fetched: 250 new, 0 changed, 0 deleted" in err
    assert "default/contact_persons: skipped: it needs the filter customer_id" in err
    assert _rows(db, "customers") == 250 and _rows(db, "invoices") > 0
    assert main([*args, "customers", "--quiet"]) == 0  # the same seeded data: nothing new
    assert capsys.readouterr().err == ""
    assert len(keys) == 2 and not any(k in err for k in keys)
    with contextlib.closing(sqlite3.connect(db)) as dump:
        assert not any(k in line for line in dump.iterdump() for k in keys)
    assert _rows(db, "customers") == 250 and _rows(db, "customers", "deleted_at IS NOT NULL") == 0


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--db", "mysql://x"], "--db must be sqlite:///PATH or postgresql://"),
        (["customer", "--emulator"], "unknown families"),
        (["contact_persons", "--emulator"], "needs the filter customer_id"),
        ([], "set SEVENTIME_API_KEY"),
        (["--parallel", "0", "--emulator"], "--parallel must be at least 1"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    complaint: str,
) -> None:
    monkeypatch.delenv("SEVENTIME_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["sync", *args]) == 2
    assert complaint in capsys.readouterr().err


def test_a_bad_duration_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["sync", "--full-every", "daily"])
    assert caught.value.code == 2
    assert "expected a duration like 30m, 24h or 7d" in capsys.readouterr().err


def test_a_missing_key_variable_in_the_accounts_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KEY_NOWHERE", raising=False)
    accounts = tmp_path / "accounts.toml"
    accounts.write_text('[[accounts]]\nname = "a"\nkey_env = "KEY_NOWHERE"\napi_version = 2\n')
    assert main(["sync", "--accounts", str(accounts), "--db", f"sqlite:///{tmp_path}/x"]) == 2
    assert "$KEY_NOWHERE is not set" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["missing-folder", "symlink", "postgresql"])
def test_database_problems_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    if where == "missing-folder":
        url = f"sqlite:///{tmp_path}/no/such/folder/x.sqlite"
    elif where == "symlink":
        (tmp_path / "elsewhere.sqlite").touch()
        (tmp_path / "link.sqlite").symlink_to(tmp_path / "elsewhere.sqlite")
        url = f"sqlite:///{tmp_path}/link.sqlite"
    else:
        url = "postgresql://sync:pa55word-not-shown@127.0.0.1:1/nothing"
    assert main(["sync", "--emulator", "--db", url]) == 3
    err = capsys.readouterr().err
    assert "seventime-async: database:" in err and "Traceback" not in err
    assert "pa55word" not in err


def test_ctrl_c_exits_130_and_the_next_run_resumes(tmp_path: Path) -> None:
    db = tmp_path / "seventime.sqlite"
    args = [
        *CLI,
        "customers",
        "--emulator",
        "--emulator-count",
        "customers=3000",
        "--emulator-latency",
        "0.05",
        "--rate-limit",
        "0",
        "--db",
        f"sqlite:///{db}",
    ]
    env = {k: v for k, v in os.environ.items() if k != "SEVENTIME_API_KEY"}
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (db.exists() and _rows(db, "customers") >= 300):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert b"the next run resumes" in err and b"Traceback" not in err
    done = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert b"customers: full (resumed)" in done.stderr
    assert _rows(db, "customers") == 3000


async def test_a_lone_account_synced_elsewhere_exits_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from seventime_async._sync import SqliteStore

    db = tmp_path / "seventime.sqlite"
    async with SqliteStore(db) as store, store.lock_account("default"):
        # Another process: POSIX locks do not conflict within one.
        done = await asyncio.create_subprocess_exec(
            *CLI, "--emulator", "--rate-limit", "0", "--db", f"sqlite:///{db}",
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await done.communicate()
    assert done.returncode == 5, err
    assert b"another worker is syncing it" in err


def test_many_accounts_from_the_embedded_emulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KEY_ACME", "KEY_BETA"):
        monkeypatch.delenv(name, raising=False)  # the emulator's keys stand in
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nname = "acme"\nkey_env = "KEY_ACME"\napi_version = 2\n\n'
        '[[accounts]]\nname = "beta"\nkey_env = "KEY_BETA"\napi_version = 1\n'
    )
    db = tmp_path / "seventime.sqlite"
    argv = ["sync", "customers", "projects", "--accounts", str(accounts), "--emulator"]
    argv += ["--emulator-count", "customers=150", "--rate-limit", "0", "--db", f"sqlite:///{db}"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "acme/customers: full, 150 fetched" in err and "beta/customers: full, 150" in err
    with contextlib.closing(sqlite3.connect(db)) as check:
        rows = check.execute(
            "SELECT account, COUNT(*) FROM customers GROUP BY account ORDER BY account"
        ).fetchall()
    assert rows == [("acme", 150), ("beta", 150)]
    assert main(argv) == 0  # v2's customers and projects now go incrementally
    assert "acme/customers: incremental," in capsys.readouterr().err


def test_a_malformed_postgresql_url_is_a_usage_error_without_its_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for url in [
        "postgresql://u:s3cretpw@127.0.0.1:notaport/db",
        "postgresql://u:s3cretpw@127.0.0.1:99999/db",
        "postgresql://u:s3cretpw@[::1/db",
    ]:
        assert main(["sync", "--emulator", "--db", url]) == 2, url
        err = capsys.readouterr().err
        assert err.startswith("seventime-async: ") and err.count("\n") == 1, err
        assert "PostgreSQL URL" in err and "s3cretpw" not in err


def test_a_duration_too_long_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["sync", "--full-every", "99999999999d"])
    assert caught.value.code == 2
    assert "too long" in capsys.readouterr().err
