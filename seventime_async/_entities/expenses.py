"""Expenses (purchases and materials registered on a job) and the expense items
(articles) they are made of."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, wire
from .common import CustomFieldValue
from .customers import Customer
from .documents import Document
from .projects import Project
from .users import User
from .work_orders import WorkOrder

__all__ = ["Expense", "ExpenseItem"]


@attrs.define(kw_only=True, slots=True)
class ExpenseItem(Entity):
    """An article in the register: what an expense is a number of."""

    id: str | None = wire("_id")
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    unit: str | None = None
    unit_cost: float | None = None
    unit_price: float | None = None
    unit_price_incl_tax: float | None = None
    tax: float | None = None
    is_invoiceable: bool | None = None
    is_category: bool | None = None
    is_active: bool | None = None
    is_inventory_item: bool | None = None
    always_reimburse: bool | None = None
    favorite: bool | None = None
    parent_expense_item: str | None = None
    parent_expense_item_name: str | None = None
    category_group_number: str | None = None
    article_group_number: str | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    bundled_articles: list[Any] = many()
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class Expense(Entity):
    id: str | None = wire("_id")
    user: str | User | None = None
    user_name: str | None = None
    timestamp: datetime | None = None
    expense_item: str | ExpenseItem | None = None
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    number_of_items: float | None = None
    unit: str | None = None
    unit_cost: float | None = None
    unit_price: float | None = None
    unit_price_after_discount: float | None = None
    unit_price_incl_tax: float | None = None
    unit_tax: float | None = None
    unit_tax_percent: float | None = None
    discount_percent: float | None = None
    total_amount: float | None = None
    total_amount_after_discount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    total_cost: float | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_number: int | None = None
    work_order_title: str | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    is_attested: bool | None = None
    attested_by: str | None = None
    do_reimburse: bool | None = None
    supplement_order: bool | None = None
    salary_compilation: str | None = None
    verification_number: str | None = None
    bundled_articles: list[Any] = many()
    custom_fields: list[CustomFieldValue] = many()
    documents: list[Document] = many()
    create_date: datetime | None = None
