"""How values are spelled on the wire (pure; no cattrs, no aiohttp).

The one place for the API's names and text forms: camelCase keys, the timestamp form the
server prints, and how a scalar travels in a query string or a form body. The converter,
the request builders, the planners and the emulator all use these, so a value is spelled
one way everywhere.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "camel",
    "format_date",
    "format_datetime",
    "format_timestamp",
    "printable",
    "scalar_text",
    "unsafe_char",
]


def camel(name: str) -> str:
    """``zip_code`` -> ``zipCode``: the wire name of a snake_case attribute."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def format_timestamp(value: datetime) -> str:
    """The API's timestamp form (JavaScript's ``toISOString``) for UTC values; other
    offsets keep theirs (ISO 8601), so nothing is silently shifted."""
    offset = value.utcoffset()
    if offset is None or offset:
        return value.isoformat()
    micro = value.microsecond
    fraction = f"{micro // 1000:03d}" if micro % 1000 == 0 else f"{micro:06d}"
    return f"{value:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


def format_date(value: date) -> str:
    """``YYYY-MM-DD``: how v2 date filters and date fields are written."""
    return f"{value:%Y-%m-%d}"


def format_datetime(value: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC: the documented date-time parameter form.

    The reference documents no time zone for date-time parameters (digest §1.9), so an
    aware value is converted to UTC, the zone every response is in. A naive value is
    refused by the caller before it gets here.
    """
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def scalar_text(value: Any) -> str:
    """How one scalar travels in a query string or form body."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def unsafe_char(char: str) -> bool:
    """Whether ``char`` must not reach a terminal, a log line or a header as it is:
    control, format (bidi overrides), surrogate, private and unassigned characters, and
    line or paragraph separators. Ordinary spaces of every width are safe."""
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp")


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, limit: int | None = None) -> str:
    """``text`` safe to print on one line: unsafe characters (ANSI escapes, newlines,
    bidi overrides) shown escaped, and at most ``limit`` characters kept, the cut marked."""
    cut = 0 if limit is None else len(text) - limit
    kept = text[:limit] if cut > 0 else text
    safe = "".join(_escaped(c) if unsafe_char(c) else c for c in kept)
    return f"{safe}... [{cut} more characters cut]" if cut > 0 else safe
