"""A real PostgreSQL server for the session, started and stopped here.

Debian's ``postgresql`` package provides the binaries (``.ci/run`` installs it). As root,
the server runs as the ``postgres`` user, which PostgreSQL insists on. It listens on
127.0.0.1 on a free port, its socket in its own temporary directory, with ``fsync`` off:
the tests kill sync clients, never the server. Without binaries the PostgreSQL tests skip
on a developer's machine and fail in CI (``CI`` set), where a skip would hide them.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    on_path = shutil.which("initdb")
    for candidate in [*found, *([on_path] if on_path else [])]:
        return Path(candidate).parent
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The DSN of a fresh PostgreSQL server's ``postgres`` database (user postgres)."""
    binaries = _binaries()
    if binaries is None:
        _unavailable("initdb not found (apt-get install postgresql)")
        raise AssertionError  # unreachable: skip or fail raised
    as_postgres: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="seventime-pg-"))
    if os.geteuid() == 0:
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(home, "postgres", "postgres")
    data, log = home / "data", home / "server.log"
    port = _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {home} -c fsync=off -c max_connections=200"

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=120)

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", "--no-instructions")  # fmt: skip
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
            "start")  # fmt: skip
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        server_log = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(home, ignore_errors=True)
        _unavailable(f"{error}: {detail.decode(errors='replace')} {server_log}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(home, ignore_errors=True)


_databases = itertools.count()


@pytest.fixture
def postgres(postgres_server: str) -> str:
    """The DSN of a new, empty database on the session's server."""
    name = f"test_{os.getpid()}_{next(_databases)}"
    binaries = _binaries()
    assert binaries is not None
    subprocess.run(
        [str(binaries / "createdb"), f"--maintenance-db={postgres_server}", name],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return postgres_server.rsplit("/", 1)[0] + "/" + name


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def execute_script(url: str, sql: str) -> None:
    """Run SQL statements with the database's own tools, not the code under test."""
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(_sqlite_path(url))) as db:
            db.executescript(sql)
        return
    binaries = _binaries()
    assert binaries is not None
    subprocess.run(
        [str(binaries / "psql"), "-d", url, "-v", "ON_ERROR_STOP=1", "-q"],
        input=sql.encode(),
        check=True,
        capture_output=True,
        timeout=60,
    )


def dump(url: str) -> str:
    """The whole database as text: every table, every row."""
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(_sqlite_path(url))) as db:
            return "\n".join(db.iterdump())
    binaries = _binaries()
    assert binaries is not None
    done = subprocess.run(
        [str(binaries / "pg_dump"), "-d", url], check=True, capture_output=True, timeout=60
    )
    return done.stdout.decode()
