"""The account's own setup: departments, result units, work schedules and the
definitions of custom fields."""

from __future__ import annotations

from typing import Any

import attrs

from ._base import Entity, many, wire

__all__ = [
    "CustomField",
    "Department",
    "ResultUnit",
    "WorkSchedule",
    "WorkScheduleBreak",
    "WorkScheduleDay",
    "WorkScheduleWeek",
]


@attrs.define(kw_only=True, slots=True)
class Department(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    department_number: str | None = None
    is_active: bool | None = None
    manager_ids: list[str] = many()
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class ResultUnit(Entity):
    """A unit that results are booked on (Swedish: resultatenhet)."""

    id: str | None = wire("_id")
    name: str | None = None
    code: str | None = None
    is_active: bool | None = None


@attrs.define(kw_only=True, slots=True)
class WorkScheduleBreak(Entity):
    break_start_hour: float | None = None
    break_end_hour: float | None = None


@attrs.define(kw_only=True, slots=True)
class WorkScheduleDay(Entity):
    breaks: list[WorkScheduleBreak] = many()
    number_of_work_hours: float | None = None
    start_hour: float | None = None
    end_hour: float | None = None


@attrs.define(kw_only=True, slots=True)
class WorkScheduleWeek(Entity):
    """One week of a schedule: ``work_schedule_days[0]`` is Monday, ``[6]`` Sunday."""

    work_schedule_days: list[WorkScheduleDay] = many()
    number_of_work_hours: float | None = None


@attrs.define(kw_only=True, slots=True)
class WorkSchedule(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    description: str | None = None
    is_active: bool | None = None
    work_schedule_weeks: list[WorkScheduleWeek] = many()


@attrs.define(kw_only=True, slots=True)
class CustomField(Entity):
    """The definition of a custom field (listed per entity type, e.g. 200 for work orders);
    a record's values are :class:`CustomFieldValue` items."""

    id: str | None = wire("_id")
    field_name: str | None = None
    field_type: int | None = None
    select_field_data: list[Any] = many()
    include: bool | None = None
    required: bool | None = None
