"""Customers, their contact persons, billing settings and price lists."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import Entity, many, wire
from .documents import Document

__all__ = [
    "BillingSettings",
    "ContactPerson",
    "Customer",
    "DeductionItem",
    "DeliveryAddress",
    "PriceList",
]


@attrs.define(kw_only=True, slots=True)
class DeductionItem(Entity):
    """One person's share of a ROT/RUT deduction."""

    id: str | None = wire("_id")
    item_id: str | None = None
    user_name: str | None = None
    personal_number: str | None = None
    distribution_percent: float | None = None


@attrs.define(kw_only=True, slots=True)
class PriceList(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    is_active: bool | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class BillingSettings(Entity):
    use_separate_billing_address: bool | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    use_separate_billing_email: bool | None = None
    invoice_email: str | None = None
    invoice_delivery_type: int | None = None
    default_email_subject: str | None = None
    is_construction_company: bool | None = None
    is_rot_customer: bool | None = wire("isROTCustomer")
    is_rut_customer: bool | None = wire("isRUTCustomer")
    type_of_property: int | None = None
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    personal_number: str | None = None
    deduction_distribution: list[DeductionItem] = many()
    expense_discount: float | None = None
    expense_custom_profit_margin: float | None = None
    markup_percent_supplier_invoice: float | None = None
    price_list: str | PriceList | None = None
    price_list_name: str | None = None


@attrs.define(kw_only=True, slots=True)
class DeliveryAddress(Entity):
    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None


@attrs.define(kw_only=True, slots=True)
class Customer(Entity):
    id: str | None = wire("_id")
    customer_number: str | None = None
    vat_number: str | None = None
    organization_number: str | None = None
    email: str | None = None
    phone: str | None = None
    city: str | None = None
    zip_code: str | None = None
    address: str | None = None
    address2: str | None = None
    country: str | None = None
    name: str | None = None
    documents: list[Document] = many()
    billing_settings: BillingSettings | None = None
    delivery_address: DeliveryAddress | None = None
    # 10 company, 20 private (v2).
    type_of_customer: int | str | None = None
    billing_method: str | None = None
    price_per_hour: float | None = None
    payment_days: int | None = None
    notes: str | None = None
    is_active: bool | None = None
    system_account: str | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class ContactPerson(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    title: str | None = None
    work_phone: str | None = None
    cell_phone: str | None = None
    email: str | None = None
    customer: str | Customer | None = None
    customer_name: str | None = None
    main_contact: bool | None = None
    is_active: bool | None = None
    system_account: str | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    version: int | None = wire("__v")
