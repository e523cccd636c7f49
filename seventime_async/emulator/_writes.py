"""Writes as the emulator checks and applies them: bodies, required fields, casting.

The rules come from the endpoint table's :class:`WriteSpec` (data), but the check is the
emulator's own: it does not call the client's validators, so a mistake in one is caught
by the other instead of being shared (issue #10).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from typing import Any

from .._endpoints import WriteSpec
from .._entities import Entity, entity_fields
from ._store import Collection, Doc, now_stamp

__all__ = [
    "OBJECT_ID",
    "cast_form",
    "check_body",
    "commit_create",
    "commit_delete",
    "commit_update",
]

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
_BLANK = (None, "")
#: Business numbers the server assigns when a create leaves them out, and keeps unique.
_NUMBERS = {
    "customers": "customerNumber",
    "projects": "projectNumber",
    "work_orders": "workOrderNumber",
    "invoices": "invoiceNumber",
}
#: The fields a delete answers with besides ``_id`` (the reference shows a few).
_IDENTIFYING = ("name", "title", "firstName", "lastName", *_NUMBERS.values())


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _gaps(body: Any, path: list[str]) -> bool:
    """Whether a nested rule ``a.b[].c`` is broken: a present parent without its leaf."""
    if not isinstance(body, Mapping):
        return False
    step, rest = path[0], path[1:]
    name = step.removesuffix("[]")
    value = body.get(name)
    if not rest:
        return _blank(value)
    if _blank(value):
        return False  # the parent is optional; only a given one needs its leaf
    if step.endswith("[]") and isinstance(value, list):
        return any(_gaps(item, rest) for item in value)
    return _gaps(value, rest)


def _same(given: Any, wanted: tuple[Any, ...]) -> bool:
    # A form body is text: "1" selects the rule for 1, as the server's cast would.
    return any(given == w or str(given) == str(w) for w in wanted)


def check_body(spec: WriteSpec, body: Mapping[str, Any], *, identified: bool = False) -> str | None:
    """The 400 errorMessage for ``body``, or None when it is acceptable. ``identified``
    writes (update, delete) carry ``_id`` besides the spec's fields."""
    allowed = set(spec.fields.values()) | ({"_id"} if identified else set())
    unknown = sorted(set(body) - allowed)
    if unknown:
        return f"Unknown field(s): {', '.join(unknown)}"
    missing = [
        spec.fields[name] for name in sorted(spec.required) if _blank(body.get(spec.fields[name]))
    ]
    for rule in spec.conditions:
        then, when = spec.fields[rule.then], spec.fields[rule.when]
        cause = body.get(when)
        if not _blank(body.get(then)):
            continue
        if rule.absent:  # one of the two is needed
            if _blank(cause):
                missing.append(f"{then} (required when {when} is not given)")
        elif cause is not None and (not rule.values or _same(cause, rule.values)):
            missing.append(f"{then} (required when {when} is {cause!r})")
    missing += [p for p in spec.required_paths if _gaps(body, p.split("."))]
    if missing:
        return f"Missing required field(s): {', '.join(missing)}"
    return None


_KINDS: dict[type[Entity], dict[str, tuple[str, type[Entity] | None]]] = {}


def _field_kinds(entity: type[Entity]) -> dict[str, tuple[str, type[Entity] | None]]:
    """Wire name -> (scalar kind, nested entity) for casting form text like Mongoose."""
    if entity in _KINDS:
        return _KINDS[entity]
    names = entity_fields(entity)
    out: dict[str, tuple[str, type[Entity] | None]] = {}
    for name, tp in typing.get_type_hints(entity).items():
        if name not in names:
            continue
        args = {tp, *typing.get_args(tp)}
        for arg in args:
            args.update(typing.get_args(arg))
        nested = next((a for a in args if isinstance(a, type) and issubclass(a, Entity)), None)
        kind = (
            "bool"
            if bool in args
            else "int"
            if int in args
            else "float"
            if float in args
            else "str"
        )
        out[names[name]] = (kind, nested if str not in args else None)
    _KINDS[entity] = out
    return out


def cast_form(entity: type[Entity], data: Any) -> Any:
    """Cast form text to the field types of ``entity`` (what the server's schema does)."""
    if isinstance(data, list):
        return [cast_form(entity, item) for item in data]
    if not isinstance(data, dict):
        return data
    kinds = _field_kinds(entity)
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind, nested = kinds.get(key, ("str", None))
        if nested is not None:
            out[key] = cast_form(nested, value)
        elif isinstance(value, str) and kind == "bool" and value in ("true", "false"):
            out[key] = value == "true"
        elif isinstance(value, str) and kind in ("int", "float"):
            try:
                number = float(value)
            except ValueError:
                out[key] = value
            else:
                out[key] = int(number) if kind == "int" or number.is_integer() else number
        else:
            out[key] = value
    return out


def commit_create(coll: Collection, body: Doc, new_id: str) -> Doc | str:
    """Store a new document (numbered and stamped as the server does), or a 400 message."""
    number_field = _NUMBERS.get(coll.endpoint.name)
    if number_field is not None:
        taken = {str(d.get(number_field)) for d in coll.docs.values()}
        if number_field in body:
            if str(body[number_field]) in taken:
                return f"{number_field} {body[number_field]} is already in use"
        else:
            following = max((int(t) for t in taken if t.isdigit()), default=1000) + 1
            body[number_field] = following if number_field == "workOrderNumber" else str(following)
    now = now_stamp()
    doc = {"_id": new_id, **body, coll.created_field: now, "modifiedDate": now, "__v": 0}
    coll.docs[new_id] = doc
    coll.touch()
    return doc


def commit_update(coll: Collection, item_id: str, changes: Mapping[str, Any]) -> Doc:
    """Apply ``changes`` to a stored document and stamp ``modifiedDate`` (unless the
    changes set it: tests place modifications in time that way)."""
    doc = coll.docs[item_id]
    doc["modifiedDate"] = now_stamp()
    doc.update(changes)
    coll.touch()
    return doc


def commit_delete(coll: Collection, item_id: str) -> Doc:
    """Remove a document; the answer is its ``_id`` and a few identifying fields."""
    doc = coll.docs.pop(item_id)
    coll.touch()
    return {"_id": item_id, **{k: doc[k] for k in _IDENTIFYING if k in doc}}
