"""Machines, their types, and the time logged on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire
from .common import CustomFieldValue
from .customers import Customer
from .documents import Document
from .invoices import Invoice
from .organization import Department
from .projects import Project
from .purchasing import Distributor
from .users import User
from .work_orders import WorkOrder

__all__ = ["Machine", "MachineTimeLog", "MachineType", "TrackunitData"]


@attrs.define(kw_only=True, slots=True)
class MachineType(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    is_active: bool | None = None
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class TrackunitData(Entity):
    """The machine's link to Trackunit, a telematics service."""

    id: str | None = None


@attrs.define(kw_only=True, slots=True)
class Machine(Entity):
    id: str | None = wire("_id")
    machine_name: str | None = None
    machine_number: str | None = None
    machine_model: str | None = None
    serial_number: str | None = None
    article_number: str | None = None
    machine_type: str | MachineType | None = None
    machine_type_name: str | None = None
    machine_group: str | None = None
    is_active: bool | None = None
    is_invoiceable: bool | None = None
    hours_can_be_registered: bool | None = None
    can_be_planned: bool | None = None
    hours_used: float | None = None
    last_hours_used_reg_date: datetime | None = None
    mileage: float | None = None
    last_mileage_reg_date: datetime | None = None
    purchase_date: datetime | None = None
    serviceable: bool | None = None
    service_interval_in_km: float | None = None
    service_interval_in_hours: float | None = None
    service_interval_in_months: float | None = None
    mileage_last_service: float | None = None
    hours_last_service: float | None = None
    last_service_date: datetime | None = None
    unit_price: float | None = None
    unit_cost: float | None = None
    distributor: str | Distributor | None = None
    distributor_name: str | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    trackunit_data: TrackunitData | None = None
    machine_log: list[Any] = many()
    debit_manual_registration_prices: list[Any] = many()
    debit_minimi_prices: list[Any] = many()
    debit_schedule_prices: list[Any] = many()
    is_supplement_for_machines: list[Any] = many()
    custom_fields: list[CustomFieldValue] = many()
    documents: list[Document] = many()
    create_date: datetime | None = None
    modified_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class MachineTimeLog(Entity):
    id: str | None = wire("_id")
    machine: str | Machine | None = None
    machine_name: str | None = None
    user: str | User | None = None
    user_name: str | None = None
    timestamp: datetime | None = None
    time: float | None = None
    invoiceable_time: float | None = None
    description: str | None = None
    internal_description: str | None = None
    status: int | None = None
    department: str | Department | None = None
    department_name: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    price_per_hour: float | None = None
    price: float | None = None
    cost: float | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    invoice: str | Invoice | None = None
    attested_by: str | None = None
    create_date: datetime | None = None
