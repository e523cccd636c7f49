"""Tasks: to-dos on a work order, project, customer, quote, invoice or machine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire
from .customers import Customer
from .documents import Document
from .invoices import Invoice
from .machines import Machine
from .projects import Project
from .quotes import Quote
from .users import User
from .work_orders import WorkOrder

__all__ = ["Task"]


@attrs.define(kw_only=True, slots=True)
class Task(Entity):
    id: str | None = wire("_id")
    title: str | None = None
    task_status_ref: str | None = None
    rank: str | None = None
    start_date: datetime | None = None
    due_date: datetime | None = None
    completed: bool | None = None
    user: str | User | None = None
    created_by_user: str | User | None = None
    customer: str | Customer | None = None
    project: str | Project | None = None
    project_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    quote: str | Quote | None = None
    invoice: str | Invoice | None = None
    machine: str | Machine | None = None
    tags: list[str] = many()
    depends_on: list[Any] = many()
    dependents: list[Any] = many()
    reminders: list[Any] = many()
    todo_items: list[Any] = many()
    notes: list[Any] = many()
    documents: list[Document] = many()
    create_date: datetime | None = None
    version: int | None = wire("__v")
