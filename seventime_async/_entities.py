"""Entity classes: attrs, slotted, keyword-only, snake_case fields.

The wire name of a field is its camelCase form (``zip_code`` -> ``zipCode``) unless the
field says otherwise with :func:`wire` (``ocr_number`` -> ``OCRNumber``). Every field has
a default, so a missing key never fails; ``None`` is accepted for every scalar.

Two bookkeeping attributes keep a fetched entity faithful to what the server sent:
``extra`` holds keys this library does not model (by wire name), and ``_unset`` names
the modelled keys that were absent, so :func:`seventime_async.unstructure` gives back
exactly the original mapping. Both are filled by the converter; users rarely touch them.

Fields that reference another entity (``customer``, ``created_by_user``...) hold the id
string the API usually sends, or the entity when the API expands it; :func:`ref_id`
reads the id from either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import attrs

from ._wire import camel

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
    "ref_id",
    "wire_name",
]

_NO_KEYS: frozenset[str] = frozenset()
#: The attributes of every entity that hold no wire field: unknown and absent keys.
BOOKKEEPING = ("extra", "_unset")


def wire(name: str, default: Any = None) -> Any:
    """A field whose wire name is not the camelCase of its attribute name."""
    return attrs.field(default=default, metadata={"wire": name})


def _list() -> Any:
    return attrs.field(factory=list)


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of an entity field."""
    explicit: str | None = field.metadata.get("wire")
    if explicit is not None:
        return explicit
    return camel(field.name)


@attrs.define(kw_only=True, slots=True)
class Entity:
    """Base of every entity: unknown keys and absent keys, for a lossless round trip."""

    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)
    _unset: frozenset[str] = attrs.field(default=_NO_KEYS, repr=False, eq=False, alias="_unset")


E = TypeVar("E", bound=Entity)
R = TypeVar("R")


def cached_per_class(fn: Callable[[type[E]], R]) -> Callable[[type[E]], R]:
    """``functools.cache`` for a function of an entity class, its signature kept.

    Classes hash by identity and live forever, so ``functools.cache`` keys on them as
    they are. Used bare, it would type the argument as ``Hashable``, which mypy refuses
    for ``type[Entity]``: it checks a class against ``Hashable`` through its instances'
    ``__hash__``, which attrs sets to None (mutable classes with ``eq``). The cast gives
    the cached function back its own signature, so call sites stay type-checked.
    """
    return cast("Callable[[type[E]], R]", functools.cache(fn))


@cached_per_class
def entity_fields(cls: type[Entity]) -> dict[str, str]:
    """Attribute name -> wire name, for the modelled fields of an entity class."""
    return {f.name: wire_name(f) for f in attrs.fields(cls) if f.name not in BOOKKEEPING}


def ref_id(value: str | Entity | None) -> str | None:
    """The id of a reference field, whether the API sent an id or an expanded object."""
    if value is None or isinstance(value, str):
        return value
    found = getattr(value, "id", None)
    return found if isinstance(found, str) else None


# -- customers ---------------------------------------------------------------------------


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
    deduction_distribution: list[DeductionItem] = _list()
    expense_discount: float | None = None
    expense_custom_profit_margin: float | None = None
    markup_percent_supplier_invoice: float | None = None
    price_list: str | PriceList | None = None
    price_list_name: str | None = None


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
    documents: list[Any] = _list()
    billing_settings: BillingSettings | None = None
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


# -- users -------------------------------------------------------------------------------


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
    user_skills: list[str] = _list()
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
    require_educations: list[str] = _list()
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class Department(Entity):
    id: str | None = wire("_id")
    name: str | None = None
    department_number: str | None = None
    is_active: bool | None = None
    manager_ids: list[str] = _list()
    version: int | None = wire("__v")


# -- projects ----------------------------------------------------------------------------


@attrs.define(kw_only=True, slots=True)
class Permissions(Entity):
    perm_users: list[Any] = _list()
    perm_roles: list[Any] = _list()
    perm_departments: list[Any] = _list()
    permission_flag: int | None = None


@attrs.define(kw_only=True, slots=True)
class RecurringBudget(Entity):
    budget_time: float | None = None
    budget_amount: float | None = None
    budget_type: int | None = None


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
class Budget(Entity):
    type_of_benefit_calc: int | None = None
    benefits: list[Any] = _list()
    benefit_total: float | None = None
    type_of_cost_calc: int | None = None
    costs: list[Any] = _list()
    cost_total: float | None = None


@attrs.define(kw_only=True, slots=True)
class BudgetCalculation(Entity):
    invoice_items: list[Any] = _list()
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
class CustomField(Entity):
    """A custom field's value: a string id on projects, an object on invoices."""

    id: str | None = wire("_id")
    field_id: str | None = None
    value: Any = None


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
    tags: list[str] = _list()
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
    documents: list[Any] = _list()
    start_date: datetime | None = None
    end_date: datetime | None = None
    budget: Budget | None = None
    budget_calculation: BudgetCalculation | None = None
    enable_construction_diary: bool | None = None
    enable_payment_plans: bool | None = None
    time_category_items: list[Any] = _list()
    expense_item_items: list[Any] = _list()
    staff_ledger: StaffLedger | None = None
    project_time_notification: ProjectTimeNotification | None = None
    work_rule_start_of_day: Any = None
    work_rule_end_of_day: Any = None
    time_log_registration_methods: list[Any] = _list()
    time_should_not_be_work_time: bool | None = None
    enable_portal_access: bool | None = None
    project_resources: list[Any] = _list()
    check_lists: list[Any] = _list()
    color: str | None = None
    is_active: bool | None = None
    comments: list[Any] = _list()
    custom_fields: list[CustomField] = _list()
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
class Tag(Entity):
    """A project, work order or invoice tag."""

    id: str | None = wire("_id")
    tag_name: str | None = None
    color: str | None = None


# -- work orders -------------------------------------------------------------------------


@attrs.define(kw_only=True, slots=True)
class WorkAddress(Entity):
    use_other_address: bool | None = None
    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None


@attrs.define(kw_only=True, slots=True)
class WorkOrder(Entity):
    id: str | None = wire("_id")
    work_order_number: int | None = None
    title: str | None = None
    description: str | None = None
    status: int | None = None
    status_ref: str | None = None
    customer: str | Customer | None = None
    customer_number: str | None = None
    customer_name: str | None = None
    project: str | Project | None = None
    created_by_user: str | User | None = None
    created_by_user_name: str | None = None
    system_account: str | None = None
    estimated_time: float | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    color: str | None = None
    marking: str | None = None
    your_order_number: str | None = None
    work_address: WorkAddress | None = None
    budget_calculation: BudgetCalculation | None = None
    custom_fields: list[CustomField] = _list()
    tags: list[str] = _list()
    work_order_user_work_types: list[Any] = _list()
    work_order_user_skills: list[Any] = _list()
    invoice_rows: list[Any] = _list()
    todo_items: list[Any] = _list()
    reminders: list[Any] = _list()
    check_lists: list[Any] = _list()
    documents: list[Any] = _list()
    location_coordinates: list[Any] = _list()
    comments: list[Any] = _list()
    part_time_resources: list[Any] = _list()
    machines: list[Any] = _list()
    users: list[Any] = _list()
    relations: list[Any] = _list()
    create_date: datetime | None = None
    version: int | None = wire("__v")

    @property
    def created_by_user_id(self) -> str | None:
        """The creator's id: the API sends an id here, or a user object after a create."""
        return ref_id(self.created_by_user)


@attrs.define(kw_only=True, slots=True)
class WorkOrderType(Entity):
    id: str | None = wire("_id")
    work_order_type_name: str | None = None
    color: str | None = None
    is_active: bool | None = None
    version: int | None = wire("__v")


@attrs.define(kw_only=True, slots=True)
class WorkOrderStatus(Entity):
    id: str | None = wire("_id")
    status_name: str | None = None
    color: str | None = None
    in_progress_status: bool | None = None
    closed_status: bool | None = None
    planned_status: bool | None = None
    is_active: bool | None = None


# -- invoices ----------------------------------------------------------------------------


@attrs.define(kw_only=True, slots=True)
class HouseProperties(Entity):
    """The property a ROT/RUT invoice's deduction applies to."""

    type_of_property: int | None = None
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    max_deduction_amount: float | None = None
    personal_number: str | None = None
    deduction_distribution: list[DeductionItem] = _list()


@attrs.define(kw_only=True, slots=True)
class InvoiceItem(Entity):
    id: str | None = wire("_id")
    item_type: str | None = None
    item_id: str | None = None
    item_order: int | None = None
    name: str | None = None
    description: str | None = None
    expense_item: str | None = None
    expense_item_name: str | None = None
    number_of_items: float | None = None
    unit: str | None = None
    unit_cost: float | None = None
    total_cost: float | None = None
    discount_percent: float | None = None
    tax_percent: float | None = None
    unit_price: float | None = None
    total_amount: float | None = None
    total_tax_amount: float | None = None
    total_amount_incl_tax: float | None = None
    house_work_flag: bool | None = None
    house_work_type_of_work: int | None = None
    create_date: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class InvoiceLogEntry(Entity):
    id: str | None = wire("_id")
    log_date: datetime | None = None
    log_type: int | None = None
    description: str | None = None
    user: str | User | None = None
    user_name: str | None = None
    additional_data: Any = None


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
    result_unit: str | None = None
    result_unit_name: str | None = None
    price_list: str | PriceList | None = None
    price_list_name: str | None = None
    delivery_address: DeliveryAddress | None = None
    house_properties: HouseProperties | None = None
    invoice_items: list[InvoiceItem] = _list()
    invoice_log_entries: list[InvoiceLogEntry] = _list()
    custom_fields: list[CustomField] = _list()
    tags: list[str] = _list()
    work_order_ids: list[str] = _list()
    time_log_ids: list[str] = _list()
    expense_ids: list[str] = _list()
    driver_journal_ids: list[str] = _list()
    machine_time_log_ids: list[str] = _list()
    supplier_invoice_ids: list[str] = _list()
    external_system_export: list[Any] = _list()
    documents: list[Any] = _list()
    partial_payments: list[Any] = _list()
    check_lists: list[Any] = _list()
    supplement_orders: list[Any] = _list()
    marking: str | None = None
    your_order_number: str | None = None
    notes: str | None = None
    description: str | None = None
    header_text: str | None = None
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
