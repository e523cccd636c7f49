"""Request building and input validation (pure, sans-I/O).

Every check here runs before a request exists, so bad input costs no round trip and
raises :class:`ValidationError` with a message that names the field and what is valid.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ._converter import entity_fields, unstructure
from ._endpoints import Api, Endpoint, Filter, FilterKind, WriteSpec
from ._entities import Entity, cached_per_class, ref_id
from ._errors import ValidationError
from ._wire import format_date, format_datetime, scalar_text

__all__ = [
    "DIRECTIONS",
    "check_direction",
    "check_id",
    "filter_params",
    "list_params",
    "parse_filters",
    "missing_required",
    "sort_key",
    "write_payload",
]

DIRECTIONS = ("ascending", "descending")
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
_SCALAR = (str, int, float, bool, date)


def check_id(value: Any, what: str = "id") -> str:
    """An ObjectId as 24 hex digits, or :class:`ValidationError`."""
    if isinstance(value, Entity):
        value = ref_id(value)
    if not isinstance(value, str) or _OBJECT_ID.fullmatch(value) is None:
        raise ValidationError(f"{what} must be 24 hexadecimal digits, got {value!r}")
    return value


def check_direction(direction: str | None) -> str | None:
    if direction is not None and direction not in DIRECTIONS:
        raise ValidationError(
            f"sort_direction must be 'ascending' or 'descending', got {direction!r}"
        )
    return direction


@cached_per_class
def _sort_names(entity: type[Entity]) -> dict[str, str]:
    names = entity_fields(entity)
    return {**{wire: wire for wire in names.values()}, **names}


def sort_key(endpoint: Endpoint[Any], sort_by: str) -> str:
    """The wire name for ``sort_by``, given as the API name or the attribute name."""
    found: str | None = _sort_names(endpoint.entity).get(sort_by)
    if found is None:
        raise ValidationError(
            f"{endpoint.name} cannot be sorted by {sort_by!r}; use a field of "
            f"{endpoint.entity.__name__}, e.g. {sorted(entity_fields(endpoint.entity))[:6]}"
        )
    return found


def _filter_text(endpoint: Endpoint[Any], name: str, spec: Filter, value: Any) -> str:
    """One filter value, checked against its kind and spelled as the server reads it."""
    what = f"{endpoint.name} filter {name}"
    kind = spec.kind
    if kind is FilterKind.ID:
        return check_id(value, what)
    if kind is FilterKind.BOOL:
        if not isinstance(value, bool):
            raise ValidationError(f"{what} takes True or False, got {value!r}")
        return scalar_text(value)
    if kind in (FilterKind.DATETIME, FilterKind.MINUTE):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValidationError(
                f"{what} takes an aware datetime (with tzinfo), got {value!r}; "
                "a naive one would be read in an undocumented time zone"
            )
        text = format_datetime(value)
        return text[: len("YYYY-MM-DD HH:MM")] if kind is FilterKind.MINUTE else text
    if kind is FilterKind.DATE:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValidationError(f"{what} takes a datetime.date, got {value!r}")
        return format_date(value)
    if isinstance(value, Entity):
        value = ref_id(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(f"{what} takes a string or a number, got {value!r}")
    return scalar_text(value)


def parse_filters(endpoint: Endpoint[Any], api: Api, texts: Mapping[str, str]) -> dict[str, Any]:
    """Filters given as text (a command line, a checkpoint) as the values their kinds
    take: ``true``/``false``, ``YYYY-MM-DD`` dates and ISO 8601 date-times with an offset
    (``Z`` allowed). Unknown names are left for :func:`filter_params` to refuse."""
    out: dict[str, Any] = {}
    for name, text in texts.items():
        spec = api.filters.get(name)
        kind = spec.kind if spec is not None else FilterKind.TEXT
        try:
            if kind is FilterKind.BOOL:
                if text not in ("true", "false"):
                    raise ValueError("expected true or false")
                out[name] = text == "true"
            elif kind is FilterKind.DATE:
                out[name] = date.fromisoformat(text)
            elif kind is FilterKind.DATETIME:
                out[name] = datetime.fromisoformat(text)
            else:
                out[name] = text
        except ValueError as problem:
            raise ValidationError(
                f"{endpoint.name} filter {name}={text!r}: {problem} ({kind.value})"
            ) from None
    return out


def filter_params(
    endpoint: Endpoint[Any], api: Api, filters: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Snake_case filter keywords as query pairs; unknown and missing ones are refused."""
    unknown = sorted(set(filters) - set(api.filters))
    if unknown:
        allowed = ", ".join(sorted(api.filters)) or "none"
        raise ValidationError(
            f"{endpoint.name} has no filter {', '.join(unknown)}; its filters are: {allowed}"
        )
    given = {name: value for name, value in filters.items() if value is not None}
    missing = sorted(api.required_filters - set(given))
    if missing:
        raise ValidationError(f"{endpoint.name} requires the filter {', '.join(missing)}")
    return [
        (api.filters[name].wire, _filter_text(endpoint, name, api.filters[name], value))
        for name, value in given.items()
    ]


def list_params(
    endpoint: Endpoint[Any],
    api: Api,
    sort_by: str | None,
    sort_direction: str | None,
    filters: Mapping[str, Any],
) -> list[tuple[str, str]]:
    """The query of one ``list`` call (without paging)."""
    params = filter_params(endpoint, api, filters)
    check_direction(sort_direction)
    if sort_by is not None:
        params.append(("sortBy", sort_key(endpoint, sort_by)))
    if sort_direction is not None:
        params.append(("sortDirection", sort_direction))
    return params


# -- create ------------------------------------------------------------------------------


@cached_per_class
def _nested_types(entity: type[Entity]) -> dict[str, type[Entity]]:
    """Attribute name -> entity class, for fields that hold entities or lists of them."""
    found: dict[str, type[Entity]] = {}
    for name, tp in typing.get_type_hints(entity).items():
        candidates = [tp, *typing.get_args(tp)]
        for candidate in candidates:
            inner = typing.get_args(candidate) if typing.get_origin(candidate) is list else ()
            for t in (candidate, *inner):
                if isinstance(t, type) and issubclass(t, Entity) and str not in candidates:
                    found[name] = t
    return found


def _prune(value: Any) -> Any:
    """Drop ``None`` (unsent) values from an unstructured entity, all the way down."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _nested(entity: type[Entity], value: Any, path: str) -> Any:
    if isinstance(value, Entity):
        if not isinstance(value, entity):
            raise ValidationError(f"{path} takes a {entity.__name__}, got {type(value).__name__}")
        return _prune(unstructure(value))
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_nested(entity, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if not isinstance(value, Mapping):
        raise ValidationError(f"{path} takes a {entity.__name__} or a dict, got {value!r}")
    names = entity_fields(entity)
    wires = set(names.values())
    inner = _nested_types(entity)
    out: dict[str, Any] = {}
    for key, item in value.items():
        attr = key if key in names else next((n for n, w in names.items() if w == key), None)
        if attr is None or (key not in names and key not in wires):
            raise ValidationError(
                f"{path} has no field {key!r}; {entity.__name__} fields: {sorted(names)}"
            )
        if item is None:
            continue
        where = f"{path}.{attr}"
        out[names[attr]] = (
            _nested(inner[attr], item, where) if attr in inner else _plain(where, item)
        )
    return out


def _plain(path: str, value: Any) -> Any:
    """A value for a field that is not an object: a scalar, an entity's id, or a list of
    them. A dict is refused at any depth: sent as bracket keys it would become an
    operator object (``field[$where]=...``) on the server."""
    if isinstance(value, Entity):
        found = ref_id(value)
        if found is None:
            raise ValidationError(f"{path} was given a {type(value).__name__} without an id")
        return found
    if isinstance(value, list | tuple):
        return [_plain(f"{path}[{i}]", item) for i, item in enumerate(value)]
    if not isinstance(value, _SCALAR):
        raise ValidationError(f"{path} takes a string, number or boolean, got {value!r}")
    return value


def _top_value(spec: WriteSpec, name: str, value: Any) -> Any:
    if name in spec.nested:
        return _nested(spec.nested[name], value, name)
    if isinstance(value, date) and name in spec.date_formats:
        if isinstance(value, datetime) and value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return value.strftime(spec.date_formats[name])
    return _plain(name, value)


def _path_missing(data: Any, segments: Sequence[str]) -> bool:
    """Whether a present parent lacks the leaf that ``segments`` names."""
    head, rest = segments[0], segments[1:]
    many = head.endswith("[]")
    name = head.removesuffix("[]")
    if not isinstance(data, Mapping):
        return False
    if data.get(name) in (None, ""):
        return not rest
    if not rest:
        return False
    children = data[name] if many and isinstance(data[name], list) else [data[name]]
    return any(_path_missing(child, rest) for child in children)


def missing_required(
    spec: WriteSpec, payload: Mapping[str, Any], names: Mapping[str, str] | None = None
) -> list[str]:
    """What the reference requires and ``payload`` (wire keys) lacks, as wire names or
    paths, or as ``names[wire]`` (the caller's snake_case names) where given."""
    caller_name = (lambda wire: names.get(wire, wire)) if names else (lambda wire: wire)
    missing = [
        caller_name(spec.fields[name])
        for name in sorted(spec.required)
        if payload.get(spec.fields[name]) in (None, "")
    ]
    for condition in spec.conditions:
        when = payload.get(spec.fields[condition.when])
        if payload.get(spec.fields[condition.then]) not in (None, ""):
            continue
        then = caller_name(spec.fields[condition.then])
        cause = caller_name(spec.fields[condition.when])
        if condition.absent:
            if when in (None, ""):
                missing.append(f"{then} (required when {cause} is not given)")
        elif when is not None and (not condition.values or _matches(when, condition.values)):
            missing.append(f"{then} (required when {cause} is {when!r})")
    missing.extend(path for path in spec.required_paths if _path_missing(payload, path.split(".")))
    return missing


def _matches(value: Any, values: tuple[Any, ...]) -> bool:
    # Form bodies carry text: the emulator compares "1" with 1 the way the server casts.
    return value in values or str(value) in {str(v) for v in values}


#: Audit fields a write fills from the client's ``acting_user`` when not given.
AUDIT_FIELDS = ("created_by_user", "modified_by_user", "deleted_by_user", "uploaded_by")


def write_payload(
    endpoint: Endpoint[Any],
    spec: WriteSpec,
    operation: str,
    fields: Mapping[str, Any],
    acting_user: str | None = None,
) -> dict[str, Any]:
    """Snake_case write keywords as the wire object, validated against the reference.

    ``operation`` names the call in messages (``create``, ``update``...). Audit fields
    the spec has and the call leaves out are filled from ``acting_user``.
    """
    unknown = sorted(set(fields) - set(spec.fields))
    if unknown:
        raise ValidationError(
            f"{endpoint.name}.{operation}() got unknown field(s) {', '.join(unknown)}; "
            f"valid: {', '.join(sorted(spec.fields))}"
        )
    given = dict(fields)
    for audit in AUDIT_FIELDS:
        if audit in spec.fields and given.get(audit) is None and acting_user is not None:
            given[audit] = acting_user
    payload = {
        spec.fields[name]: _top_value(spec, name, value)
        for name, value in given.items()
        if value is not None
    }
    snake = {wire: name for name, wire in spec.fields.items()}
    missing = missing_required(spec, payload, snake)
    if missing:
        hint = (
            " (or pass SevenTimeClient(acting_user=...))"
            if any(a in m for m in missing for a in AUDIT_FIELDS)
            else ""
        )
        raise ValidationError(
            f"{endpoint.name}.{operation}() is missing {', '.join(missing)}{hint}"
        )
    return payload
