"""``seventime-async sync``: keep a database current with one account or many.

Exit codes as for ``export``: 0 done (with ``--accounts``, an account another worker
holds is left to it), 1 API or network error, 2 usage, 3 database problem, 5 the one
account is being synced by another run, 130 interrupted (the next run resumes from the
last page written).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs

from ._cli_emulator import add_emulator_options, embedded_emulator
from ._cli_exit import (
    EXIT_API,
    EXIT_BUSY,
    EXIT_INTERRUPTED,
    EXIT_LOCAL,
    EXIT_OK,
    EXIT_USAGE,
    say,
)
from ._client import API_KEY_ENV
from ._errors import SevenTimeError, ValidationError
from ._sync import (
    DEFAULT_FULL_EVERY,
    Account,
    AccountsReport,
    PostgresStore,
    SqliteStore,
    Store,
    StoreError,
    SyncError,
    SyncProgress,
    SyncResult,
    load_accounts,
    sync_accounts,
)

__all__ = ["add_parser", "main", "run", "store_for"]

DEFAULT_DB = "sqlite:///seventime.sqlite"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected a duration like 30m, 24h or 7d, got {text!r}")
    try:
        return timedelta(seconds=float(match[1]) * _UNITS[match[2]])
    except OverflowError:
        raise argparse.ArgumentTypeError(f"duration {text!r} is too long") from None


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``sync`` command to the CLI's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "sync",
        help="keep a database (SQLite or PostgreSQL) current, incrementally",
        description="Copy every family of one account (or of every account in --accounts) "
        "into a database, then keep it current: later runs fetch only what changed where "
        "the API allows, re-scan the rest, and mark deleted records. Safe to kill: the "
        "next run resumes from the last page written.",
    )
    parser.add_argument(
        "families", nargs="*", metavar="FAMILY", help="families to sync (default: every one)"
    )
    parser.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"sqlite:///PATH or postgresql://... (default {DEFAULT_DB})",
    )
    parser.add_argument("--full", action="store_true", help="full scans now, deletions included")
    parser.add_argument(
        "--full-every",
        type=_duration,
        default=DEFAULT_FULL_EVERY,
        metavar="DURATION",
        help="full scan of incremental families when the last is older (default 24h)",
    )
    parser.add_argument(
        "--accounts",
        type=Path,
        metavar="FILE",
        help="TOML file of accounts (name, key_env, api_version); keys stay in the environment",
    )
    parser.add_argument("--account", default="default", help="the account's name in the database")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--api-version", type=int, choices=[1, 2], default=None)
    parser.add_argument(
        "--rate-limit", type=float, default=None, help="requests per second per account"
    )
    parser.add_argument("--parallel", type=int, default=None, help="accounts synced at once")
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary")
    add_emulator_options(parser, "sync")
    return parser


def store_for(url: str) -> Store:
    """The store a ``--db`` URL names."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise ValidationError("--db must be sqlite:///PATH or postgresql://...")


# -- progress ------------------------------------------------------------------------------


class _Progress:
    """A bar per family (one account) or per account (many), when stderr is a terminal."""

    def __init__(self, enabled: bool, per_account: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._per_account = per_account
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._items: dict[tuple[str, str], int] = {}
        self._totals: dict[tuple[str, str], int | None] = {}

    def __call__(self, event: SyncProgress) -> None:
        if self._bar is None:
            return
        where = (event.account, event.family)
        # v1 sends no total: a finished walk's count is its total, so its bar completes.
        known = event.items if event.done and event.total is None else event.total
        self._items[where], self._totals[where] = event.items, known
        label = event.account if self._per_account else event.family
        rows = [w for w in self._items if (w[0] if self._per_account else w[1]) == label]
        totals = [self._totals[w] for w in rows]
        total = None if None in totals else sum(t or 0 for t in totals)
        if label not in self._tasks:
            self._tasks[label] = self._bar.add_task(label, total=total)
        self._bar.update(
            self._tasks[label], completed=sum(self._items[w] for w in rows), total=total
        )

    @contextlib.contextmanager
    def showing(self) -> Iterator[None]:
        bar = _rich_bar() if self._enabled else None
        if bar is None:
            yield
            return
        with bar:
            self._bar = bar
            try:
                yield
            finally:
                self._bar = None


def _rich_bar() -> Any:
    """A rich progress display on stderr, or None without rich (the [cli] extra)."""
    try:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    except ImportError:
        return None
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True))


def _summary(result: SyncResult) -> Iterator[str]:
    for name, family in result.families.items():
        yield (
            f"{result.account}/{name}: {family.kind}"
            + (" (resumed)" if family.resumed else "")
            + f", {family.fetched:,} fetched: {family.created:,} new, "
            f"{family.updated:,} changed, {family.deleted:,} deleted"
        )
    for name, why in result.skipped.items():
        yield f"{result.account}/{name}: skipped: it {why}"


# -- the command ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _accounts(
    args: argparse.Namespace,
) -> AsyncIterator[tuple[list[Account], Mapping[str, str] | None]]:
    """The accounts to sync, and where their keys are (None: the environment)."""
    if args.accounts is not None:
        accounts = load_accounts(args.accounts)
    else:
        accounts = [Account(args.account, API_KEY_ENV, args.api_version, args.base_url)]
    if not args.emulator:
        if args.accounts is None and not os.environ.get(API_KEY_ENV):
            raise ValidationError(
                f"set {API_KEY_ENV} to your API key (it is never taken as an argument), "
                "or add --accounts FILE, or --emulator to try the embedded emulator"
            )
        yield accounts, None
        return
    names = [a.name for a in accounts] if args.accounts is not None else []
    async with embedded_emulator(args, names) as emu:
        keys = {a.key_env: emu.api_key_for(a.name) if names else emu.api_key for a in accounts}
        yield [attrs.evolve(a, base_url=emu.url(a.version)) for a in accounts], keys


async def run(args: argparse.Namespace) -> int:
    """Run ``sync`` with parsed arguments; the exit code."""
    if args.parallel is not None and args.parallel < 1:
        raise ValidationError("--parallel must be at least 1")
    store = store_for(args.db)
    progress = _Progress(not args.quiet, per_account=args.accounts is not None)
    options = {} if args.rate_limit is None else {"rate_limit": args.rate_limit or None}
    async with _accounts(args) as (accounts, environ), store:
        with progress.showing():
            report = await sync_accounts(
                accounts,
                store,
                args.families or None,
                args.full,
                environ=environ,
                client_options=options,
                parallel=args.parallel,
                full_every=args.full_every,
                progress=progress,
            )
    return _report(report, args.quiet, shared=args.accounts is not None)


def _report(report: AccountsReport, quiet: bool, shared: bool) -> int:
    """Print the summary; the exit code. Workers sharing an accounts file skip each
    other's accounts as a matter of course; a lone account held elsewhere is news."""
    if not quiet:
        for result in report.synced.values():
            for line in _summary(result):
                print(line, file=sys.stderr)
        for name in report.busy:
            print(f"{name}: another worker is syncing it; left to that one", file=sys.stderr)
    for name, error in report.failed.items():
        say(f"{name}: {type(error).__name__}: {error}")
    if any(_is_store_problem(e) for e in report.failed.values()):
        return EXIT_LOCAL
    if report.failed:
        return EXIT_API
    return EXIT_BUSY if report.busy and not shared else EXIT_OK


def _is_store_problem(error: SevenTimeError) -> bool:
    if isinstance(error, SyncError):
        return any(isinstance(e, StoreError) for e in error.errors.values())
    return isinstance(error, StoreError)


def main(args: argparse.Namespace) -> int:
    """``run`` under ``asyncio.run``, every outcome an exit code."""
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        print("\ninterrupted; the next run resumes from the last page written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ValidationError as error:
        say(f"error: {error}")
        return EXIT_USAGE
    except StoreError as error:
        say(f"database: {error}")
        return EXIT_LOCAL
    except SevenTimeError as error:
        say(f"{type(error).__name__}: {error}")
        return EXIT_API
