"""Buying: distributors (suppliers) and their contact persons, purchase orders, and
supplier invoices."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import Entity, many, wire
from .common import InvoiceItem, LogEntry
from .customers import Customer, DeliveryAddress
from .documents import Document
from .invoices import Invoice
from .organization import Department
from .projects import Project
from .users import User
from .work_orders import WorkOrder

__all__ = [
    "Distributor",
    "DistributorContactPerson",
    "InvoiceAddress",
    "PurchaseOrder",
    "SelfBillingSettings",
    "SupplierInvoice",
]


@attrs.define(kw_only=True, slots=True)
class SelfBillingSettings(Entity):
    """How supplier invoices are made on a self-billing distributor's behalf."""

    invoice_deduction: float | None = None
    deduction_expense_item: str | None = None
    invoice_number_series: str | None = None
    invoice_counter: int | None = None
    email_for_self_billing: str | None = None


@attrs.define(kw_only=True, slots=True)
class Distributor(Entity):
    """A supplier (or sub-contractor) purchases are made from."""

    id: str | None = wire("_id")
    name: str | None = None
    distributor_number: str | None = None
    address: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    organization_number: str | None = None
    vat_number: str | None = None
    bankgiro: str | None = None
    plusgiro: str | None = None
    notes: str | None = None
    purchase_order_email: str | None = None
    our_customer_number: str | None = None
    payment_days: int | None = None
    is_sub_contractor: bool | None = None
    has_self_billing: bool | None = None
    self_billing_settings: SelfBillingSettings | None = None
    is_active: bool | None = None
    documents: list[Document] = many()
    created_date: datetime | None = None
    modified_date: datetime | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class DistributorContactPerson(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    title: str | None = None
    work_phone: str | None = None
    cell_phone: str | None = None
    email: str | None = None
    distributor: str | Distributor | None = None
    distributor_name: str | None = None
    main_contact: bool | None = None
    is_active: bool | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class InvoiceAddress(Entity):
    """Where a distributor sends the invoice for a purchase order."""

    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None


@attrs.define(kw_only=True, slots=True)
class PurchaseOrder(Entity):
    """An order to a distributor. Statuses: 1 draft, 2 sent, 3 obliterated, 4 confirmed,
    10 delivered."""

    id: str | None = wire("_id")
    purchase_order_number: str | None = None
    purchase_order_name: str | None = None
    purchase_order_info_name: str | None = None
    purchase_order_status: int | None = None
    purchase_order_date: datetime | None = None
    language: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    footer_info_text: str | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    our_reference: str | User | None = None
    our_reference_name: str | None = None
    approved_by: str | User | None = None
    approved_by_name: str | None = None
    distributor: str | Distributor | None = None
    distributor_name: str | None = None
    distributor_address: str | None = None
    distributor_vat: str | None = wire("distributorVAT")
    our_customer_number: str | None = None
    contact_person_distributor: str | DistributorContactPerson | None = None
    contact_person_distributor_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    project_number: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_name: str | None = None
    work_order_number: str | None = None
    tax_percent: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    total_cost: float | None = None
    currency_code: str | None = None
    currency_rate: float | None = None
    payment_days: int | None = None
    marking: str | None = None
    delivery_attention: str | None = None
    delivery_phone: str | None = None
    delivery_address: DeliveryAddress | None = None
    invoice_address: InvoiceAddress | None = None
    desired_delivery_date: datetime | None = None
    expected_delivery_date: datetime | None = None
    confirmation_date: datetime | None = None
    sent_date: datetime | None = None
    archived: bool | None = None
    archived_date: datetime | None = None
    public_link: str | None = None
    invoice_items: list[InvoiceItem] = many()
    purchase_order_log_entries: list[LogEntry] = many()
    documents: list[Document] = many()
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class SupplierInvoice(Entity):
    """An invoice from a distributor, or a self-billing invoice made on its behalf.
    Statuses: 1 registered, 5 draft, 7 sent, 10 invoiced."""

    id: str | None = wire("_id")
    supplier_invoice_number: str | None = None
    supplier_invoice_status: int | None = None
    distributor: str | Distributor | None = None
    distributor_name: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    invoice_date: datetime | None = None
    due_date: datetime | None = None
    payment_date: datetime | None = None
    ocr: str | None = wire("OCR")
    tax_type: int | None = None
    tax_percent: float | None = None
    markup_percent: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    total_amount_to_invoice: float | None = None
    currency_code: str | None = None
    currency_rate: float | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    project_name: str | None = None
    work_order: str | WorkOrder | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    department: str | Department | None = None
    department_name: str | None = None
    result_unit: str | None = None
    supplement_order: bool | None = None
    supplement_order_id: str | None = None
    supplement_order_number: int | None = None
    invoice: str | Invoice | None = None
    invoice_number: str | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    is_credit_invoice: bool | None = None
    credit_for_invoice_number: str | None = None
    is_booked: bool | None = None
    exported_to_economy: bool | None = None
    economy_system_status: int | None = None
    economy_system_ref: str | None = None
    imported_from: str | None = None
    expenses_created_from_invoice_items: bool | None = None
    is_self_billing_invoice: bool | None = None
    self_billing_invoice: str | None = None
    self_billing_invoice_number: str | None = None
    self_billing_invoice_status: int | None = None
    self_billing_time_log_ids: list[str] = many()
    self_billing_expense_ids: list[str] = many()
    notes: str | None = None
    footer_text: str | None = None
    footer_info_text: str | None = None
    invoice_items: list[InvoiceItem] = many()
    supplier_invoice_log_entries: list[LogEntry] = many()
    documents: list[Document] = many()
    create_date: datetime | None = None
