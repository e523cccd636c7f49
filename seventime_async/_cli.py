"""``seventime-async``: resumable bulk export, and the emulator, from a shell.

Exit codes: 0 done, 1 API or network error, 2 usage (bad option, bad input, a bad API
key, refusing to overwrite or to write through a symbolic link), 3 a local file problem
(disk full, file too large, permission denied: the checkpoint is saved), 4 a damaged
checkpoint or one that does not describe its output, 5 the output is being written by
another run, 130 interrupted (the checkpoint is saved; ``--resume`` continues).
Every failure is one line on stderr, never a traceback.
The API key is read from ``SEVENTIME_API_KEY`` only, never from an argument, so it
cannot land in shell history or a process listing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import _cli_sync
from ._cli_emulator import add_emulator_options, embedded_emulator
from ._cli_exit import (
    EXIT_API,
    EXIT_BUSY,
    EXIT_CHECKPOINT,
    EXIT_INTERRUPTED,
    EXIT_LOCAL,
    EXIT_OK,
    EXIT_USAGE,
    say,
)
from ._client import (
    API_KEY_ENV,
    DEFAULT_RATE_LIMIT,
    SERVICE_URL,
    SevenTimeClient,
    infer_api_version,
)
from ._endpoints import ENDPOINTS, by_name
from ._errors import SevenTimeError, ValidationError
from ._events import Event, RequestStarted, RetryScheduled
from ._export import CheckpointError, ExportState, export
from ._files import OutputInUseError
from ._requests import filter_params, parse_filters
from ._version import __version__

__all__ = ["main"]

EXIT_CODES = (
    "Exit codes: 0 done, 1 API or network error, 2 usage, 3 local file problem (disk full, "
    "file too large, permission), 4 damaged or mismatched checkpoint, 5 output in use by "
    "another run, 130 interrupted."
)
RESOURCES = [e.name for e in ENDPOINTS]


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return key.strip(), value


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"give a time zone, e.g. {text}Z or {text}+01:00")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seventime-async",
        description="Seven Time API tools: resumable bulk export, and a local emulator.",
        epilog=f"The API key is read from ${API_KEY_ENV}. {EXIT_CODES}",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ex = commands.add_parser(
        "export",
        help="export resources to JSONL or CSV, resumably",
        description="Export every record of one or more resources. A checkpoint beside each "
        "output file makes the export resumable after a crash or Ctrl-C (--resume). The "
        "output is locked while a run writes it (POSIX flock): a second run is refused.",
        epilog=EXIT_CODES,
    )
    ex.add_argument(
        "resources",
        nargs="+",
        choices=RESOURCES,
        metavar="RESOURCE",
        help=f"one or more of: {', '.join(RESOURCES)}",
    )
    ex.add_argument(
        "--out",
        type=Path,
        help="output file (one resource; default RESOURCE.FORMAT) or directory "
        "(several resources; default the current one)",
    )
    ex.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    ex.add_argument(
        "--base-url",
        default=None,
        help=f"the API root (default {SERVICE_URL}/api/VERSION)",
    )
    ex.add_argument(
        "--api-version",
        type=int,
        choices=[1, 2],
        default=None,
        help="1 or 2 (default: the one --base-url ends in, else 1); v2 is the live API",
    )
    ex.add_argument("--concurrency", type=int, default=1, help="partitions walked at once")
    ex.add_argument(
        "--rate-limit",
        type=float,
        default=DEFAULT_RATE_LIMIT,
        help="requests per second (0: unlimited); default 4, the service's limit",
    )
    ex.add_argument(
        "--filter",
        type=_key_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a documented filter, e.g. city=Båstad (repeatable)",
    )
    since = ex.add_mutually_exclusive_group()
    since.add_argument(
        "--since",
        type=_timestamp,
        metavar="TIMESTAMP",
        help="only records modified since this ISO 8601 time, e.g. 2026-11-01T00:00Z "
        "(v2 families with lastModified)",
    )
    since.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="incremental runs: export what changed since the last complete run of each "
        "family, as kept in FILE (created on the first run, which exports everything)",
    )
    ex.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    ex.add_argument("--force", action="store_true", help="overwrite an existing output file")
    ex.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="write through a symbolic link at the output path (refused by default)",
    )
    ex.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    add_emulator_options(ex, "export")

    _cli_sync.add_parser(commands)
    serve = commands.add_parser(
        "emulator",
        help="serve the emulator on 127.0.0.1",
        description="Serve an emulated Seven Time API on loopback, with generated data.",
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--api-key", default=None, help="the key to accept (default: random)")
    serve.add_argument("--latency", type=float, default=0.0, metavar="SECONDS")
    serve.add_argument("--fault-rate", type=float, default=0.0, help="share of requests to fail")
    serve.add_argument("--api-version", type=int, choices=(1, 2), default=1, help="URL printed")
    serve.add_argument("--rate-limit", type=int, default=None, metavar="R", help="429 beyond R/s")
    for endpoint in ENDPOINTS:
        if endpoint.name != "user_roles":
            serve.add_argument(
                f"--{endpoint.name.replace('_', '-')}",
                type=int,
                metavar="N",
                help=argparse.SUPPRESS
                if endpoint.name != "customers"
                else "items to generate (likewise --work-orders, --invoices, ...)",
            )
    return parser


# -- progress ------------------------------------------------------------------------------


class _Progress:
    """Counts requests, retries, pages and items; draws a bar when stderr is a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.requests = self.retries = self.pages = self.items = 0
        self.started = time.monotonic()
        self._shown_from = 0  # items counted before the bar now shown began
        self._total: int | None = None
        self._bar: Any = None
        self._task: Any = None
        self._enabled = not quiet and sys.stderr.isatty()

    def event(self, event: Event) -> None:
        if isinstance(event, RequestStarted):
            self.requests += 1
        elif isinstance(event, RetryScheduled):
            self.retries += 1
        self._refresh()

    def page(self, items: int, total: int | None = None) -> None:
        self.pages += 1
        self.items += items
        self._total = total if total is not None else self._total
        self._refresh()

    def _refresh(self) -> None:
        if self._bar is not None:
            elapsed = max(time.monotonic() - self.started, 1e-9)
            done = self.items - self._shown_from
            self._bar.update(
                self._task,
                completed=done,
                total=self._total,
                of="" if self._total is None else f" of {self._total:,}",
                pages=self.pages,
                rate=self.items / elapsed,
                retries=self.retries,
            )

    @contextlib.contextmanager
    def showing(self, label: str) -> Iterator[None]:
        if not self._enabled:
            yield
            return
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
        except ImportError:  # rich is the [cli] extra; without it, no bar
            yield
            return
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn(
                "{task.completed:,}{task.fields[of]} items · {task.fields[pages]} pages · "
                "{task.fields[rate]:,.0f}/s · {task.fields[retries]} retries"
            ),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            self._bar = bar
            self._shown_from, self._total = self.items, None
            self._task = bar.add_task(label, total=None, of="", pages=0, rate=0.0, retries=0)
            try:
                yield
            finally:
                self._refresh()
                self._bar = None


# -- commands ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _source(args: argparse.Namespace) -> AsyncIterator[tuple[str | None, str]]:
    """(base_url, api_key): the embedded emulator's, or the configured API's."""
    if args.emulator:
        version = infer_api_version(args.base_url, args.api_version)
        async with embedded_emulator(args) as emu:
            yield emu.url(version), emu.api_key
        return
    key = os.environ.get(API_KEY_ENV)
    if not key:
        raise ValidationError(
            f"set {API_KEY_ENV} to your API key (it is never taken as an argument), "
            "or add --emulator to try the embedded emulator"
        )
    yield args.base_url, key


def _targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    names = list(dict.fromkeys(args.resources))
    suffix = args.format
    if len(names) == 1 and (args.out is None or not args.out.is_dir()):
        return [(names[0], args.out or Path(f"{names[0]}.{suffix}"))]
    folder = args.out or Path()
    if not folder.is_dir():
        raise ValidationError(f"with several resources --out must be a directory: {folder}")
    return [(name, folder / f"{name}.{suffix}") for name in names]


def _resume_hint(argv: Sequence[str]) -> str:
    words = ["seventime-async", *argv]
    if "--resume" not in words:
        words.append("--resume")
    return shlex.join(w for w in words if w != "--force")


def _family_filters(
    args: argparse.Namespace, name: str, state: ExportState | None
) -> dict[str, str]:
    """The text filters of one family's export, ``modified_since`` included; checked
    against the family's filters before any output is written."""
    endpoint = by_name(name)
    api = endpoint.api(infer_api_version(args.base_url, args.api_version))
    texts = dict(args.filter)
    since = args.since if state is None else state.since(name)
    if (args.since is not None or state is not None) and not api.incremental:
        incremental = [e.name for e in ENDPOINTS if (v := e.spec(2)) and v.incremental]
        raise ValidationError(
            f"{name} cannot be exported incrementally: the API has lastModified only on "
            f"{', '.join(incremental)} (v2)"
        )
    if since is not None:
        texts["modified_since"] = since.isoformat()
    filter_params(endpoint, api, parse_filters(endpoint, api, texts))
    return texts


async def _export(args: argparse.Namespace, argv: Sequence[str]) -> int:
    if args.concurrency < 1:
        raise ValidationError("--concurrency must be at least 1")
    targets = _targets(args)
    state = None if args.state is None else ExportState.load(args.state)
    # Every family's query is checked before any output is written.
    queries = {name: _family_filters(args, name, state) for name, _ in targets}
    progress = _Progress(args.quiet)
    async with (
        _source(args) as (base_url, key),
        SevenTimeClient(
            key,
            base_url=base_url,
            api_version=args.api_version,
            rate_limit=args.rate_limit or None,
            max_concurrency=max(8, args.concurrency),
            events=progress.event,
        ) as client,
    ):
        for name, path in targets:
            started = datetime.now(UTC)
            with progress.showing(f"{name} -> {path}"):
                result = await export(
                    getattr(client, name),
                    path,
                    fmt=args.format,
                    filters=queries[name],
                    concurrency=args.concurrency,
                    resume=args.resume,
                    force=args.force,
                    follow_symlinks=args.follow_symlinks,
                    on_page=progress.page,
                )
            if state is not None:
                state.advance(name, started)
            if not args.quiet:
                print(
                    f"{name}: {result.items:,} records in {path}"
                    + ("" if result.added == result.items else f" ({result.added:,} this run)"),
                    file=sys.stderr,
                )
    if not args.quiet:
        elapsed = time.monotonic() - progress.started
        print(
            f"done: {progress.items:,} items, {progress.requests:,} requests, "
            f"{progress.retries:,} retries, {elapsed:.1f} s",
            file=sys.stderr,
        )
    return EXIT_OK


async def _serve(args: argparse.Namespace) -> int:
    from .emulator import Emulator, Faults

    counts: dict[str, Any] = {
        e.name: getattr(args, e.name) for e in ENDPOINTS if getattr(args, e.name, None)
    }
    emu = Emulator(
        seed=args.seed,
        api_key=args.api_key,
        port=args.port,
        latency=args.latency,
        faults=Faults(rate=args.fault_rate),
        api_version=args.api_version,
        rate_limit=args.rate_limit,
        **counts,
    )
    await emu.start()
    print(
        f"Seven Time emulator on {emu.base_url}\n"
        f"  export SEVENTIME_API_KEY={emu.api_key}\n"
        f"  seventime-async export customers --base-url {emu.base_url}\n"
        "Ctrl-C to stop.",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await emu.close()
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    """Say ``message`` (one line, escaped) and return ``code``."""
    say(message)
    return code


def _file_problem(error: OSError) -> str:
    if error.strerror is None:
        return str(error)
    return f"{error.filename}: {error.strerror}" if error.filename else error.strerror


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)  # exits 2 on a usage error
    if args.command == "sync":
        return _cli_sync.main(args)
    command = _export(args, argv) if args.command == "export" else _serve(args)
    try:
        return asyncio.run(command)
    except KeyboardInterrupt:
        if args.command != "export":
            return EXIT_OK  # Ctrl-C is how a served emulator is meant to stop
        print(
            f"\ninterrupted; the checkpoint is saved. Resume with:\n  {_resume_hint(argv)}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except OutputInUseError as error:
        return _fail(f"error: {error}", EXIT_BUSY)
    except CheckpointError as error:
        return _fail(f"error: {error}", EXIT_CHECKPOINT)
    except ValidationError as error:
        return _fail(f"error: {error}", EXIT_USAGE)
    except SevenTimeError as error:
        _fail(f"{type(error).__name__}: {error}", EXIT_API)
        if error.cursor:
            print(f"resume with:\n  {_resume_hint(argv)}", file=sys.stderr)
        return EXIT_API
    except OSError as error:
        return _fail(f"error: {_file_problem(error)}", EXIT_LOCAL)


if __name__ == "__main__":
    sys.exit(main())
