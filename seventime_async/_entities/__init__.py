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
from .common import CustomFieldValue, InvoiceItem, LogEntry, Tag
from .customers import (
    BillingSettings,
    ContactPerson,
    Customer,
    DeductionItem,
    DeliveryAddress,
    PriceList,
)
from .documents import Document, DocumentFile, DocumentFileOptions
from .expenses import Expense, ExpenseItem
from .invoices import HouseProperties, Invoice
from .machines import Machine, MachineTimeLog, MachineType, TrackunitData
from .organization import (
    CustomField,
    Department,
    ResultUnit,
    WorkSchedule,
    WorkScheduleBreak,
    WorkScheduleDay,
    WorkScheduleWeek,
)
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
    SupplementOrder,
)
from .purchasing import (
    Distributor,
    DistributorContactPerson,
    InvoiceAddress,
    PurchaseOrder,
    SelfBillingSettings,
    SupplierInvoice,
)
from .quotes import Quote, QuoteCategory, QuoteElement, QuoteElementContent, QuoteTemplate
from .tasks import Task
from .time import Location, TimeCategory, TimeLog, Timer, UnsocialHoursCost
from .users import SalaryType, User, UserRole, UserSkill, UserWorkSchedule, UserWorkType
from .vehicles import DriverJournal, DriverJournalType, Vehicle
from .work_orders import (
    RunningInvoiceSettings,
    WorkAddress,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderType,
)

__all__ = [
    "BOOKKEEPING",
    "BillingSettings",
    "Budget",
    "BudgetCalculation",
    "ContactPerson",
    "CustomField",
    "CustomFieldValue",
    "Customer",
    "DeductionItem",
    "DeliveryAddress",
    "Department",
    "Distributor",
    "DistributorContactPerson",
    "Document",
    "DocumentFile",
    "DocumentFileOptions",
    "DriverJournal",
    "DriverJournalType",
    "Entity",
    "Expense",
    "ExpenseItem",
    "HouseProperties",
    "Invoice",
    "InvoiceAddress",
    "InvoiceItem",
    "Location",
    "LogEntry",
    "Machine",
    "MachineTimeLog",
    "MachineType",
    "Permissions",
    "PriceList",
    "Project",
    "ProjectStatus",
    "ProjectTimeNotification",
    "ProjectType",
    "PurchaseOrder",
    "Quote",
    "QuoteCategory",
    "QuoteElement",
    "QuoteElementContent",
    "QuoteTemplate",
    "RecurringBudget",
    "ResultUnit",
    "RunningInvoiceSettings",
    "SalaryType",
    "SelfBillingSettings",
    "StaffLedger",
    "SupplementOrder",
    "SupplierInvoice",
    "Tag",
    "Task",
    "TimeCategory",
    "TimeLog",
    "Timer",
    "TrackunitData",
    "UnsocialHoursCost",
    "User",
    "UserRole",
    "UserSkill",
    "UserWorkSchedule",
    "UserWorkType",
    "Vehicle",
    "WorkAddress",
    "WorkOrder",
    "WorkOrderStatus",
    "WorkOrderType",
    "WorkSchedule",
    "WorkScheduleBreak",
    "WorkScheduleDay",
    "WorkScheduleWeek",
    "cached_per_class",
    "entity_fields",
    "many",
    "ref_id",
    "wire",
    "wire_name",
]
