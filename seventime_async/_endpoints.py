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
from datetime import timedelta
from typing import Any, Generic, TypeVar

import attrs

from ._entities import (
    BillingSettings,
    ContactPerson,
    Customer,
    CustomField,
    DeliveryAddress,
    Department,
    Distributor,
    DistributorContactPerson,
    Document,
    DocumentFile,
    DriverJournal,
    DriverJournalType,
    Entity,
    Expense,
    ExpenseItem,
    HouseProperties,
    Invoice,
    InvoiceAddress,
    InvoiceItem,
    Machine,
    MachineTimeLog,
    MachineType,
    PriceList,
    Project,
    ProjectStatus,
    ProjectType,
    PurchaseOrder,
    Quote,
    QuoteCategory,
    QuoteTemplate,
    ResultUnit,
    SalaryType,
    SelfBillingSettings,
    SupplementOrder,
    SupplierInvoice,
    Tag,
    Task,
    TimeCategory,
    TimeLog,
    Timer,
    User,
    UserRole,
    UserSkill,
    UserWorkType,
    Vehicle,
    WorkAddress,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderType,
    WorkSchedule,
)
from ._errors import ValidationError
from ._wire import camel

__all__ = [
    "ENDPOINTS",
    "INCREMENTAL_OVERLAP",
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

#: How far before the start of the last complete walk an incremental one looks back
#: (``modified_since``), in the export's ``--state`` and in ``sync`` alike. The
#: reference documents no time zone for ``lastModified`` and its own examples disagree
#: (digest §1.9); it is sent as UTC, and a server reading it as Swedish time (UTC+1/+2)
#: would only widen the window. The overlap covers what is left: clock skew between
#: client and server, and writes still being committed. Three hours is generous on
#: purpose: it costs re-reading three hours of changes (de-duplicated by id), where too
#: little would lose one without a trace.
INCREMENTAL_OVERLAP = timedelta(hours=3)


class FilterKind(enum.Enum):
    """What a filter takes, so it is checked and spelled before any request."""

    TEXT = "text"  # a string or number, matched as the server documents
    ID = "id"  # an ObjectId (24 hex digits) or an entity carrying one
    BOOL = "bool"
    DATE = "date"  # datetime.date -> YYYY-MM-DD
    DATETIME = "datetime"  # an aware datetime -> YYYY-MM-DD HH:MM:SS (UTC)
    #: An aware datetime -> YYYY-MM-DD HH:MM (UTC): filters documented in that one form
    #: (the task date filters), where seconds might not be read.
    MINUTE = "minute"


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
    minutes: Iterable[str] = (),
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
        **dict.fromkeys(minutes, FilterKind.MINUTE),
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
    """``then`` is required when ``when`` is given (and, if ``values`` is set, is one of
    them); with ``absent``, when ``when`` is not given: of ``time`` and ``end_timestamp``
    one is needed, so ``Condition("time", "end_timestamp", absent=True)``."""

    when: str
    then: str
    values: tuple[Any, ...] = ()
    absent: bool = False


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
        self,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        *,
        wire: Mapping[str, str] | None = None,
        **options: Any,
    ) -> WriteSpec:
        """This spec with more fields (and options replaced): v2 bodies grow v1's."""
        more = WriteSpec.of(required, optional, wire=wire)
        return attrs.evolve(
            self,
            fields={**self.fields, **more.fields},
            required=self.required | more.required,
            **options,
        )

    def without(self, *names: str) -> WriteSpec:
        """This spec less some fields (v2 work orders no longer take a number)."""
        return attrs.evolve(
            self,
            fields={k: v for k, v in self.fields.items() if k not in names},
            required=self.required - set(names),
            date_formats={k: v for k, v in self.date_formats.items() if k not in names},
        )

    def for_update(self, required: Iterable[str] = (), **options: Any) -> WriteSpec:
        """The PUT that goes with this create: the reference's update tables list only
        what they require and point to the create for "other available fields". So the
        same fields but the creator (``modifiedByUser`` names who changed it), of which
        only ``required`` must be given (``_id`` travels apart); the create's conditions
        are left out, since a partial update leaves the rest as it is on the server.
        Nested shapes (``required_paths``) still hold."""
        names = tuple(required)
        kept = {k: v for k, v in self.fields.items() if k != "created_by_user"}
        return attrs.evolve(
            self,
            fields={**kept, **WriteSpec.of(sorted(set(names) - set(kept))).fields},
            required=frozenset(names),
            **{"conditions": (), **options},
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


def _lookup(
    name: str, path: str, entity: type[E], *, since: int = 1, key: str = "_id", **v2: Any
) -> Endpoint[E]:
    """A lookup list (tags, types, statuses...): sort only in v1; in v2 no ``meta``.
    ``since`` is the first version that has it; ``v2`` are more :class:`Api` options."""
    v1 = Api() if since == 1 else None
    return Endpoint(name, path, entity, key, v1=v1, v2=Api(paged=False, **v2))


#: The audit field a delete sends. Only the Expenses table lists it (as required); the
#: other delete tables list ``_id`` alone, but every delete example sends both (digest
#: §1.12, erratum 54), so every delete requires it: a stricter server still accepts it.
_DELETE = WriteSpec.of(("deleted_by_user",))
_MODIFIED_BY = ("modified_by_user",)
_INVOICE_ITEM_TYPE = ("invoiceItems[].itemType",)
_YMD = "%Y-%m-%d"
#: The date-time body form the reference documents (time logs): "YYYY-MM-DD HH:MM:SS".
_YMD_HMS = "%Y-%m-%d %H:%M:%S"


# -- customers -------------------------------------------------------------------------

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
_CUSTOMER_V2 = _CUSTOMER_V1.extended(
    ("created_by_user",),
    ("type_of_customer", "delivery_address"),
    nested={"billing_settings": BillingSettings, "delivery_address": DeliveryAddress},
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
        create=_CUSTOMER_V2,
        update=_CUSTOMER_V2.for_update(_MODIFIED_BY),
    ),
)
_CONTACT_PERSON_V2 = WriteSpec.of(
    ("customer", "name"),
    ("title", "work_phone", "cell_phone", "email", "is_active", "main_contact"),
)
CONTACT_PERSONS = Endpoint(
    "contact_persons",
    "/contactPersons",
    ContactPerson,
    v1=Api(query(ids=["customer_id"], required=["customer_id"]), get=True),
    v2=Api(
        query("name", ids=["customer_id"]),
        get=True,
        create=_CONTACT_PERSON_V2,
        # The PUT requires only ``_id`` (no audit field).
        update=_CONTACT_PERSON_V2.for_update(),
    ),
)
PRICE_LISTS = Endpoint("price_lists", "/priceLists", PriceList, v1=Api(), v2=Api(get=True))

# -- users and the account's setup -----------------------------------------------------

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
_USER_V2 = _USER_V1.extended(("created_by_user",))
USERS = Endpoint(
    "users",
    "/users",
    User,
    v1=Api(_USER_FILTERS, get=True, create=_USER_V1),
    v2=Api(_USER_FILTERS, get=True, create=_USER_V2, update=_USER_V2.for_update(_MODIFIED_BY)),
)
USER_ROLES = _lookup("user_roles", "/userRoles", UserRole, key="userRoleId")
SALARY_TYPES = _lookup("salary_types", "/defaultSalaryTypes", SalaryType)
USER_SKILLS = _lookup("user_skills", "/userSkills", UserSkill)
USER_WORK_TYPES = _lookup("user_work_types", "/userWorkTypes", UserWorkType, since=2)
DEPARTMENTS = Endpoint(
    "departments", "/departments", Department, v1=Api(get=True), v2=Api(get=True)
)
WORK_SCHEDULES = _lookup("work_schedules", "/workSchedules", WorkSchedule, since=2, get=True)
RESULT_UNITS = _lookup("result_units", "/resultUnits", ResultUnit, since=2, get=True)
#: Documented, but left out of the vendor's published page (digest §1.13).
CUSTOM_FIELDS = _lookup(
    "custom_fields", "/customFields", CustomField, since=2, filters=query("entity_type")
)

# -- projects --------------------------------------------------------------------------

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
    date_formats={"start_date": _YMD, "end_date": _YMD},
)
_PROJECT_V2 = _PROJECT_V1.extended(("created_by_user",))
PROJECTS = Endpoint(
    "projects",
    "/projects",
    Project,
    v1=Api(query("name", "project_number"), get=True, create=_PROJECT_V1),
    v2=Api(
        query("name", "project_number", datetimes=["modified_since"]),
        get=True,
        create=_PROJECT_V2,
        update=_PROJECT_V2.for_update(_MODIFIED_BY),
    ),
)
PROJECT_STATUSES = _lookup("project_statuses", "/projectStatuses", ProjectStatus)
PROJECT_TYPES = _lookup("project_types", "/projectTypes", ProjectType)
PROJECT_TAGS = _lookup("project_tags", "/projectTags", Tag)
SUPPLEMENT_ORDERS = Endpoint(
    "supplement_orders",
    # The HTTP-Request line says supplementOrder/<_id>; the curl is plural (erratum 24).
    "/supplementOrders",
    SupplementOrder,
    v2=Api(query(ids=["project"], required=["project"]), get=True),
)

# -- work orders -----------------------------------------------------------------------

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
# v2 no longer takes the number on create (digest §3.2) and adds tags.
_WORK_ORDER_V2 = _WORK_ORDER_V1.without("work_order_number").extended(optional=("tags",))
WORK_ORDERS = Endpoint(
    "work_orders",
    "/workOrders",
    WorkOrder,
    v1=Api(query("title", "work_order_number", "project_id"), get=True, create=_WORK_ORDER_V1),
    v2=Api(
        query(
            "title",
            "work_order_number",
            ids=["project", "user", "customer"],
            datetimes=["modified_since"],
        ),
        get=True,
        create=_WORK_ORDER_V2,
        update=_WORK_ORDER_V2.for_update(_MODIFIED_BY),
    ),
)
WORK_ORDER_TYPES = _lookup("work_order_types", "/workOrderTypes", WorkOrderType)
WORK_ORDER_TAGS = _lookup("work_order_tags", "/workOrderTags", Tag)
WORK_ORDER_STATUSES = _lookup("work_order_statuses", "/workOrderStatuses", WorkOrderStatus)

# -- invoices --------------------------------------------------------------------------

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
    required_paths=(*_INVOICE_ITEM_TYPE, "houseProperties.typeOfProperty"),
    conditions=(Condition("invoice_type", "house_properties", (1, 2)),),
    date_formats={"invoice_date": _YMD, "due_date": _YMD},
)
_INVOICE_FILTERS = query(
    "invoice_number", "ocr_number", "customer_number", wire={"ocr_number": "OCRNumber"}
)
_INVOICE_V2 = _INVOICE_V1.extended(
    optional=("invoice_status", "use_footer_from_settings", "footer_text")
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
        create=_INVOICE_V2,
        # The PUT replaces the rows and the tax setting whole, so it requires them: a
        # partial invoice would be refused by the server (_Invoices.md:L850-854).
        update=_INVOICE_V2.for_update(
            (*_MODIFIED_BY, "multiple_taxes_on_rows", "invoice_items"),
            conditions=(Condition("multiple_taxes_on_rows", "tax_percent", (False,)),),
        ),
    ),
)
INVOICE_TAGS = _lookup("invoice_tags", "/invoiceTags", Tag)

# -- time ------------------------------------------------------------------------------

_TIME_LOG = WriteSpec.of(
    ("created_by_user", "user", "timestamp"),
    (
        "end_timestamp",
        "time",
        "invoiceable_time",
        "customer",
        "project",
        "time_category",
        "work_order",
        "price_per_hour",
        "description",
        "internal_description",
        "supplement_order",
        "is_invoiceable",
        "is_absence",
    ),
    conditions=(Condition("time", "end_timestamp", absent=True),),
    date_formats={"timestamp": _YMD_HMS, "end_timestamp": _YMD_HMS},
)
TIME_LOGS = Endpoint(
    "time_logs",
    "/timeLogs",
    TimeLog,
    v2=Api(
        query(
            "work_order_number",
            ids=["user", "customer", "project", "task", "category", "work_order"],
            booleans=["is_absence"],
            datetimes=["timestamp", "end_timestamp", "invoiced_date", "modified_since"],
        ),
        get=True,
        create=_TIME_LOG,
        update=_TIME_LOG.for_update((*_MODIFIED_BY, "user")),
        delete=_DELETE,
    ),
)
TIME_CATEGORIES = _lookup("time_categories", "/timeCategories", TimeCategory, since=2, get=True)
_TIMER_LINKS = ("customer", "project", "work_order", "time_category", "task")
#: Documented, but left out of the vendor's published page (digest §1.13). The list
#: holds the running timers; starting and stopping one are actions (``timers.start``,
#: ``timers.stop``), each a POST to its own path.
TIMERS = Endpoint(
    "timers",
    "/timers",
    Timer,
    v2=Api(
        query(ids=["user", *_TIMER_LINKS]),
        actions={
            # The HTTP-Request line says POST timers/; the curl and JS use startTimer.
            "start": Action("/startTimer", WriteSpec.of(("user",), _TIMER_LINKS)),
            # The timer is named by its _id or by its user; the answer is the time log.
            "stop": Action(
                "/stopTimer",
                WriteSpec.of(
                    (),
                    ("id", "user"),
                    wire={"id": "_id"},
                    conditions=(Condition("user", "id", absent=True),),
                ),
                returns=TimeLog,
            ),
        },
    ),
)

# -- expenses --------------------------------------------------------------------------

_EXPENSE = WriteSpec.of(
    ("created_by_user", "user"),
    (
        "expense_item",
        "name",
        "work_order",
        "customer",
        "project",
        "distributor",
        "number_of_items",
        "unit",
        "unit_cost",
        "unit_price",
        "discount_percent",
        "tax_percent",
        "timestamp",
        "description",
        "is_invoiceable",
        "do_reimburse",
    ),
    # An expense names its article (expense_item) or, where free-text articles are
    # enabled, gives a name and the prices the article would have given.
    conditions=(
        Condition("name", "expense_item", absent=True),
        *(
            Condition("expense_item", price, absent=True)
            for price in ("unit_cost", "unit_price", "discount_percent", "tax_percent")
        ),
    ),
    date_formats={"timestamp": _YMD_HMS},
)
EXPENSES = Endpoint(
    "expenses",
    "/expenses",
    Expense,
    v2=Api(
        query(
            "name",
            "article_number",
            ids=["customer", "project", "distributor"],
            dates=["from_date", "to_date"],
            datetimes=["modified_since"],
        ),
        get=True,
        create=_EXPENSE,
        update=_EXPENSE.for_update((*_MODIFIED_BY, "user")),
        delete=_DELETE,
    ),
)
EXPENSE_ITEMS = Endpoint(
    "expense_items",
    # The list's HTTP-Request line says GET expenses; the curl uses expenseItems (erratum 25).
    "/expenseItems",
    ExpenseItem,
    v2=Api(
        query(
            "name",
            "article_number",
            "distributor_name",
            "description",
            "parent_expense_item_name",
            booleans=["is_invoiceable", "is_active", "favorite"],
        ),
        get=True,
    ),
)

# -- buying ----------------------------------------------------------------------------

_DISTRIBUTOR = WriteSpec.of(
    ("name",),
    (
        "distributor_number",
        "address",
        "zip_code",
        "city",
        "country",
        "email",
        "organization_number",
        "vat_number",
        "bankgiro",
        "plusgiro",
        "notes",
        "purchase_order_email",
        "our_customer_number",
        "payment_days",
        "is_sub_contractor",
        "has_self_billing",
        "self_billing_settings",
        "is_active",
    ),
    nested={"self_billing_settings": SelfBillingSettings},
)
DISTRIBUTORS = Endpoint(
    "distributors",
    "/distributors",
    Distributor,
    v2=Api(
        query("name"),
        get=True,
        create=_DISTRIBUTOR,
        # The PUT requires only ``_id`` (no audit field).
        update=_DISTRIBUTOR.for_update(),
    ),
)
DISTRIBUTOR_CONTACT_PERSONS = _lookup(
    "distributor_contact_persons",
    "/distributorContactPersons",
    DistributorContactPerson,
    since=2,
    filters=query(ids=["distributor"], required=["distributor"]),
)
_PURCHASE_ORDER = WriteSpec.of(
    ("created_by_user", "distributor"),
    (
        "language",
        "purchase_order_name",
        "purchase_order_info_name",
        "purchase_order_status",
        "contact_person_distributor",
        "purchase_order_date",
        "work_order",
        "project",
        "desired_delivery_date",
        "delivery_address",
        "delivery_attention",
        "delivery_phone",
        "invoice_address",
        "marking",
        "payment_days",
        "invoice_items",
        "header_text",
        "footer_text",
        "footer_info_text",
    ),
    nested={
        "delivery_address": DeliveryAddress,
        "invoice_address": InvoiceAddress,
        "invoice_items": InvoiceItem,
    },
    required_paths=_INVOICE_ITEM_TYPE,
    date_formats={"purchase_order_date": _YMD, "desired_delivery_date": _YMD},
)
PURCHASE_ORDERS = Endpoint(
    "purchase_orders",
    "/purchaseOrders",
    PurchaseOrder,
    v2=Api(
        query(
            "purchase_order_name",
            "purchase_order_info_name",
            "purchase_order_number",
            "purchase_order_status",
            "work_order_number",
            ids=["distributor", "project", "work_order"],
        ),
        get=True,
        create=_PURCHASE_ORDER,
        update=_PURCHASE_ORDER.for_update(_MODIFIED_BY),
        delete=_DELETE,
    ),
)
_SUPPLIER_INVOICE = WriteSpec.of(
    ("supplier_invoice_number", "created_by_user", "distributor", "total_amount_incl_tax"),
    (
        "customer",
        "project",
        "work_order",
        "result_unit",
        "supplier_invoice_status",
        "tax_percent",
        "markup_percent",
        "invoice_date",
        "due_date",
        "exported_to_economy",
        "ocr",
        "currency_code",
        "currency_rate",
        "supplement_order",
        "supplement_order_id",
        "our_reference",
        "your_reference",
        "notes",
        "is_invoiceable",
        "invoice_items",
    ),
    wire={"ocr": "OCR"},
    nested={"invoice_items": InvoiceItem},
    required_paths=_INVOICE_ITEM_TYPE,
    date_formats={"invoice_date": _YMD, "due_date": _YMD},
)
SUPPLIER_INVOICES = Endpoint(
    "supplier_invoices",
    "/supplierInvoices",
    SupplierInvoice,
    v2=Api(
        query(
            "supplier_invoice_number",
            "supplier_invoice_status",
            "work_order_number",
            ids=["project", "customer", "work_order", "distributor"],
            booleans=["is_invoiceable", "is_self_billing_invoice", "exported_to_economy"],
            # No format is given for these two; the invoices' are YYYY-MM-DD.
            dates=["from_invoice_date", "to_invoice_date"],
            datetimes=["modified_since"],
        ),
        get=True,
        create=_SUPPLIER_INVOICE,
        update=_SUPPLIER_INVOICE.for_update(_MODIFIED_BY),
        delete=_DELETE,
    ),
)

# -- quotes ----------------------------------------------------------------------------

QUOTES = Endpoint(
    "quotes",
    "/quotes",
    Quote,
    v2=Api(
        query(
            "quote_name",
            "quote_number",
            dates=["from_quote_date", "to_quote_date", "from_valid_to_date", "to_valid_to_date"],
        ),
        get=True,
    ),
)
QUOTE_TEMPLATES = _lookup(
    "quote_templates", "/quoteTemplates", QuoteTemplate, since=2, filters=query("template_name")
)
QUOTE_CATEGORIES = _lookup(
    "quote_categories",
    "/quoteCategories",
    QuoteCategory,
    since=2,
    filters=query("quote_category_name"),
)

# -- machines and vehicles -------------------------------------------------------------

MACHINES = Endpoint(
    "machines",
    # The HTTP-Request line says machine/<_id>; the curl is plural (erratum 22).
    "/machines",
    Machine,
    v2=Api(
        query(
            "name",
            "machine_number",
            "machine_type_name",
            "machine_model",
            "serial_number",
            booleans=["serviceable"],
        ),
        get=True,
    ),
)
MACHINE_TYPES = _lookup("machine_types", "/machineTypes", MachineType, since=2)
MACHINE_TIME_LOGS = Endpoint(
    "machine_time_logs",
    # Get-one is documented two ways, both wrong (erratum 21): the curl asks machines/<id>
    # (a machine, not a log) and the HTTP-Request line the singular machineTimeLog/<id>,
    # which the curls of machines, vehicles and supplement orders correct to the plural.
    # So: machineTimeLogs/<id>, the collection path, as for every other family.
    "/machineTimeLogs",
    MachineTimeLog,
    v2=Api(query(dates=["from_date", "to_date"]), get=True),
)
VEHICLES = Endpoint(
    "vehicles",
    # The HTTP-Request line says vehicle/<_id>; the curl is plural (erratum 23).
    "/vehicles",
    Vehicle,
    v2=Api(get=True),
)
_DRIVER_JOURNAL = WriteSpec.of(
    (
        "created_by_user",
        "user",
        "driver_journal_item_type",
        "start_address",
        "end_address",
        "travel_purpose",
        "start_odometer",
        "end_odometer",
    ),
    (
        "vehicle",
        "car_registration_number",
        "customer",
        "project",
        "work_order",
        "price",
        "cost",
        "description",
        "is_invoiceable",
        "is_salary_compensated",
    ),
    # The car: a vehicle of the register, or else a registration number.
    conditions=(Condition("car_registration_number", "vehicle", absent=True),),
)
DRIVER_JOURNALS = Endpoint(
    "driver_journals",
    "/driverJournals",
    DriverJournal,
    v2=Api(
        query(
            "project_name",
            "customer_name",
            "driver_journal_item_type_name",
            "work_order_title",
            "work_order_number",
            "car_registration_number",
            "start_address",
            "end_address",
            booleans=["is_invoiceable"],
            dates=["from_date", "to_date"],
        ),
        get=True,
        create=_DRIVER_JOURNAL,
        update=_DRIVER_JOURNAL.for_update((*_MODIFIED_BY, "user")),
        delete=_DELETE,
    ),
)
DRIVER_JOURNAL_TYPES = _lookup(
    "driver_journal_types", "/driverJournalTypes", DriverJournalType, since=2
)

# -- tasks and documents ---------------------------------------------------------------

_TASK = WriteSpec.of(
    ("created_by_user", "title"),
    (
        "start_date",
        "due_date",
        "work_order",
        "user",
        "project",
        "customer",
        "quote",
        "invoice",
        "machine",
        "completed",
    ),
    date_formats={"start_date": _YMD, "due_date": _YMD},
)
#: Documented, but left out of the vendor's published page (digest §1.13).
TASKS = Endpoint(
    "tasks",
    "/tasks",
    Task,
    v2=Api(
        query(
            "title",
            ids=[
                "user",
                "project",
                "customer",
                "quote",
                "work_order",
                "invoice",
                "machine",
                "object_item",
            ],
            minutes=["from_start_date", "to_start_date", "from_due_date", "to_due_date"],
        ),
        get=True,
        create=_TASK,
        update=_TASK.for_update(_MODIFIED_BY),
        delete=_DELETE,
    ),
)
#: Documents cannot be listed or fetched: they come embedded in their parent
#: (``documents``). The one operation is the upload, an action.
DOCUMENTS = Endpoint(
    "documents",
    "/documents",
    Document,
    v2=Api(
        listable=False,
        actions={
            "upload": Action(
                "/documents",
                WriteSpec.of(
                    ("uploaded_by", "file"),
                    ("entity_id", "entity_type", "folder_id"),
                    nested={"file": DocumentFile},
                    required_paths=("file.options.fileName",),
                    # A folder needs neither; a document needs both (_Documents.md:L99-104).
                    conditions=(Condition("entity_id", "entity_type"),),
                ),
            )
        },
    ),
)

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
    # v2 only.
    TIME_LOGS,
    TIME_CATEGORIES,
    TIMERS,
    EXPENSES,
    EXPENSE_ITEMS,
    SUPPLIER_INVOICES,
    PURCHASE_ORDERS,
    DISTRIBUTORS,
    DISTRIBUTOR_CONTACT_PERSONS,
    QUOTES,
    QUOTE_TEMPLATES,
    QUOTE_CATEGORIES,
    MACHINES,
    MACHINE_TYPES,
    MACHINE_TIME_LOGS,
    VEHICLES,
    DRIVER_JOURNALS,
    DRIVER_JOURNAL_TYPES,
    TASKS,
    DOCUMENTS,
    SUPPLEMENT_ORDERS,
    RESULT_UNITS,
    WORK_SCHEDULES,
    USER_WORK_TYPES,
    CUSTOM_FIELDS,
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
