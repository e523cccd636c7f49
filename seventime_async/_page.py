"""``Page``: what ``list()`` returns (a list, plus what the server said about the rest)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

__all__ = ["Page"]

T = TypeVar("T")


class Page(list[T]):
    """The items of one list request, with v2's ``meta``.

    ``total`` (``meta.totalResources``), ``total_pages`` and ``page`` are what the
    server sent, or None where it sent no ``meta`` (always in v1, and for v2 lookup
    lists); ``limit`` is the page size asked for, or None when left to the server.
    """

    total: int | None
    total_pages: int | None
    page: int | None
    limit: int | None

    def __init__(
        self,
        items: Iterable[T] = (),
        *,
        total: int | None = None,
        total_pages: int | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(items)
        self.total = total
        self.total_pages = total_pages
        self.page = page
        self.limit = limit

    def __repr__(self) -> str:
        return (
            f"Page({list.__repr__(self)}, total={self.total}, total_pages={self.total_pages}, "
            f"page={self.page}, limit={self.limit})"
        )
