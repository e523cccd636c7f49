"""Entity classes, by domain: one module per group of families.

Every class is an attrs class (slotted, keyword-only) under :class:`Entity`; see
:mod:`._base` for how wire names, unknown keys and references work. One class serves
both API versions: its fields are the union of what either sends. Import them from
here (``from ._entities import Customer``): the modules are an arrangement, not an API.
"""

from __future__ import annotations

from ._base import (
    BOOKKEEPING,
    Entity,
    cached_per_class,
    entity_fields,
    many,
    ref_id,
    wire,
    wire_name,
)
from .common import CustomField, Tag
from .customers import (
    BillingSettings,
    ContactPerson,
    Customer,
    DeductionItem,
    DeliveryAddress,
    PriceList,
)
from .invoices import HouseProperties, Invoice, InvoiceItem, InvoiceLogEntry
from .projects import (
    Budget,
    BudgetCalculation,
    Permissions,
    Project,
    ProjectStatus,
    ProjectTimeNotification,
    ProjectType,
    RecurringBudget,
    StaffLedger,
)
from .users import Department, SalaryType, User, UserRole, UserSkill
from .work_orders import WorkAddress, WorkOrder, WorkOrderStatus, WorkOrderType

__all__ = [
    "BOOKKEEPING",
    "BillingSettings",
    "Budget",
    "BudgetCalculation",
    "ContactPerson",
    "CustomField",
    "Customer",
    "DeductionItem",
    "DeliveryAddress",
    "Department",
    "Entity",
    "HouseProperties",
    "Invoice",
    "InvoiceItem",
    "InvoiceLogEntry",
    "Permissions",
    "PriceList",
    "Project",
    "ProjectStatus",
    "ProjectTimeNotification",
    "ProjectType",
    "RecurringBudget",
    "SalaryType",
    "StaffLedger",
    "Tag",
    "User",
    "UserRole",
    "UserSkill",
    "WorkAddress",
    "WorkOrder",
    "WorkOrderStatus",
    "WorkOrderType",
    "cached_per_class",
    "entity_fields",
    "many",
    "ref_id",
    "wire",
    "wire_name",
]
