"""The one declarative table of the API's 18 endpoint families (pure data).

Everything per-endpoint lives here: path, entity, filters, default cursor key, whether
``get``/``create`` exist, and the create fields with their rules, transcribed from the
reference (with design.md's errata applied). Resources, request validation and the
emulator all read this table; none of them has per-endpoint code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

from ._entities import (
    BillingSettings,
    ContactPerson,
    Customer,
    DeliveryAddress,
    Department,
    Entity,
    HouseProperties,
    Invoice,
    InvoiceItem,
    PriceList,
    Project,
    ProjectStatus,
    ProjectType,
    SalaryType,
    Tag,
    User,
    UserRole,
    UserSkill,
    WorkAddress,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderType,
)

__all__ = ["ENDPOINTS", "Condition", "CreateSpec", "Endpoint", "by_name"]

E = TypeVar("E", bound=Entity)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _names(*specs: str) -> dict[str, str]:
    """``"customer_id"`` -> camelCase wire name; ``"project=Project"`` names it explicitly."""
    out: dict[str, str] = {}
    for spec in specs:
        name, _, wire = spec.rstrip("*").partition("=")
        out[name] = wire or _camel(name)
    return out


def _required(*specs: str) -> frozenset[str]:
    return frozenset(spec.rstrip("*").partition("=")[0] for spec in specs if spec.endswith("*"))


@attrs.frozen
class Condition:
    """``then`` is required when ``when`` is given (and, if ``values`` is set, is one of them)."""

    when: str
    then: str
    values: tuple[Any, ...] = ()


@attrs.frozen
class CreateSpec:
    fields: Mapping[str, str]
    required: frozenset[str]
    #: Fields whose values are objects (or lists of them): entity instances or dicts.
    nested: Mapping[str, type[Entity]] = attrs.field(factory=dict)
    #: Required keys inside nested values, as wire paths: ``invoiceItems[].itemType``.
    required_paths: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    #: strftime formats for date fields given as ``date``/``datetime``.
    date_formats: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def of(cls, *specs: str, **options: Any) -> CreateSpec:
        """Fields as ``"name*"`` (required), ``"city"``, ``"project=Project"`` (wire name)."""
        return cls(fields=_names(*specs), required=_required(*specs), **options)


@attrs.frozen
class Endpoint(Generic[E]):
    name: str
    path: str
    entity: type[E]
    filters: Mapping[str, str] = attrs.field(factory=dict)
    required_filters: frozenset[str] = frozenset()
    #: The default keyset-cursor key: a unique field every item carries.
    key: str = "_id"
    get: bool = False
    create: CreateSpec | None = None

    @classmethod
    def of(cls, name: str, path: str, entity: type[E], *filters: str, **kw: Any) -> Endpoint[E]:
        return cls(
            name=name,
            path=path,
            entity=entity,
            filters=_names(*filters),
            required_filters=_required(*filters),
            **kw,
        )


_DEDUCTION_ITEM = "billingSettings.deductionDistribution[]."

CUSTOMERS = Endpoint.of(
    "customers",
    "/customers",
    Customer,
    "name",
    "customer_number",
    "organization_number",
    "city",
    get=True,
    create=CreateSpec.of(
        "name*",
        "customer_number",
        "address",
        "address2",
        "zip_code",
        "city",
        "country",
        "phone",
        "email",
        "organization_number",
        "vat_number",
        "payment_days",
        "billing_settings",
        nested={"billing_settings": BillingSettings},
        required_paths=tuple(
            _DEDUCTION_ITEM + key for key in ("userName", "personalNumber", "distributionPercent")
        ),
    ),
)
CONTACT_PERSONS = Endpoint.of(
    "contact_persons", "/contactPersons", ContactPerson, "customer_id*", get=True
)
USERS = Endpoint.of(
    "users",
    "/users",
    User,
    "name",
    "person_number",
    "department",
    "user_role",
    "is_active",
    "is_activated",
    "default_salary_type",
    "user_skills",
    get=True,
    create=CreateSpec.of(
        "first_name*",
        "last_name*",
        "email*",
        "user_name*",
        "user_role_id*",
        "employee_number",
        "work_phone",
        "cell_phone",
        "is_active",
        "is_activated",
        "password",
        "language",
    ),
)
USER_ROLES = Endpoint.of("user_roles", "/userRoles", UserRole, key="userRoleId")
SALARY_TYPES = Endpoint.of("salary_types", "/defaultSalaryTypes", SalaryType)
USER_SKILLS = Endpoint.of("user_skills", "/userSkills", UserSkill)
DEPARTMENTS = Endpoint.of("departments", "/departments", Department, get=True)
PROJECTS = Endpoint.of(
    "projects",
    "/projects",
    Project,
    "name",
    "project_number",
    get=True,
    create=CreateSpec.of(
        "name*",
        "project_number",
        "project_status_ref",
        "customer",
        "contact_person",
        "invoice_status",
        "project_leader",
        "project_type",
        "department",
        "start_date",
        "end_date",
        "notes",
        "result_unit",
        "billing_method",
        "price_per_hour",
        "fixed_price",
        "time_category_price_list",
        "project_tags",
        "marking",
        "your_order_number",
        "delivery_address",
        nested={"delivery_address": DeliveryAddress},
        conditions=(
            Condition("billing_method", "price_per_hour", ("HOURLY",)),
            Condition("billing_method", "fixed_price", ("FIXED_PRICE",)),
            Condition("billing_method", "time_category_price_list", ("PRICELIST",)),
            Condition("contact_person", "customer"),
        ),
        date_formats={"start_date": "%Y-%m-%d", "end_date": "%Y-%m-%d"},
    ),
)
PROJECT_STATUSES = Endpoint.of("project_statuses", "/projectStatuses", ProjectStatus)
PROJECT_TYPES = Endpoint.of("project_types", "/projectTypes", ProjectType)
PROJECT_TAGS = Endpoint.of("project_tags", "/projectTags", Tag)
WORK_ORDERS = Endpoint.of(
    "work_orders",
    "/workOrders",
    WorkOrder,
    "title",
    "work_order_number",
    "project_id",
    get=True,
    create=CreateSpec.of(
        "title*",
        "customer*",
        "created_by_user*",
        "work_order_number",
        "status_ref",
        "project=Project",
        "start_date",
        "end_date",
        "current_owner",
        "users",
        "machines",
        "estimated_time",
        "contact_person",
        "work_order_type",
        "department",
        "work_leader",
        "description",
        "color",
        "invoice_status",
        "billing_method",
        "fixed_price",
        "is_supplement_order",
        "work_address",
        "enable_portal_access",
        "allow_registration_of_times",
        "allow_registration_of_expenses",
        "marking",
        "your_order_number",
        nested={"work_address": WorkAddress},
        required_paths=("workAddress.useOtherAddress",),
        conditions=(Condition("billing_method", "fixed_price", ("FIXED_PRICE",)),),
        date_formats={"start_date": "%Y-%m-%d %H:%M", "end_date": "%Y-%m-%d %H:%M"},
    ),
)
WORK_ORDER_TYPES = Endpoint.of("work_order_types", "/workOrderTypes", WorkOrderType)
WORK_ORDER_TAGS = Endpoint.of("work_order_tags", "/workOrderTags", Tag)
WORK_ORDER_STATUSES = Endpoint.of("work_order_statuses", "/workOrderStatuses", WorkOrderStatus)
PRICE_LISTS = Endpoint.of("price_lists", "/priceLists", PriceList)
INVOICES = Endpoint.of(
    "invoices",
    "/invoices",
    Invoice,
    "invoice_number",
    "ocr_number=OCRNumber",
    "customer_number",
    get=True,
    create=CreateSpec.of(
        "customer*",
        "created_by_user*",
        "language*",
        "name",
        "invoice_date",
        "due_date",
        "project",
        "marking",
        "your_order_number",
        "contact_person",
        "our_reference",
        "delivery_address",
        "work_order",
        "result_unit",
        "invoice_type",
        "house_properties",
        "price_list",
        "multiple_taxes_on_rows",
        "tax_percent",
        "currency_code",
        "currency_rate",
        "notes",
        "invoice_items",
        "tags",
        nested={
            "delivery_address": DeliveryAddress,
            "house_properties": HouseProperties,
            "invoice_items": InvoiceItem,
        },
        required_paths=("invoiceItems[].itemType", "houseProperties.typeOfProperty"),
        conditions=(Condition("invoice_type", "house_properties", (1, 2)),),
        date_formats={"invoice_date": "%Y-%m-%d", "due_date": "%Y-%m-%d"},
    ),
)
INVOICE_TAGS = Endpoint.of("invoice_tags", "/invoiceTags", Tag)

ENDPOINTS: tuple[Endpoint[Any], ...] = (
    CUSTOMERS,
    CONTACT_PERSONS,
    USERS,
    USER_ROLES,
    SALARY_TYPES,
    USER_SKILLS,
    DEPARTMENTS,
    PROJECTS,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    PROJECT_TAGS,
    WORK_ORDERS,
    WORK_ORDER_TYPES,
    WORK_ORDER_TAGS,
    WORK_ORDER_STATUSES,
    PRICE_LISTS,
    INVOICES,
    INVOICE_TAGS,
)

_BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}


def by_name(name: str) -> Endpoint[Any]:
    """An endpoint by its client attribute name (``"work_orders"``) or path (``"/workOrders"``)."""
    found = _BY_NAME.get(name) or next((e for e in ENDPOINTS if e.path == name), None)
    if found is None:
        raise KeyError(name)
    return found
