"""The commands' exit codes and their one-line failure messages, shared by ``export``,
``sync`` and ``emulator`` so that a script reads every command's outcome the same way."""

from __future__ import annotations

import sys

from ._wire import printable

__all__ = [
    "EXIT_API",
    "EXIT_BUSY",
    "EXIT_CHECKPOINT",
    "EXIT_INTERRUPTED",
    "EXIT_LOCAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "say",
]

EXIT_OK = 0
EXIT_API = 1  # the API or the network
EXIT_USAGE = 2  # a bad option or input
EXIT_LOCAL = 3  # a local file or database problem
EXIT_CHECKPOINT = 4  # an export checkpoint that does not describe its file
EXIT_BUSY = 5  # another run holds the output or the account
EXIT_INTERRUPTED = 130


def say(message: str) -> None:
    """Print ``message`` as one line on stderr, control characters (a server's message,
    a file name) shown escaped."""
    print(f"seventime-async: {printable(message)}", file=sys.stderr)
