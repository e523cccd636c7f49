"""Users and the lookups that describe them: roles, salary types, skills, departments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire

__all__ = [
    "Department",
    "SalaryType",
    "User",
    "UserRole",
    "UserSkill",
]


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
class Department(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    department_number: str | None = None
    is_active: bool | None = None
    manager_ids: list[str] = many()
    version: int | None = wire("__v")
