"""Objects embedded in many families: tags, custom field values, log entries, and the
item rows of invoices, quotes, purchase orders, supplier invoices and supplement orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, wire

__all__ = ["CustomFieldValue", "InvoiceItem", "LogEntry", "Tag"]


@attrs.define(kw_only=True, slots=True)
class CustomFieldValue(Entity):
    """A custom field's value on a record: a string id on projects, an object on invoices.
    The field itself (its name and type) is a :class:`CustomField`."""

    id: str | None = wire("_id")
    field_id: str | None = None
    value: Any = None


@attrs.define(kw_only=True, slots=True)
class Tag(Entity):
    """A project, work order or invoice tag."""

    id: str | None = wire("_id")
    tag_name: str | None = None
    color: str | None = None


@attrs.define(kw_only=True, slots=True)
class LogEntry(Entity):
    """One line of a record's history (invoices, quotes, purchase orders...)."""

    id: str | None = wire("_id")
    entry_id: str | None = None
    log_date: datetime | None = None
    log_type: int | None = None
    description: str | None = None
    user: str | None = None
    user_name: str | None = None
    additional_data: Any = None


@attrs.define(kw_only=True, slots=True)
class InvoiceItem(Entity):
    """One row of an invoice, quote, purchase order, supplier invoice or supplement order.

    ``item_type`` says what the row is: ``expense``, ``timeLog``, ``general``, ``blank``,
    ``text``, ``onlyamount``, ``machineTimeLog`` or ``driverJournal``.
    """

    id: str | None = wire("_id")
    item_type: str | None = None
    item_id: str | None = None
    item_order: int | None = None
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    expense_item: str | None = None
    expense_item_name: str | None = None
    time_category: str | None = None
    category_name: str | None = None
    machine: str | None = None
    machine_name: str | None = None
    driver_journal_item_type: str | None = None
    driver_journal_item_type_name: str | None = None
    price_list: str | None = None
    price_list_name: str | None = None
    stock_location: str | None = None
    # Quotes send the quantity as text.
    number_of_items: float | str | None = None
    unit: str | None = None
    unit_cost: float | None = None
    total_cost: float | None = None
    price_per_hour: float | None = None
    discount_percent: float | None = None
    discount_in_percent: float | None = None
    supplement_charge_percent: float | None = None
    tax_percent: float | None = None
    unit_price: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    house_work_flag: bool | None = None
    house_work_type_of_work: int | None = None
    selected_flag: bool | None = None
    create_date: datetime | None = None
