"""Quotes (offers to customers), the templates they are made from, and their
categories."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import Entity, many, wire
from .common import InvoiceItem, LogEntry
from .customers import ContactPerson, Customer, DeliveryAddress, PriceList
from .documents import Document
from .invoices import HouseProperties, Invoice
from .projects import BudgetCalculation, Project
from .users import User
from .work_orders import WorkOrder

__all__ = [
    "Quote",
    "QuoteCategory",
    "QuoteElement",
    "QuoteElementContent",
    "QuoteTemplate",
]


@attrs.define(kw_only=True, slots=True)
class QuoteElementContent(Entity):
    """What one element of a quote shows: text, or rows with their totals."""

    text: str | None = None
    confirmation_text: str | None = None
    invoice_items: list[InvoiceItem] = many()
    tax_percent: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    total_cost: float | None = None
    house_deduction_basis_amount: float | None = None
    house_deduction_amount: float | None = None
    selectable_rows: bool | None = None
    show_only_total_price: bool | None = None
    hidden_columns: list[str] = many()


@attrs.define(kw_only=True, slots=True)
class QuoteElement(Entity):
    """One block of a quote's layout (``element_type_id`` says which kind)."""

    id: str | None = wire("_id")
    item_id: str | None = None
    element_type_id: int | None = None
    content: QuoteElementContent | None = None
    background_color: str | None = None
    top_margin: float | None = None
    bottom_margin: float | None = None


@attrs.define(kw_only=True, slots=True)
class QuoteCategory(Entity):
    id: str | None = wire("_id")
    quote_category_name: str | None = None
    is_active: bool | None = None


@attrs.define(kw_only=True, slots=True)
class Quote(Entity):
    id: str | None = wire("_id")
    quote_number: str | None = None
    quote_name: str | None = None
    quote_info_name: str | None = None
    quote_type: int | None = None
    quote_status: int | None = None
    quote_category: str | QuoteCategory | None = None
    quote_category_name: str | None = None
    quote_template: str | QuoteTemplate | None = None
    language: str | None = None
    description: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    footer_info_text: str | None = None
    notes: str | None = None
    marking: str | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    our_reference: str | User | None = None
    our_reference_name: str | None = None
    sales_agent: str | User | None = None
    sales_agent_name: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    customer_number: str | None = None
    customer_address: str | None = None
    customer_vat: str | None = wire("customerVAT")
    contact_person: str | ContactPerson | None = None
    contact_person_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_name: str | None = None
    work_order_number: str | None = None
    price_list: str | PriceList | None = None
    price_list_name: str | None = None
    quote_date: datetime | None = None
    valid_to_date: datetime | None = None
    delivery_date: datetime | None = None
    delivery_date_end: datetime | None = None
    sent_date: datetime | None = None
    accepted_date: datetime | None = None
    rejected_date: datetime | None = None
    confirmation_date: datetime | None = None
    invoiced_date: datetime | None = None
    invoice: str | Invoice | None = None
    invoice_number: str | None = None
    currency_code: str | None = None
    currency_rate: float | None = None
    tax_percent: float | None = None
    discount_in_percent: float | None = None
    multiple_taxes_on_rows: bool | None = None
    show_price_incl_taxes_on_rows: bool | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    total_cost: float | None = None
    use_quote_value: bool | None = None
    quote_value: float | None = None
    use_quote_cost: bool | None = None
    quote_cost: float | None = None
    house_deduction_basis_amount: float | None = None
    house_deduction_amount: float | None = None
    house_properties: HouseProperties | None = None
    delivery_address: DeliveryAddress | None = None
    budget_calculation: BudgetCalculation | None = None
    use_budget_calculation: bool | None = None
    enable_quote_conditions: bool | None = None
    quote_conditions_content: str | None = None
    confirmation_title: str | None = None
    confirmation_header_text: str | None = None
    confirmation_footer_info_text: str | None = None
    quote_accept_reason: str | None = None
    quote_accept_reason_name: str | None = None
    quote_decline_reason: str | None = None
    quote_decline_reason_name: str | None = None
    public_link: str | None = None
    open_notification_sent: bool | None = None
    stock_reservation_is_done: bool | None = None
    archived: bool | None = None
    archived_date: datetime | None = None
    quote_elements: list[QuoteElement] = many()
    invoice_items: list[InvoiceItem] = many()
    quote_log_entries: list[LogEntry] = many()
    documents: list[Document] = many()
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class QuoteTemplate(Entity):
    id: str | None = wire("_id")
    template_name: str | None = None
    quote_type: int | None = None
    language: str | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    column_contents: list[str] = many()
    quote_elements: list[QuoteElement] = many()
    override_footer: bool | None = None
    footer_text: str | None = None
    footer_num_of_cols: int | None = None
    override_logo_and_address: bool | None = None
    logo: list[Document] = many()
    logotype_width: float | None = None
    logo_position: str | None = None
    quote_address: str | None = None
    documents: list[Document] = many()
    create_date: datetime | None = None
