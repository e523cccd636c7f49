"""The one declarative table of the API's endpoint families (pure data).

One row per family: its client attribute name, path, entity class and cursor key, and
for each API version that has it, an :class:`Api`: the documented filters, whether items
can be fetched one by one, and the fields of its writes (create, update, delete) with
their rules, transcribed from the references (design.md §3 and §10, with the errata
applied). Resources, request validation, the CLI and the emulator all read this table;
none of them has per-family code. A new family is one row plus its entity.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
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
from ._errors import ValidationError
from ._wire import camel

__all__ = [
    "ENDPOINTS",
    "VERSIONS",
    "Action",
    "Api",
    "Condition",
    "Endpoint",
    "Filter",
    "FilterKind",
    "WriteSpec",
    "by_name",
    "families",
    "query",
]

E = TypeVar("E", bound=Entity)
VERSIONS = (1, 2)


class FilterKind(enum.Enum):
    """What a filter takes, so it is checked and spelled before any request."""

    TEXT = "text"  # a string or number, matched as the server documents
    ID = "id"  # an ObjectId (24 hex digits) or an entity carrying one
    BOOL = "bool"
    DATE = "date"  # datetime.date -> YYYY-MM-DD
    DATETIME = "datetime"  # an aware datetime -> YYYY-MM-DD HH:MM:SS (UTC)


@attrs.frozen
class Filter:
    wire: str
    kind: FilterKind = FilterKind.TEXT
    required: bool = False


def query(
    *text: str,
    ids: Iterable[str] = (),
    booleans: Iterable[str] = (),
    dates: Iterable[str] = (),
    datetimes: Iterable[str] = (),
    required: Iterable[str] = (),
    wire: Mapping[str, str] | None = None,
) -> dict[str, Filter]:
    """The filters of one list, by snake_case name and kind; wire names are the camelCase
    of the name unless ``wire`` says otherwise; ``required`` names filters the server
    refuses to list without. ``modified_since`` is the ``lastModified`` filter."""
    kinds = {
        **dict.fromkeys(text, FilterKind.TEXT),
        **dict.fromkeys(ids, FilterKind.ID),
        **dict.fromkeys(booleans, FilterKind.BOOL),
        **dict.fromkeys(dates, FilterKind.DATE),
        **dict.fromkeys(datetimes, FilterKind.DATETIME),
    }
    must = frozenset(required)
    if not must <= kinds.keys():
        raise ValueError(f"required filters {sorted(must - kinds.keys())} are not declared")
    names = {"modified_since": "lastModified", **(wire or {})}
    return {
        name: Filter(names.get(name) or camel(name), kind, name in must)
        for name, kind in kinds.items()
    }


@attrs.frozen
class Condition:
    """``then`` is required when ``when`` is given (and, if ``values`` is set, is one of them)."""

    when: str
    then: str
    values: tuple[Any, ...] = ()


@attrs.frozen
class WriteSpec:
    """The body of one write (create, update or delete): its fields and their rules.

    ``created_by_user``, ``modified_by_user`` and ``deleted_by_user`` are filled from the
    client's ``acting_user`` when the call does not name them.
    """

    #: Attribute name -> wire name.
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
    def of(
        cls,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        *,
        wire: Mapping[str, str] | None = None,
        **options: Any,
    ) -> WriteSpec:
        required = tuple(required)
        names = (*required, *optional)
        wires = wire or {}
        return cls(
            fields={name: wires.get(name) or camel(name) for name in names},
            required=frozenset(required),
            **options,
        )

    def extended(
        self, required: Iterable[str] = (), optional: Iterable[str] = (), **options: Any
    ) -> WriteSpec:
        """This spec with more fields (and options replaced): v2 bodies grow v1's."""
        more = WriteSpec.of(required, optional)
        return attrs.evolve(
            self,
            fields={**self.fields, **more.fields},
            required=self.required | more.required,
            **options,
        )


@attrs.frozen
class Action:
    """A write that is not create, update or delete: a POST to its own path
    (``/startTimer``), with a body checked like any write's."""

    path: str
    body: WriteSpec
    #: The entity the server answers with; None: the family's own.
    returns: type[Entity] | None = None


@attrs.frozen
class Api:
    """What one API version offers for a family."""

    filters: Mapping[str, Filter] = attrs.field(factory=dict)
    #: ``GET <path>/<id>`` exists.
    get: bool = False
    create: WriteSpec | None = None
    #: PUT to the collection URL with ``_id`` in the body (v2).
    update: WriteSpec | None = None
    #: DELETE to the collection URL with ``_id`` in the body (v2); fields besides ``_id``.
    delete: WriteSpec | None = None
    #: The list sends ``meta`` (v2); lookup lists send ``{"data": [...]}`` alone.
    paged: bool = True
    #: The family can be listed at all (documents, for one, cannot).
    listable: bool = True
    #: Named actions (``timers``: start and stop; ``documents``: upload).
    actions: Mapping[str, Action] = attrs.field(factory=dict)

    @property
    def required_filters(self) -> frozenset[str]:
        return frozenset(name for name, f in self.filters.items() if f.required)

    @property
    def incremental(self) -> bool:
        """Whether lists take ``modified_since`` (the server's ``lastModified``)."""
        return "modified_since" in self.filters


@attrs.frozen
class Endpoint(Generic[E]):
    name: str
    path: str
    entity: type[E]
    #: The default cursor key: a unique field every item carries.
    key: str = "_id"
    v1: Api | None = None
    v2: Api | None = None

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(v for v in VERSIONS if self.spec(v) is not None)

    def spec(self, version: int) -> Api | None:
        """What ``version`` offers for this family, or None where it does not exist."""
        found: Api | None = getattr(self, f"v{version}", None) if version in VERSIONS else None
        return found

    def api(self, version: int) -> Api:
        """As :meth:`spec`, but a family missing from ``version`` is a ValidationError."""
        found = self.spec(version)
        if found is None:
            have = " and ".join(f"v{v}" for v in self.versions)
            raise ValidationError(
                f"{self.name} does not exist in API v{version} (it is in {have}); "
                f"use SevenTimeClient(api_version={self.versions[-1]})"
            )
        return found


def _lookup(name: str, path: str, entity: type[E], **kw: Any) -> Endpoint[E]:
    """A lookup list (tags, types, statuses...): sort only, and in v2 no ``meta``."""
    return Endpoint(name, path, entity, v1=Api(), v2=Api(paged=False), **kw)


# -- the families ----------------------------------------------------------------------

_DEDUCTION_ITEM = "billingSettings.deductionDistribution[]."

_CUSTOMER_V1 = WriteSpec.of(
    ("name",),
    (
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
    ),
    nested={"billing_settings": BillingSettings},
    required_paths=tuple(
        _DEDUCTION_ITEM + key for key in ("userName", "personalNumber", "distributionPercent")
    ),
)
CUSTOMERS = Endpoint(
    "customers",
    "/customers",
    Customer,
    v1=Api(
        query("name", "customer_number", "organization_number", "city"),
        get=True,
        create=_CUSTOMER_V1,
    ),
    v2=Api(
        query(
            "name", "customer_number", "organization_number", "city", datetimes=["modified_since"]
        ),
        get=True,
        create=_CUSTOMER_V1.extended(
            ("created_by_user",),
            ("type_of_customer", "delivery_address"),
            nested={"billing_settings": BillingSettings, "delivery_address": DeliveryAddress},
        ),
    ),
)
CONTACT_PERSONS = Endpoint(
    "contact_persons",
    "/contactPersons",
    ContactPerson,
    v1=Api(query(ids=["customer_id"], required=["customer_id"]), get=True),
    v2=Api(query("name", ids=["customer_id"]), get=True),
)
_USER_FILTERS = query(
    "name",
    "person_number",
    "department",
    "user_role",
    "default_salary_type",
    "user_skills",
    booleans=["is_active", "is_activated"],
)
_USER_V1 = WriteSpec.of(
    ("first_name", "last_name", "email", "user_name", "user_role_id"),
    (
        "employee_number",
        "work_phone",
        "cell_phone",
        "is_active",
        "is_activated",
        "password",
        "language",
    ),
)
USERS = Endpoint(
    "users",
    "/users",
    User,
    v1=Api(_USER_FILTERS, get=True, create=_USER_V1),
    v2=Api(_USER_FILTERS, get=True, create=_USER_V1.extended(("created_by_user",))),
)
USER_ROLES = _lookup("user_roles", "/userRoles", UserRole, key="userRoleId")
SALARY_TYPES = _lookup("salary_types", "/defaultSalaryTypes", SalaryType)
USER_SKILLS = _lookup("user_skills", "/userSkills", UserSkill)
DEPARTMENTS = Endpoint(
    "departments", "/departments", Department, v1=Api(get=True), v2=Api(get=True)
)
_PROJECT_V1 = WriteSpec.of(
    ("name",),
    (
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
    ),
    nested={"delivery_address": DeliveryAddress},
    conditions=(
        Condition("billing_method", "price_per_hour", ("HOURLY",)),
        Condition("billing_method", "fixed_price", ("FIXED_PRICE",)),
        Condition("billing_method", "time_category_price_list", ("PRICELIST",)),
        Condition("contact_person", "customer"),
    ),
    date_formats={"start_date": "%Y-%m-%d", "end_date": "%Y-%m-%d"},
)
PROJECTS = Endpoint(
    "projects",
    "/projects",
    Project,
    v1=Api(query("name", "project_number"), get=True, create=_PROJECT_V1),
    v2=Api(
        query("name", "project_number", datetimes=["modified_since"]),
        get=True,
        create=_PROJECT_V1.extended(("created_by_user",)),
    ),
)
PROJECT_STATUSES = _lookup("project_statuses", "/projectStatuses", ProjectStatus)
PROJECT_TYPES = _lookup("project_types", "/projectTypes", ProjectType)
PROJECT_TAGS = _lookup("project_tags", "/projectTags", Tag)
_WORK_ORDER_V1 = WriteSpec.of(
    ("title", "customer", "created_by_user"),
    (
        "work_order_number",
        "status_ref",
        "project",
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
    ),
    wire={"project": "Project"},
    nested={"work_address": WorkAddress},
    required_paths=("workAddress.useOtherAddress",),
    conditions=(Condition("billing_method", "fixed_price", ("FIXED_PRICE",)),),
    date_formats={"start_date": "%Y-%m-%d %H:%M", "end_date": "%Y-%m-%d %H:%M"},
)
WORK_ORDERS = Endpoint(
    "work_orders",
    "/workOrders",
    WorkOrder,
    v1=Api(query("title", "work_order_number", "project_id"), get=True, create=_WORK_ORDER_V1),
    v2=Api(
        query(
            "title",
            "work_order_number",
            "project",
            "user",
            "customer",
            datetimes=["modified_since"],
        ),
        get=True,
        create=_WORK_ORDER_V1.extended(optional=("tags",)),
    ),
)
WORK_ORDER_TYPES = _lookup("work_order_types", "/workOrderTypes", WorkOrderType)
WORK_ORDER_TAGS = _lookup("work_order_tags", "/workOrderTags", Tag)
WORK_ORDER_STATUSES = _lookup("work_order_statuses", "/workOrderStatuses", WorkOrderStatus)
PRICE_LISTS = Endpoint("price_lists", "/priceLists", PriceList, v1=Api(), v2=Api(get=True))
_INVOICE_V1 = WriteSpec.of(
    ("customer", "created_by_user", "language"),
    (
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
    ),
    nested={
        "delivery_address": DeliveryAddress,
        "house_properties": HouseProperties,
        "invoice_items": InvoiceItem,
    },
    required_paths=("invoiceItems[].itemType", "houseProperties.typeOfProperty"),
    conditions=(Condition("invoice_type", "house_properties", (1, 2)),),
    date_formats={"invoice_date": "%Y-%m-%d", "due_date": "%Y-%m-%d"},
)
_INVOICE_FILTERS = query(
    "invoice_number", "ocr_number", "customer_number", wire={"ocr_number": "OCRNumber"}
)
INVOICES = Endpoint(
    "invoices",
    "/invoices",
    Invoice,
    v1=Api(_INVOICE_FILTERS, get=True, create=_INVOICE_V1),
    v2=Api(
        {
            **_INVOICE_FILTERS,
            **query(dates=["from_invoice_date", "to_invoice_date", "from_due_date", "to_due_date"]),
        },
        get=True,
        create=_INVOICE_V1.extended(
            optional=("invoice_status", "use_footer_from_settings", "footer_text")
        ),
    ),
)
INVOICE_TAGS = _lookup("invoice_tags", "/invoiceTags", Tag)

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


def families(version: int) -> tuple[Endpoint[Any], ...]:
    """The families that ``version`` has, in table order."""
    return tuple(e for e in ENDPOINTS if e.spec(version) is not None)
