"""The base of every entity class: attrs, slotted, keyword-only, snake_case fields.

The wire name of a field is its camelCase form (``zip_code`` -> ``zipCode``) unless the
field says otherwise with :func:`wire` (``ocr_number`` -> ``OCRNumber``). Every field has
a default, so a missing key never fails; ``None`` is accepted for every scalar.

Two bookkeeping attributes keep a fetched entity faithful to what the server sent:
``extra`` holds keys this library does not model (by wire name), and ``_unset`` names
the modelled keys that were absent, so :func:`seventime_async.unstructure` gives back
exactly the original mapping. Both are filled by the converter; users rarely touch them.

Fields that reference another entity (``customer``, ``created_by_user``...) hold the id
string the API usually sends, or the entity when the API expands it; :func:`ref_id`
reads the id from either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

from .._wire import camel

__all__ = [
    "BOOKKEEPING",
    "Entity",
    "cached_per_class",
    "entity_fields",
    "many",
    "ref_id",
    "wire",
    "wire_name",
]

_NO_KEYS: frozenset[str] = frozenset()
#: The attributes of every entity that hold no wire field: unknown and absent keys.
BOOKKEEPING = ("extra", "_unset")


def wire(name: str, default: Any = None) -> Any:
    """A field whose wire name is not the camelCase of its attribute name."""
    return attrs.field(default=default, metadata={"wire": name})


def many(wire: str | None = None) -> Any:
    """A list field (absent or ``null`` on the wire: an empty list), under the wire name
    ``wire`` when it is not the camelCase of the attribute name."""
    return attrs.field(factory=list, metadata={} if wire is None else {"wire": wire})


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of an entity field."""
    explicit: str | None = field.metadata.get("wire")
    if explicit is not None:
        return explicit
    return camel(field.name)


@attrs.define(kw_only=True, slots=True)
class Entity:
    """Base of every entity: unknown keys and absent keys, for a lossless round trip."""

    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)
    _unset: frozenset[str] = attrs.field(default=_NO_KEYS, repr=False, eq=False, alias="_unset")


E = TypeVar("E", bound=Entity)
R = TypeVar("R")


def cached_per_class(fn: Callable[[type[E]], R]) -> Callable[[type[E]], R]:
    """``functools.cache`` for a function of an entity class, its signature kept.

    Classes hash by identity and live forever, so ``functools.cache`` keys on them as
    they are. Used bare, it would type the argument as ``Hashable``, which mypy refuses
    for ``type[Entity]``: it checks a class against ``Hashable`` through its instances'
    ``__hash__``, which attrs sets to None (mutable classes with ``eq``). The cast gives
    the cached function back its own signature, so call sites stay type-checked.
    """
    return cast("Callable[[type[E]], R]", functools.cache(fn))


@cached_per_class
def entity_fields(cls: type[Entity]) -> dict[str, str]:
    """Attribute name -> wire name, for the modelled fields of an entity class."""
    return {f.name: wire_name(f) for f in attrs.fields(cls) if f.name not in BOOKKEEPING}


def ref_id(value: str | Entity | None) -> str | None:
    """The id of a reference field, whether the API sent an id or an expanded object."""
    if value is None or isinstance(value, str):
        return value
    found = getattr(value, "id", None)
    return found if isinstance(found, str) else None
