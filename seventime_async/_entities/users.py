"""Users and the lookups that describe them: roles, salary types, skills, work types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire
from .organization import WorkSchedule

__all__ = [
    "SalaryType",
    "User",
    "UserRole",
    "UserSkill",
    "UserWorkSchedule",
    "UserWorkType",
]


@attrs.define(kw_only=True, slots=True)
class UserWorkSchedule(Entity):
    """A work schedule assigned to a user from ``start_date`` (to ``end_date``, if any)."""

    id: str | None = wire("_id")
    start_date: datetime | None = None
    end_date: datetime | None = None
    work_schedule: str | WorkSchedule | None = None


@attrs.define(kw_only=True, slots=True)
class User(Entity):
    id: str | None = wire("_id")
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    personal_number: str | None = None
    employee_number: str | None = None
    user_name: str | None = None
    work_phone: str | None = None
    cell_phone: str | None = None
    user_role_id: int | None = None
    # The reference filters users by these three but its examples omit them.
    department: str | None = None
    default_salary_type: str | None = None
    user_skills: list[str] = many()
    is_active: bool | None = None
    is_activated: bool | None = None
    language: str | None = None
    work_schedules: list[UserWorkSchedule] = many()
    can_have_dynamic_schedule: bool | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class UserRole(Entity):
    user_role_id: int | None = None
    user_role_name: str | None = None


@attrs.define(kw_only=True, slots=True)
class SalaryType(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    description: str | None = None
    code: str | None = None
    is_absence_time_type: bool | None = None
    is_rule_type: bool | None = None
    absence_time_category: Any = None
    absence_time_category_name: str | None = None
    unit_type: str | None = None
    can_be_registered: bool | None = None
    salary_amount: float | None = None
    type_in_salary_system: int | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class UserSkill(Entity):
    id: str | None = wire("_id")
    system_account: str | None = None
    skill_title: str | None = None
    require_educations: list[str] = many()
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class UserWorkType(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    price_per_hour: float | None = None
