"""Work orders and their lookups (types, statuses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, ref_id, wire
from .common import CustomFieldValue
from .customers import Customer
from .documents import Document
from .projects import BudgetCalculation, Project
from .users import User

__all__ = [
    "RunningInvoiceSettings",
    "WorkAddress",
    "WorkOrder",
    "WorkOrderStatus",
    "WorkOrderType",
]


@attrs.define(kw_only=True, slots=True)
class WorkAddress(Entity):
    use_other_address: bool | None = None
    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None


@attrs.define(kw_only=True, slots=True)
class RunningInvoiceSettings(Entity):
    """How a running (time and materials) work order is put on invoice rows."""

    one_row_text: str | None = None
    format_type: str | None = None
    time_log_machine_supplement: str | None = None
    time_log_custom_field: str | None = None
    include_description: bool | None = None
    include_date_range: bool | None = None
    include_date: bool | None = None
    include_user: bool | None = None
    machine_from_time_log: bool | None = None
    include_category: bool | None = None
    include_task: bool | None = None
    include_work_order: bool | None = None
    include_project: bool | None = None


@attrs.define(kw_only=True, slots=True)
class WorkOrder(Entity):
    id: str | None = wire("_id")
    work_order_number: int | None = None
    title: str | None = None
    description: str | None = None
    status: int | None = None
    status_ref: str | None = None
    customer: str | Customer | None = None
    customer_number: str | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    system_account: str | None = None
    estimated_time: float | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    color: str | None = None
    marking: str | None = None
    your_order_number: str | None = None
    work_address: WorkAddress | None = None
    budget_calculation: BudgetCalculation | None = None
    custom_fields: list[CustomFieldValue] = many()
    tags: list[str] = many()
    work_order_user_work_types: list[Any] = many()
    work_order_user_skills: list[Any] = many()
    invoice_rows: list[Any] = many()
    todo_items: list[Any] = many()
    reminders: list[Any] = many()
    check_lists: list[Any] = many()
    documents: list[Document] = many()
    location_coordinates: list[Any] = many()
    comments: list[Any] = many()
    part_time_resources: list[Any] = many()
    machines: list[Any] = many()
    users: list[Any] = many()
    relations: list[Any] = many()
    running_invoice_settings: RunningInvoiceSettings | None = None
    in_progress_by_user: str | User | None = None
    in_progress_by_user_name: str | None = None
    in_progress_date: datetime | None = None
    completed_by_user: str | User | None = None
    completed_by_user_name: str | None = None
    completed_date: datetime | None = None
    modified_by_user: str | User | None = None
    modified_by_user_name: str | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None
    version: int | None = wire("__v")

    @property
    def created_by_user_id(self) -> str | None:
        """The creator's id: the API sends an id here, or a user object after a create."""
        return ref_id(self.created_by_user)


@attrs.define(kw_only=True, slots=True)
class WorkOrderType(Entity):
    id: str | None = wire("_id")
    work_order_type_name: str | None = None
    color: str | None = None
    is_active: bool | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class WorkOrderStatus(Entity):
    id: str | None = wire("_id")
    status_name: str | None = None
    color: str | None = None
    in_progress_status: bool | None = None
    closed_status: bool | None = None
    planned_status: bool | None = None
    is_active: bool | None = None
