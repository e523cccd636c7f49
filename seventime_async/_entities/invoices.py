"""Invoices, and the properties their ROT/RUT deductions apply to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Entity, many, ref_id, wire
from .common import CustomFieldValue, InvoiceItem, LogEntry
from .customers import ContactPerson, Customer, DeductionItem, DeliveryAddress, PriceList
from .documents import Document
from .organization import ResultUnit
from .projects import Project
from .users import User
from .work_orders import WorkOrder

__all__ = [
    "HouseProperties",
    "Invoice",
]


@attrs.define(kw_only=True, slots=True)
class HouseProperties(Entity):
    """The property a ROT/RUT invoice's deduction applies to."""

    type_of_property: int | None = None
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    max_deduction_amount: float | None = None
    personal_number: str | None = None
    deduction_distribution: list[DeductionItem] = many()


@attrs.define(kw_only=True, slots=True)
class Invoice(Entity):
    id: str | None = wire("_id")
    invoice_number: str | None = None
    ocr_number: str | None = wire("OCRNumber")
    invoice_name: str | None = None
    name: str | None = None
    invoice_type: int | None = None
    invoice_status: int | None = None
    invoice_date: datetime | None = None
    due_date: datetime | None = None
    sent_date: datetime | None = None
    language: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    customer_number: str | None = None
    customer_address: str | None = None
    customer_email: str | None = None
    customer_org_no: str | None = None
    customer_vat: str | None = wire("customerVAT")
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    contact_person: str | ContactPerson | None = None
    contact_person_name: str | None = None
    our_reference: str | User | None = None
    our_reference_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_number: str | None = None
    result_unit: str | ResultUnit | None = None
    result_unit_name: str | None = None
    price_list: str | PriceList | None = None
    price_list_name: str | None = None
    delivery_address: DeliveryAddress | None = None
    house_properties: HouseProperties | None = None
    invoice_items: list[InvoiceItem] = many()
    invoice_log_entries: list[LogEntry] = many()
    custom_fields: list[CustomFieldValue] = many()
    tags: list[str] = many()
    work_order_ids: list[str] = many()
    time_log_ids: list[str] = many()
    expense_ids: list[str] = many()
    driver_journal_ids: list[str] = many()
    machine_time_log_ids: list[str] = many()
    supplier_invoice_ids: list[str] = many()
    external_system_export: list[Any] = many()
    documents: list[Document] = many()
    partial_payments: list[Any] = many()
    check_lists: list[Any] = many()
    supplement_orders: list[Any] = many()
    marking: str | None = None
    your_order_number: str | None = None
    notes: str | None = None
    description: str | None = None
    header_text: str | None = None
    use_footer_from_settings: bool | None = None
    footer_text: str | None = None
    footer_info_text: str | None = None
    multiple_taxes_on_rows: bool | None = None
    show_price_incl_taxes_on_rows: bool | None = None
    tax_percent: float | None = None
    currency_code: str | None = None
    currency_rate: float | None = None
    discount_in_percent: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    total_amount_rounding: float | None = None
    total_cost: float | None = None
    house_deduction_amount: float | None = None
    house_deduction_basis_amount: float | None = None
    archived: bool | None = None
    archived_date: datetime | None = None
    exported_to_economy: bool | None = None
    is_credit_invoice: bool | None = None
    is_credited: bool | None = None
    credit_for_invoice: str | None = None
    credit_for_invoice_number: str | None = None
    credit_invoice: str | None = None
    credit_invoice_number: str | None = None
    partially_paid: bool | None = None
    payment_date: datetime | None = None
    payment_plan: Any = None
    payment_plan_row_id: str | None = None
    quote: str | None = None
    quote_number: str | None = None
    reminder_date: datetime | None = None
    supplement_order: str | None = None
    supplement_order_number: str | None = None
    create_date: datetime | None = None
    version: int | None = wire("__v")

    @property
    def created_by_user_id(self) -> str | None:
        """The creator's id, whether the API sent an id or an expanded user."""
        return ref_id(self.created_by_user)
