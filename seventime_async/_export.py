"""Bulk export to JSONL or CSV with a crash-safe checkpoint (used by the CLI).

After every page the records are written, flushed and fsynced, and only then is the
checkpoint replaced atomically: the walk's cursor after the last record on disk, and
the file's size at that point. A run killed at any instant leaves a checkpoint that is
at most one page behind the file; ``resume`` truncates the file to the checkpoint's
offset and continues from its cursor, so every record ends up in the file exactly once.
"""

from __future__ import annotations

import csv
import io
import os
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import orjson

from ._converter import entity_fields
from ._entities import Entity, cached_per_class
from ._errors import ValidationError
from ._resources import Resource

__all__ = ["Checkpoint", "ExportResult", "csv_columns", "export", "flatten"]

_BOM = "\ufeff".encode()
_VERSION = 1


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
        target = self.path_for(out)
        temporary = target.with_name(target.name + ".tmp")
        with open(temporary, "wb") as handle:
            handle.write(orjson.dumps(attrs.asdict(self), option=orjson.OPT_INDENT_2))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)  # atomic: a reader sees the old or the new, never half

    @classmethod
    def load(cls, out: Path) -> Checkpoint | None:
        try:
            data = orjson.loads(cls.path_for(out).read_bytes())
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            raise ValidationError(f"the checkpoint beside {out} is damaged") from None
        if data.get("version") != _VERSION:
            raise ValidationError(f"the checkpoint beside {out} is of another version")
        return cls(**data)


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
        return value
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


async def export(
    resource: Resource[Any],
    out: Path,
    *,
    fmt: str = "jsonl",
    filters: Mapping[str, str] | None = None,
    concurrency: int = 1,
    resume: bool = False,
    force: bool = False,
    on_page: Callable[[int], None] | None = None,
) -> ExportResult:
    """Export every record of ``resource`` matching ``filters`` to ``out``."""
    if fmt not in ("jsonl", "csv"):
        raise ValidationError(f"format must be jsonl or csv, got {fmt!r}")
    filters = dict(filters or {})
    name = resource.endpoint.name
    checkpoint = Checkpoint.load(out) if resume else None
    if checkpoint is not None:
        if (checkpoint.resource, checkpoint.format, checkpoint.filters) != (name, fmt, filters):
            raise ValidationError(
                f"the checkpoint beside {out} is for {checkpoint.resource} as "
                f"{checkpoint.format} with filters {checkpoint.filters}; resume with those"
            )
        if checkpoint.complete:
            return ExportResult(out, checkpoint.items, 0, True)
    elif out.exists() and not force:  # noqa: ASYNC240
        hint = (
            "--resume to continue it"
            if Checkpoint.path_for(out).exists()
            else "--force to overwrite"
        )
        raise ValidationError(f"{out} exists; use {hint}")

    columns = csv_columns(resource.endpoint.entity)
    query: dict[str, Any] = dict(filters)
    walk = resource.iter_raw(
        concurrency=concurrency, cursor=checkpoint.cursor if checkpoint else None, **query
    )
    items = checkpoint.items if checkpoint else 0
    added = 0
    # Plain blocking writes, on purpose: one page at a time, and the order of record
    # writes and checkpoint writes is the crash-safety guarantee.
    with open(out, "r+b" if checkpoint else "wb") as handle:  # noqa: ASYNC230
        if checkpoint:
            handle.truncate(checkpoint.offset)  # drop whatever a crash left past the checkpoint
            handle.seek(checkpoint.offset)
        elif fmt == "csv":
            handle.write(_BOM + _csv_line(columns))
        if not checkpoint:
            Checkpoint(name, fmt, filters, walk.cursor, handle.tell(), 0).save(out)
        async for page in walk.pages():
            if fmt == "jsonl":
                chunk = b"".join(orjson.dumps(record) + b"\n" for record in page)
            else:
                chunk = b"".join(_csv_line(flatten(record, columns)) for record in page)
            handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
            items += len(page)
            added += len(page)
            Checkpoint(name, fmt, filters, walk.cursor, handle.tell(), items).save(out)
            if on_page is not None:
                on_page(len(page))
        Checkpoint(name, fmt, filters, walk.cursor, handle.tell(), items, complete=True).save(out)
    return ExportResult(out, items, added, True)
