"""``--emulator`` for the CLI's commands: its options, and the emulator they describe."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .emulator import Emulator

__all__ = ["add_emulator_options", "embedded_emulator"]


def _count(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=N, got {text!r}")
    return name.strip(), int(value)


def add_emulator_options(parser: argparse.ArgumentParser, verb: str) -> None:
    """The ``--emulator`` group of a command that ``verb``\\s from it."""
    emu = parser.add_argument_group("embedded emulator (no API key needed)")
    emu.add_argument("--emulator", action="store_true", help=f"{verb} from an in-process emulator")
    emu.add_argument("--emulator-seed", type=int, default=1)
    emu.add_argument("--emulator-latency", type=float, default=0.0, metavar="SECONDS")
    emu.add_argument(
        "--emulator-count",
        type=_count,
        action="append",
        default=[],
        metavar="NAME=N",
        help="items to generate, e.g. customers=25000",
    )


@contextlib.asynccontextmanager
async def embedded_emulator(
    args: argparse.Namespace, accounts: Sequence[str] = ()
) -> AsyncIterator[Emulator]:
    """The emulator the ``--emulator`` options describe, running; with ``accounts``, one
    generated account (and key) for each name, all of the counts given."""
    from .emulator import Emulator

    counts = dict(args.emulator_count)
    served: dict[str, dict[str, int]] | None = {name: {} for name in accounts} or None
    async with Emulator(
        seed=args.emulator_seed, latency=args.emulator_latency, accounts=served, **counts
    ) as emu:
        yield emu
