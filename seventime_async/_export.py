"""Bulk export to JSONL or CSV with a crash-safe checkpoint (used by the CLI).

The output is locked for the whole run (a second writer is refused) and never written
through a symbolic link. After every page the records are written and fsynced, and only
then is the checkpoint replaced atomically: the walk's cursor after the last record on
disk, and the file's size at that point. A run killed at any instant leaves a checkpoint
that is at most one page behind the file; ``resume`` checks the checkpoint against the
file, truncates the file to the checkpoint's offset and continues from its cursor, so
every record ends up in the file exactly once. A checkpoint that does not describe its
file (the file gone, shorter, or changed) raises :class:`CheckpointError`, never success.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import orjson

from ._converter import entity_fields
from ._endpoints import INCREMENTAL_OVERLAP
from ._entities import Entity, cached_per_class
from ._errors import SevenTimeError, ValidationError
from ._files import open_locked, read_nofollow, replace_atomically, write_all
from ._requests import parse_filters
from ._resources import Resource
from ._wire import format_timestamp

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "ExportResult",
    "ExportState",
    "csv_columns",
    "export",
    "flatten",
]

_BOM = "\ufeff".encode()
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# injection"); such text gets a leading apostrophe, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_VERSION = 1


class CheckpointError(SevenTimeError):
    """The checkpoint beside an output is damaged, or does not describe that file."""


# The checkpoint's keys and their exact JSON types (JSON true is not an offset).
_TYPES = {
    "resource": str,
    "format": str,
    "filters": dict,
    "cursor": str,
    "offset": int,
    "items": int,
    "complete": bool,
    "version": int,
}


def _start_over(out: Path) -> str:
    return f"start over with --force (without --resume) to export {out.name} again"


@attrs.frozen
class Checkpoint:
    resource: str
    format: str
    filters: dict[str, str]
    cursor: str
    offset: int
    items: int
    complete: bool = False
    version: int = _VERSION

    @staticmethod
    def path_for(out: Path) -> Path:
        return out.with_name(out.name + ".checkpoint.json")

    def save(self, out: Path) -> None:
        data = orjson.dumps(attrs.asdict(self), option=orjson.OPT_INDENT_2)
        replace_atomically(self.path_for(out), data)

    @classmethod
    def load(cls, out: Path) -> Checkpoint | None:
        """The checkpoint beside ``out``, ``None`` if there is none; one of another
        version, or not of this shape, raises :class:`CheckpointError`."""
        path = cls.path_for(out)
        try:
            data = orjson.loads(read_nofollow(path))
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            raise CheckpointError(f"{path} is damaged (not JSON); {_start_over(out)}") from None
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            raise CheckpointError(f"{path} is a symbolic link; not reading it") from None
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise CheckpointError(f"{path} is not a checkpoint of version {_VERSION}")
        if (
            data.keys() != _TYPES.keys()
            or any(type(data[name]) is not kind for name, kind in _TYPES.items())
            or any(type(value) is not str for value in data["filters"].values())
        ):
            raise CheckpointError(f"{path} is damaged (wrong keys or types); {_start_over(out)}")
        return cls(**data)

    def verify(
        self, out: Path, fd: int, query: tuple[str, str, dict[str, str]], header: bytes
    ) -> None:
        """Refuse to resume unless this checkpoint describes the (locked) file ``fd``:
        the same query, an offset within the file at the end of a record, and for a
        complete export, exactly the file's size."""
        path = self.path_for(out)
        if (self.resource, self.format, self.filters) != query:
            raise CheckpointError(
                f"{path} is for {self.resource} as {self.format} with filters "
                f"{self.filters}; resume with those"
            )
        size = os.fstat(fd).st_size
        if self.offset > size or (self.complete and self.offset != size):
            problem = f"says {out.name} holds {self.offset:,} bytes, but it holds {size:,}"
        elif (
            self.items < 0
            or self.offset < len(header)
            or (self.items == 0) != (self.offset == len(header))
        ):
            problem = f"claims {self.items:,} records in {self.offset:,} bytes"
        elif os.pread(fd, len(header), 0) != header:
            problem = f"is for another CSV header than {out.name} starts with"
        elif self.items and os.pread(fd, 1, self.offset - 1) != b"\n":
            problem = f"ends in the middle of a record of {out.name}"
        else:
            return
        raise CheckpointError(f"{path} {problem}; {_start_over(out)}")


@attrs.frozen
class ExportResult:
    path: Path
    items: int  # records in the file at the end
    added: int  # records this run wrote
    complete: bool


# -- CSV flattening ----------------------------------------------------------------------


@cached_per_class
def _flat_columns(entity: type[Entity]) -> list[str]:
    columns: list[str] = []
    hints = typing.get_type_hints(entity)
    for name, wire in entity_fields(entity).items():
        tp = hints[name]
        args = typing.get_args(tp)
        nested = [a for a in args if isinstance(a, type) and issubclass(a, Entity)]
        # Objects flatten into dotted columns; lists and id-or-object references do not.
        if nested and str not in args and typing.get_origin(tp) is not list:
            columns.extend(f"{wire}.{sub}" for sub in _flat_columns(nested[0]))
        else:
            columns.append(wire)
    return columns


def csv_columns(entity: type[Entity]) -> list[str]:
    """The CSV header: the entity's wire names, nested objects flattened with dots, in
    the entity's field order (stable across runs), then ``_extra`` for unknown keys."""
    return [*_flat_columns(entity), "_extra"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return str(value)


def flatten(record: Mapping[str, Any], columns: list[str]) -> list[str]:
    """One CSV row; keys with no column go, as JSON, into the ``_extra`` column."""
    known = set(columns)
    row: dict[str, Any] = {}
    extra: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and any(c.startswith(prefix + ".") for c in known):
            for key, item in value.items():
                walk(f"{prefix}.{key}", item)
        elif prefix in known:
            row[prefix] = value
        else:
            extra[prefix] = value

    for key, value in record.items():
        walk(key, value)
    row["_extra"] = extra or None
    return [_cell(row.get(column)) for column in columns]


# -- the job -----------------------------------------------------------------------------


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _open(
    out: Path, *, resume: bool, force: bool, follow_symlinks: bool
) -> tuple[int, Checkpoint | None]:
    """The output, locked, and the checkpoint to resume from; with no checkpoint the
    output is new or truncated. Nothing is truncated before the lock is held."""
    if resume:
        try:
            fd = open_locked(out, create=False, follow_symlinks=follow_symlinks)
        except FileNotFoundError:
            if Checkpoint.load(out) is not None:
                raise CheckpointError(
                    f"{Checkpoint.path_for(out)} describes an export, but {out} is gone; "
                    f"{_start_over(out)}"
                ) from None
        else:
            try:
                checkpoint = Checkpoint.load(out)  # read under the lock: nobody changes it
                if checkpoint is not None:
                    return fd, checkpoint
                if not force:
                    raise ValidationError(f"{out} exists and has no checkpoint; use --force")
                os.ftruncate(fd, 0)
            except BaseException:
                os.close(fd)
                raise
            return fd, None
    try:
        fd = open_locked(out, create=True, must_be_new=not force, follow_symlinks=follow_symlinks)
    except FileExistsError:
        hint = (
            "--resume to continue it"
            if Checkpoint.path_for(out).exists()
            else "--force to overwrite"
        )
        raise ValidationError(f"{out} exists; use {hint}") from None
    try:
        os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd, None


@contextlib.contextmanager
def _holding(fd: int, out: Path) -> Iterator[None]:
    """Close ``fd``, releasing its lock, at the end; name ``out`` in an ``OSError`` that
    names no file (``os.write`` does not), for the one line the CLI prints."""
    try:
        yield
    except OSError as error:
        if error.filename is None:
            error.filename = str(out)
        raise
    finally:
        os.close(fd)


async def export(
    resource: Resource[Any],
    out: Path,
    *,
    fmt: str = "jsonl",
    filters: Mapping[str, str] | None = None,
    concurrency: int = 1,
    resume: bool = False,
    force: bool = False,
    follow_symlinks: bool = False,
    on_page: Callable[[int, int | None], None] | None = None,
) -> ExportResult:
    """Export every record of ``resource`` matching ``filters`` to ``out``.

    ``filters`` are text, as given on a command line and kept in the checkpoint
    (``modified_since`` as ISO 8601 with an offset); ``on_page`` receives each page's
    size and the walk's total, once the server has said it (v2).

    Raises :class:`~seventime_async._files.OutputInUseError` while another run writes
    ``out``, :class:`CheckpointError` when resuming from a checkpoint that does not
    describe ``out``, :class:`ValidationError` for refusals (an existing file without
    ``force``, a symbolic link without ``follow_symlinks``), and ``OSError`` naming the
    file when the disk is full, the file too large or the directory not writable.
    """
    if fmt not in ("jsonl", "csv"):
        raise ValidationError(f"format must be jsonl or csv, got {fmt!r}")
    name, filters = resource.endpoint.name, dict(filters or {})
    columns = csv_columns(resource.endpoint.entity)
    header = _BOM + _csv_line(columns) if fmt == "csv" else b""
    fd, checkpoint = _open(out, resume=resume, force=force, follow_symlinks=follow_symlinks)
    with _holding(fd, out):
        if checkpoint is not None:
            checkpoint.verify(out, fd, (name, fmt, filters), header)
            if checkpoint.complete:
                return ExportResult(out, checkpoint.items, 0, True)
        try:
            walk = resource.iter_raw(
                concurrency=concurrency,
                cursor=checkpoint.cursor if checkpoint else None,
                **parse_filters(resource.endpoint, resource.api, filters),
            )
        except ValidationError as error:
            if checkpoint is None:
                raise
            raise CheckpointError(f"{Checkpoint.path_for(out)}: {error}") from None
        # Plain blocking writes, on purpose: one page at a time, and the order of record
        # writes and checkpoint writes is the crash-safety guarantee.
        if checkpoint is None:
            items = 0
            write_all(fd, header)
            os.fsync(fd)  # the first checkpoint counts the header: it must be on disk
            offset = len(header)
            Checkpoint(name, fmt, filters, walk.cursor, offset, items).save(out)
        else:
            items, offset = checkpoint.items, checkpoint.offset
            os.ftruncate(fd, offset)  # drop whatever a crash left past the checkpoint
            os.lseek(fd, offset, os.SEEK_SET)
        added = 0
        # Closed on any error too, so no prefetch is left running against a closed client.
        async with contextlib.aclosing(walk):
            async for page in walk.pages():
                if fmt == "jsonl":
                    chunk = b"".join(orjson.dumps(record) + b"\n" for record in page)
                else:
                    chunk = b"".join(_csv_line(flatten(record, columns)) for record in page)
                write_all(fd, chunk)
                os.fsync(fd)
                offset += len(chunk)
                items += len(page)
                added += len(page)
                Checkpoint(name, fmt, filters, walk.cursor, offset, items).save(out)
                if on_page is not None:
                    on_page(len(page), walk.total)
        Checkpoint(name, fmt, filters, walk.cursor, offset, items, complete=True).save(out)
    return ExportResult(out, items, added, True)


# -- incremental runs --------------------------------------------------------------------


class ExportState:
    """High-water marks for nightly incremental exports (``--state FILE``).

    A family's mark is the time its last complete export *started*, less
    :attr:`OVERLAP`; the next run asks for what was modified since then. Started, not
    finished, because a record changed during a walk may already have been passed; the
    overlap covers clock skew between this host and the server and writes still being
    committed. The reference documents no time zone for ``lastModified``: it is sent in
    UTC, and a server that read it as Swedish local time would only widen the window.
    A record inside the overlap is exported again by the next run (each file still holds
    each id once): overlap costs a few duplicates across runs, never a lost change.
    """

    OVERLAP = INCREMENTAL_OVERLAP
    _VERSION = 1

    def __init__(self, path: Path, marks: dict[str, datetime]) -> None:
        self.path = path
        self._marks = marks

    @classmethod
    def load(cls, path: Path) -> ExportState:
        try:
            raw = read_nofollow(path)
        except FileNotFoundError:
            return cls(path, {})
        try:
            data = orjson.loads(raw)
            if data.get("version") != cls._VERSION:
                raise ValueError("of another version")
            marks = {family: datetime.fromisoformat(text) for family, text in data["since"].items()}
            if any(mark.utcoffset() is None for mark in marks.values()):
                raise ValueError("with a time that has no offset")
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"the state file {path} is damaged ({e})") from None
        return cls(path, marks)

    def since(self, family: str) -> datetime | None:
        """Where the next incremental export of ``family`` starts; None: export it all."""
        return self._marks.get(family)

    def advance(self, family: str, started: datetime) -> None:
        """Record a complete export of ``family`` that started at ``started``."""
        self._marks[family] = (started - self.OVERLAP).astimezone(UTC)
        body = {
            "version": self._VERSION,
            "since": {name: format_timestamp(mark) for name, mark in self._marks.items()},
        }
        replace_atomically(self.path, orjson.dumps(body, option=orjson.OPT_INDENT_2))
