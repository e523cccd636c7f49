"""Projects, their budgets and settings, and the project lookups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire
from .common import CustomFieldValue, InvoiceItem, LogEntry
from .customers import ContactPerson, Customer, DeliveryAddress, PriceList
from .documents import Document
from .organization import Department
from .users import User

__all__ = [
    "SupplementOrder",
    "Budget",
    "BudgetCalculation",
    "Permissions",
    "Project",
    "ProjectStatus",
    "ProjectTimeNotification",
    "ProjectType",
    "RecurringBudget",
    "StaffLedger",
]


@attrs.define(kw_only=True, slots=True)
class Permissions(Entity):
    perm_users: list[Any] = many()
    perm_roles: list[Any] = many()
    perm_departments: list[Any] = many()
    permission_flag: int | None = None


@attrs.define(kw_only=True, slots=True)
class RecurringBudget(Entity):
    budget_time: float | None = None
    budget_amount: float | None = None
    budget_type: int | None = None


@attrs.define(kw_only=True, slots=True)
class Budget(Entity):
    type_of_benefit_calc: int | None = None
    benefits: list[Any] = many()
    benefit_total: float | None = None
    type_of_cost_calc: int | None = None
    costs: list[Any] = many()
    cost_total: float | None = None


@attrs.define(kw_only=True, slots=True)
class BudgetCalculation(Entity):
    invoice_items: list[Any] = many()
    total_benefit_amount: float | None = None
    total_cost_amount: float | None = None


@attrs.define(kw_only=True, slots=True)
class StaffLedger(Entity):
    work_place_id_number: str | None = wire("workPlaceIDNumber")
    developer_name: str | None = None
    developer_org_number: str | None = None


@attrs.define(kw_only=True, slots=True)
class ProjectTimeNotification(Entity):
    sent: bool | None = None
    notify_at_percent: float | None = None


@attrs.define(kw_only=True, slots=True)
class Project(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    project_number: str | None = None
    project_status: int | None = None
    project_status_ref: str | None = None
    project_type: str | None = None
    project_type_name: str | None = None
    permissions: Permissions | None = None
    tags: list[str] = many()
    billing_method: str | None = None
    price_per_hour: float | None = None
    fixed_price: float | None = None
    fixed_price_invoiced: bool | None = None
    fixed_price_left_to_invoice: float | None = None
    fixed_price_expense_item: Any = None
    time_category_price_list: str | None = None
    estimated_time: float | None = None
    recurring_budget_type: int | None = None
    recurring_budget: RecurringBudget | None = None
    result_unit: str | None = None
    result_unit_name: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    contact_person: str | ContactPerson | None = None
    contact_person_name: str | None = None
    project_leader: str | User | None = None
    project_leader_name: str | None = None
    quote: str | None = None
    quote_number: str | None = None
    department: str | Department | None = None
    department_name: str | None = None
    marking: str | None = None
    your_order_number: str | None = None
    delivery_address: DeliveryAddress | None = None
    invoice_status: int | None = None
    notes: str | None = None
    documents: list[Document] = many()
    start_date: datetime | None = None
    end_date: datetime | None = None
    budget: Budget | None = None
    budget_calculation: BudgetCalculation | None = None
    enable_construction_diary: bool | None = None
    enable_payment_plans: bool | None = None
    time_category_items: list[Any] = many()
    expense_item_items: list[Any] = many()
    staff_ledger: StaffLedger | None = None
    project_time_notification: ProjectTimeNotification | None = None
    work_rule_start_of_day: Any = None
    work_rule_end_of_day: Any = None
    time_log_registration_methods: list[Any] = many()
    time_should_not_be_work_time: bool | None = None
    enable_portal_access: bool | None = None
    project_resources: list[Any] = many()
    check_lists: list[Any] = many()
    color: str | None = None
    is_active: bool | None = None
    comments: list[Any] = many()
    custom_fields: list[CustomFieldValue] = many()
    system_account: str | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class ProjectStatus(Entity):
    id: str | None = wire("_id")
    status_name: str | None = None
    color: str | None = None
    in_progress_status: bool | None = None
    closed_status: bool | None = None
    is_active: bool | None = None


@attrs.define(kw_only=True, slots=True)
class ProjectType(Entity):
    id: str | None = wire("_id")
    project_type_name: str | None = None
    is_active: bool | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class SupplementOrder(Entity):
    """Work ordered on top of a project's contract (Swedish: ÄTA), listed per project."""

    id: str | None = wire("_id")
    supplement_order_number: int | None = None
    supplement_order_type: int | None = None
    title: str | None = None
    description: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    status: int | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    project_number: str | None = None
    billing_method: str | None = None
    price_list: str | PriceList | None = None
    price_list_name: str | None = None
    contracted_amount: float | None = None
    tax_percent: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    accepted_date: datetime | None = None
    accepted_with_signature: bool | None = None
    signature_path: str | None = None
    deviation: str | None = None
    deviation_number: int | None = None
    deviations: list[Any] = many()
    public_link: str | None = None
    invoice_items: list[InvoiceItem] = many()
    supplement_order_log_entries: list[LogEntry] = many()
    documents: list[Document] = many()
    work_order_ids: list[str] = many()
    invoice_ids: list[str] = many()
    create_date: datetime | None = None
    modified_date: datetime | None = None
