"""Time: time logs (and absences), their categories, and running timers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire
from .common import CustomFieldValue
from .customers import Customer
from .projects import Project
from .users import SalaryType, User
from .work_orders import WorkOrder

__all__ = ["Location", "TimeCategory", "TimeLog", "Timer", "UnsocialHoursCost"]


@attrs.define(kw_only=True, slots=True)
class Location(Entity):
    """A GeoJSON point: where a time log or timer was started or stopped."""

    type: str | None = None
    coordinates: list[float] = many()


@attrs.define(kw_only=True, slots=True)
class UnsocialHoursCost(Entity):
    """The part of a time log paid at an unsocial-hours rate (Swedish: OB)."""

    id: str | None = wire("_id")
    salary_type: str | SalaryType | None = None
    salary_type_name: str | None = None
    cost_per_hour: float | None = None
    time: float | None = None


@attrs.define(kw_only=True, slots=True)
class TimeCategory(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    color: str | None = None
    price_per_hour: float | None = None
    presence_code: str | None = None
    is_absence_type: bool | None = None
    is_unsocial_hour: bool | None = None
    is_invoiceable: bool | None = None
    is_work_time: bool | None = None
    is_active: bool | None = None
    is_vacation: bool | None = None
    is_machine_time: bool | None = None
    require_pre_attest: bool | None = None


@attrs.define(kw_only=True, slots=True)
class TimeLog(Entity):
    """Time a user worked (or, with ``is_absence``, was absent), in hours.

    ``timestamp``/``end_timestamp`` are the times registered; ``real_timestamp`` and
    ``real_end_timestamp`` when the registration was actually made.
    """

    id: str | None = wire("_id")
    user: str | User | None = None
    user_name: str | None = None
    timestamp: datetime | None = None
    end_timestamp: datetime | None = None
    real_timestamp: datetime | None = None
    real_end_timestamp: datetime | None = None
    all_day: bool | None = None
    time: float | None = None
    invoiceable_time: float | None = None
    description: str | None = None
    internal_description: str | None = None
    status: int | None = None
    customer: str | Customer | None = None
    project: str | Project | None = None
    work_order: str | WorkOrder | None = None
    work_order_number: int | None = None
    task: str | None = None
    time_category: str | TimeCategory | None = None
    price_per_hour: float | None = None
    price: float | None = None
    cost: float | None = None
    is_work_time: bool | None = None
    is_absence: bool | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    supplement_order: bool | None = None
    start_location: Location | None = None
    stop_location: Location | None = None
    unsocial_hours_costs: list[UnsocialHoursCost] = many("unSocialHoursCosts")
    machine_time_prices: list[Any] = many()
    machine_time_supplements: list[Any] = many()
    custom_fields: list[CustomFieldValue] = many()
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class Timer(Entity):
    """A running timer; stopping it creates a :class:`TimeLog`."""

    id: str | None = wire("_id")
    user: str | User | None = None
    start_timestamp: datetime | None = None
    real_start_timestamp: datetime | None = None
    start_location: Location | None = None
    customer: str | Customer | None = None
    project: str | Project | None = None
    work_order: str | WorkOrder | None = None
    time_category: str | TimeCategory | None = None
    task: str | None = None
    machine_time_prices: list[Any] = many()
    machine_time_supplements: list[Any] = many()
