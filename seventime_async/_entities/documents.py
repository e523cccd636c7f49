"""Documents: the files and folders embedded in their parents (``documents``), and the
body of an upload."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import Entity, wire

__all__ = ["Document", "DocumentFile", "DocumentFileOptions"]


@attrs.define(kw_only=True, slots=True)
class Document(Entity):
    """A file or folder attached to a work order, project, customer...; ``path`` is the
    download link. Also a quote template's logo."""

    id: str | None = wire("_id")
    name: str | None = None
    path: str | None = None
    content_type: str | None = None
    size: int | None = None
    user: str | None = None
    user_name: str | None = None
    is_link: bool | None = None
    is_folder: bool | None = None
    folder_id: str | None = None
    is_public: bool | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class DocumentFileOptions(Entity):
    file_name: str | None = None
    content_type: str | None = None


@attrs.define(kw_only=True, slots=True)
class DocumentFile(Entity):
    """The ``file`` of an upload: the content as base64, and its name and type."""

    file_content: str | None = None
    options: DocumentFileOptions | None = None
