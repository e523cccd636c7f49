"""Objects embedded in many families: tags and custom field values."""

from __future__ import annotations

from typing import Any

import attrs

from ._base import Entity, wire

__all__ = [
    "CustomField",
    "Tag",
]


@attrs.define(kw_only=True, slots=True)
class CustomField(Entity):
    """A custom field's value: a string id on projects, an object on invoices."""

    id: str | None = wire("_id")
    field_id: str | None = None
    value: Any = None


@attrs.define(kw_only=True, slots=True)
class Tag(Entity):
    """A project, work order or invoice tag."""

    id: str | None = wire("_id")
    tag_name: str | None = None
    color: str | None = None
