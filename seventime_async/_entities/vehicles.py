"""Vehicles and the driver journal (mileage log) kept for them."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import Entity, wire
from .customers import Customer
from .invoices import Invoice
from .projects import Project
from .users import User
from .work_orders import WorkOrder

__all__ = ["DriverJournal", "DriverJournalType", "Vehicle"]


@attrs.define(kw_only=True, slots=True)
class Vehicle(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    registration_number: str | None = None
    is_active: bool | None = None
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class DriverJournalType(Entity):
    """A kind of trip (its price, cost and salary compensation)."""

    id: str | None = wire("_id")
    name: str | None = None
    article_number: str | None = None
    cost: float | None = None
    price: float | None = None
    is_invoiceable: bool | None = None
    is_default: bool | None = None
    is_active: bool | None = None
    salary_compensation_type: int | None = None
    salary_type: str | None = None
    salary_type_name: str | None = None
    salary_code: str | None = None
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class DriverJournal(Entity):
    """One trip: where from and to, why, and the odometer at both ends."""

    id: str | None = wire("_id")
    name: str | None = None
    user: str | User | None = None
    user_name: str | None = None
    timestamp: datetime | None = None
    driver_journal_item_type: str | DriverJournalType | None = None
    driver_journal_item_type_name: str | None = None
    vehicle: str | Vehicle | None = None
    car: str | None = None
    car_registration_number: str | None = None
    start_address: str | None = None
    end_address: str | None = None
    travel_purpose: str | None = None
    start_odometer: float | None = None
    end_odometer: float | None = None
    total_distance: float | None = None
    description: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    price: float | None = None
    cost: float | None = None
    total_amount: float | None = None
    total_cost: float | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    invoice: str | Invoice | None = None
    is_salary_compensated: bool | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None
