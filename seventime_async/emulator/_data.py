"""Seeded, realistic data for the emulator: Swedish names and places, ObjectIds whose
timestamps spread over years, nulls and empty strings where the reference shows them.

Every document has the shape of the reference's examples (wire names, ``_id``, ``__v``,
ISO timestamps), so what the emulator serves decodes exactly like the real API.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from .._endpoints import ENDPOINTS, Endpoint
from .._wire import format_timestamp
from ._coherent import COHERENT
from ._generic import generic_docs, referred_first

__all__ = ["DEFAULT_COUNTS", "Generator", "generated", "object_id"]

FIRST = [
    "Tommy",
    "Lucas",
    "Felix",
    "Anna",
    "Eva",
    "Björn",
    "Åsa",
    "Örjan",
    "Karin",
    "Lars",
    "Ingrid",
    "Sven",
    "Maja",
    "Elsa",
    "Nils",
    "Astrid",
    "Göran",
    "Linnéa",
    "Oskar",
    "Siv",
]
LAST = [
    "Hellström",
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jönsson",
    "Lindqvist",
    "Åkesson",
    "Öberg",
    "Bergström",
    "Lundgren",
    "Sjöberg",
    "Wallén",
]
CITIES = [
    ("Västra Karup", "269 74"),
    ("Båstad", "269 31"),
    ("Malmö", "211 22"),
    ("Göteborg", "411 03"),
    ("Stockholm", "111 22"),
    ("Ängelholm", "262 31"),
    ("Helsingborg", "252 21"),
    ("Lund", "222 21"),
    ("Umeå", "903 26"),
    ("Östersund", "831 30"),
    ("Jönköping", "553 20"),
    ("Växjö", "352 30"),
]
STREETS = [
    "Glimmingevägen",
    "Storgatan",
    "Kyrkogatan",
    "Strandvägen",
    "Åsgatan",
    "Skolgatan",
    "Hamngatan",
    "Björkvägen",
    "Ekvägen",
    "Tallstigen",
]
COMPANY = ["Bygg", "El", "VVS", "Måleri", "Snickeri", "Trädgård", "Plåt", "Golv", "Städ"]
SUFFIX = ["AB", "HB", "& Son AB", "Entreprenad AB", "Service AB"]
COLORS = [
    "9c27b0",
    "673ab7",
    "3F51B5",
    "2196F3",
    "009688",
    "4CAF50",
    "FF9800",
    "FF5722",
    "f44336",
    "795548",
    "FAFAFA",
]

DEFAULT_COUNTS: dict[str, int] = {
    "customers": 250,
    "contact_persons": 400,
    "users": 120,
    "salary_types": 12,
    "user_skills": 15,
    "departments": 8,
    "projects": 300,
    "project_statuses": 6,
    "project_types": 5,
    "project_tags": 8,
    "work_orders": 500,
    "work_order_types": 6,
    "work_order_tags": 8,
    "work_order_statuses": 7,
    "price_lists": 5,
    "invoices": 300,
    "invoice_tags": 5,
}
#: How many documents a family generated from its entity class gets by default.
GENERIC_COUNT = 25
LOOKUP_COUNT = 6
USER_ROLES = [
    (1, "Administratör"),
    (10, "Arbetsledare"),
    (20, "Projektledare"),
    (30, "Tekniker"),
    (40, "Ekonomi"),
    (50, "Underentreprenör"),
]
SYSTEM_ACCOUNT = "5112826056d961c030000001"
_EPOCH_START = int(datetime(2013, 2, 6, tzinfo=UTC).timestamp())
_EPOCH_END = int(datetime(2026, 6, 30, tzinfo=UTC).timestamp())


def object_id(seconds: float | None = None, rng: random.Random | None = None) -> str:
    """A 24-hex ObjectId whose first 4 bytes are ``seconds`` (default: now)."""
    rng = rng or random.Random()
    stamp = int(time.time() if seconds is None else seconds)
    return f"{stamp:08x}{rng.getrandbits(64):016x}"


def _blank_address(country: str) -> dict[str, str]:
    """A delivery address left empty but for its country, as the reference shows them."""
    keys = ("name", "address", "address2", "zipCode", "city", "country", "phone")
    return {**dict.fromkeys(keys, ""), "country": country}


def _stamp(seconds: int, millis: int) -> str:
    return format_timestamp(datetime.fromtimestamp(seconds + millis / 1000, UTC))


def generated(
    seed: int | str, counts: Mapping[str, int], endpoints: Sequence[Endpoint[Any]] = ENDPOINTS
) -> dict[str, list[dict[str, Any]]]:
    """A fresh copy of the account that ``Generator(seed).build(counts)`` makes.

    Building costs far more than copying, and test suites start many emulators with the
    same seed and sizes: the serialised account is kept for the next one (a few), and
    each caller gets its own documents to change.
    """
    if tuple(endpoints) != ENDPOINTS:  # a table of a test's own: built afresh
        return Generator(seed).build(dict(counts), endpoints)
    built: dict[str, list[dict[str, Any]]] = orjson.loads(
        _built(seed, tuple(sorted(counts.items())))
    )
    return built


@functools.lru_cache(maxsize=8)
def _built(seed: int | str, counts: tuple[tuple[str, int], ...]) -> bytes:
    return orjson.dumps(Generator(seed).build(dict(counts)))


class Generator:
    """Builds every collection from one seed, so a seed always gives the same account."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)

    def moment(self) -> tuple[str, str]:
        """An ObjectId spread over the years and its creation timestamp."""
        rng = self.rng
        seconds = rng.randint(_EPOCH_START, _EPOCH_END)
        return object_id(seconds, rng), _stamp(seconds, rng.randrange(1000))

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST), self.rng.choice(LAST)

    def place(self) -> tuple[str, str, str]:
        city, zip_code = self.rng.choice(CITIES)
        return f"{self.rng.choice(STREETS)} {self.rng.randint(1, 120)}", zip_code, city

    def phone(self) -> str:
        return f"0{self.rng.randint(10, 999)}-{self.rng.randint(100000, 999999)}"

    def build(
        self, counts: dict[str, int], endpoints: Sequence[Endpoint[Any]] = ENDPOINTS
    ) -> dict[str, list[dict[str, Any]]]:
        c = {**DEFAULT_COUNTS, **counts}
        data: dict[str, list[dict[str, Any]]] = {}
        data["user_roles"] = [{"userRoleId": i, "userRoleName": n} for i, n in USER_ROLES]
        data["departments"] = [self.department(i) for i in range(c["departments"])]
        data["salary_types"] = [self.salary_type(i) for i in range(c["salary_types"])]
        data["user_skills"] = [self.user_skill(i) for i in range(c["user_skills"])]
        data["users"] = [self.user(i, data) for i in range(c["users"])]
        data["price_lists"] = [self.named("Prislista", i) for i in range(c["price_lists"])]
        data["customers"] = [self.customer(i, data) for i in range(c["customers"])]
        data["contact_persons"] = self.contact_persons(c["contact_persons"], data)
        data["project_statuses"] = [self.status(i, False) for i in range(c["project_statuses"])]
        data["work_order_statuses"] = [
            self.status(i, True) for i in range(c["work_order_statuses"])
        ]
        data["project_types"] = [self.project_type(i) for i in range(c["project_types"])]
        for name in ("project_tags", "work_order_tags", "invoice_tags"):
            data[name] = [self.tag(i) for i in range(c[name])]
        data["work_order_types"] = [self.work_order_type(i) for i in range(c["work_order_types"])]
        data["projects"] = [self.project(i, data) for i in range(c["projects"])]
        data["work_orders"] = [self.work_order(i, data) for i in range(c["work_orders"])]
        data["invoices"] = [self.invoice(i, data) for i in range(c["invoices"])]
        # Families without a builder above are generated from their entity class, after
        # the others so that those keep their data for a given seed, and each after the
        # families it refers to, so that its references name real documents.
        for endpoint in referred_first([e for e in endpoints if e.name not in data]):
            if endpoint.name not in data:
                specs = [api for api in map(endpoint.spec, endpoint.versions) if api is not None]
                usual = (
                    0  # uploads only (documents): nothing to list
                    if not any(api.listable for api in specs)
                    else GENERIC_COUNT
                    if any(api.paged for api in specs)
                    else LOOKUP_COUNT
                )
                count = c.get(endpoint.name, usual)
                data[endpoint.name] = generic_docs(endpoint, count, self.rng, data, self.moment)
                make_coherent = COHERENT.get(endpoint.name)
                if make_coherent is not None:
                    for doc in data[endpoint.name]:
                        make_coherent(doc, self.rng, data)
        return data

    # -- one builder per document shape ------------------------------------------------

    def customer(self, i: int, data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        rng = self.rng
        oid, created = self.moment()
        first, last = self.person()
        company = rng.random() < 0.6
        name = (
            f"{first} {rng.choice(COMPANY)} {rng.choice(SUFFIX)}" if company else f"{first} {last}"
        )
        address, zip_code, city = self.place()
        org = f"55{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}" if company else ""
        rot = not company and rng.random() < 0.4
        price_list = rng.choice(data["price_lists"]) if rng.random() < 0.2 else None
        return {
            "_id": oid,
            "customerNumber": str(100000 + i),
            "vatNumber": f"SE{org.replace('-', '')}01" if org else "",
            "organizationNumber": org,
            "email": f"{first.lower()}.{i}@example.se",
            "phone": self.phone(),
            "city": city,
            "zipCode": zip_code,
            "address": address,
            "name": name,
            "documents": [],
            "billingSettings": {
                "useSeparateBillingAddress": False,
                "address": "",
                "address2": "",
                "zipCode": "",
                "city": "",
                "useSeparateBillingEmail": False,
                "invoiceEmail": "",
                "invoiceDeliveryType": rng.choice([0, 10, 20]),
                "defaultEmailSubject": "",
                "isConstructionCompany": company and rng.random() < 0.3,
                "isROTCustomer": rot,
                "isRUTCustomer": False,
                "typeOfProperty": 1 if rot else 0,
                "propertyDescription": "",
                "housingSocietyNumber": "",
                "apartmentNumber": "",
                "personalNumber": "",
                "deductionDistribution": [
                    {
                        "itemId": str(rng.random()),
                        "userName": f"{first} {last}",
                        "personalNumber": f"{rng.randint(500101, 991231)}-{rng.randint(1000, 9999)}",
                        "distributionPercent": 100,
                        "_id": object_id(rng.randint(_EPOCH_START, _EPOCH_END), rng),
                    }
                ]
                if rot
                else [],
                "expenseDiscount": 0,
                "expenseCustomProfitMargin": 0,
                "markupPercentSupplierInvoice": -1000,
                "priceList": price_list["_id"] if price_list else None,
                "priceListName": price_list["name"] if price_list else "",
            },
            "modifiedDate": created,
            "createdDate": created,
            "__v": 0,
            "address2": "",
            "country": "" if rng.random() < 0.7 else "SE",
            "billingMethod": "",
            "pricePerHour": rng.choice([0, 450, 550, 650]),
            "paymentDays": rng.choice([10, 20, 30]),
            "notes": "",
            "isActive": rng.random() < 0.9,
        }

    def contact_persons(
        self, count: int, data: dict[str, list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        customers = data["customers"]
        if not customers:
            return []
        out = []
        for i in range(count):
            # The first customer is big (a third of all contacts) so that walking one
            # customer's contacts crosses the 100-item cap.
            customer = customers[0] if i % 3 == 0 else self.rng.choice(customers)
            oid, created = self.moment()
            first, _ = self.person()
            out.append(
                {
                    "_id": oid,
                    "name": first,
                    "title": self.rng.choice(
                        ["Utvecklare", "VD", "Inköpare", "Fastighetsskötare", ""]
                    ),
                    "workPhone": "" if self.rng.random() < 0.5 else self.phone(),
                    "cellPhone": self.phone(),
                    "email": f"{first.lower()}.{i}@example.se",
                    "customer": customer["_id"],
                    "customerName": customer["name"],
                    "mainContact": i < len(customers),
                    "isActive": True,
                    "createdDate": created,
                    "modifiedDate": created,
                    "systemAccount": SYSTEM_ACCOUNT,
                    "__v": 0,
                }
            )
        return out

    def user(self, i: int, data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        rng = self.rng
        oid, created = self.moment()
        first, last = self.person()
        department = rng.choice(data["departments"])["_id"] if data["departments"] else None
        salary = rng.choice(data["salary_types"])["_id"] if data["salary_types"] else None
        skills = [
            s["_id"] for s in rng.sample(data["user_skills"], min(2, len(data["user_skills"])))
        ]
        return {
            "_id": oid,
            "firstName": first,
            "lastName": last,
            "email": f"{first.lower()}.{last.lower()}.{i}@example.se",
            "personalNumber": "",
            "employeeNumber": str(i + 1),
            "userName": f"{first.lower()}{i}",
            "workPhone": "",
            "cellPhone": self.phone(),
            "createdDate": created,
            "modifiedDate": created,
            "userRoleId": rng.choice(USER_ROLES)[0],
            "department": department,
            "defaultSalaryType": salary,
            "userSkills": skills,
            "isActive": rng.random() < 0.85,
            "isActivated": rng.random() < 0.8,
            "language": rng.choice(["SV", "SV", "EN"]),
        }

    def department(self, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        names = ["Utveckling", "Service", "Installation", "Administration", "Lager", "Syd", "Nord"]
        return {
            "_id": oid,
            "name": f"{names[i % len(names)]} {i // len(names) or ''}".strip(),
            "departmentNumber": str(i + 1),
            "isActive": True,
            "managerIds": [],
            "__v": 0,
        }

    def salary_type(self, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        names = ["Normaltid", "Övertid", "Restid", "Sjuk", "Semester", "OB-tillägg"]
        absence = i % len(names) in (3, 4)
        return {
            "_id": oid,
            "name": f"{names[i % len(names)]}{'' if i < len(names) else f' {i}'}",
            "description": "",
            "code": str(100 + i),
            "isAbsenceTimeType": absence,
            "isRuleType": False,
            "absenceTimeCategory": None,
            "absenceTimeCategoryName": "",
            "__v": 0,
            "unitType": "1",
            "canBeRegistered": True,
            "salaryAmount": 0,
            "typeInSalarySystem": 10,
        }

    def user_skill(self, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        skills = ["Höga arbeten", "Heta arbeten", "Truckkort", "ID06", "Elbehörighet", "Ställning"]
        return {
            "_id": oid,
            "systemAccount": SYSTEM_ACCOUNT,
            "skillTitle": f"{skills[i % len(skills)]}{'' if i < len(skills) else f' {i}'}",
            "__v": 0,
            "requireEducations": [],
        }

    def named(self, prefix: str, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        return {"_id": oid, "name": f"{prefix} {i + 1}", "isActive": True, "__v": 0}

    def status(self, i: int, work_order: bool) -> dict[str, Any]:
        oid, _ = self.moment()
        names = [
            "Ej planerad",
            "Planerad",
            "Pågående",
            "Avslutad",
            "Fakturerad",
            "Vilande",
            "Makulerad",
        ]
        doc = {
            "_id": oid,
            "statusName": names[i % len(names)],
            "color": COLORS[i % len(COLORS)],
            "inProgressStatus": i % len(names) == 2,
            "closedStatus": i % len(names) == 3,
            "isActive": True,
        }
        if work_order:
            doc["plannedStatus"] = i % len(names) == 1
        return doc

    def project_type(self, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        return {
            "_id": oid,
            "projectTypeName": ["Dev", "Service", "Nybygge", "ROT", "Avtal"][i % 5],
            "isActive": True,
            "__v": 0,
        }

    def tag(self, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        names = ["Viktigt", "Att granska", "Akut", "Garanti", "Kund väntar", "Material"]
        return {"_id": oid, "tagName": f"{names[i % len(names)]}", "color": COLORS[i % len(COLORS)]}

    def work_order_type(self, i: int) -> dict[str, Any]:
        oid, _ = self.moment()
        return {
            "_id": oid,
            "isActive": True,
            "workOrderTypeName": ["Extra", "Service", "Garanti", "Besiktning", "Akut", "Avtal"][
                i % 6
            ],
            "__v": 0,
            "color": COLORS[i % len(COLORS)],
        }

    def _pick(self, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        return self.rng.choice(rows) if rows else None

    def project(self, i: int, data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        rng = self.rng
        oid, created = self.moment()
        customer = self._pick(data["customers"])
        status = self._pick(data["project_statuses"])
        return {
            "_id": oid,
            "permissions": {
                "permUsers": [],
                "permRoles": [],
                "permDepartments": [],
                "permissionFlag": 1,
            },
            "tags": [
                t["_id"]
                for t in rng.sample(data["project_tags"], min(1, len(data["project_tags"])))
            ],
            "name": f"{rng.choice(['Renovering', 'Nybygge', 'Service', 'Takbyte'])} {rng.choice(CITIES)[0]}",
            "projectNumber": str(3000 + i),
            "projectStatus": rng.choice([10, 50, 100]),
            "projectStatusRef": status["_id"] if status else None,
            "projectType": None,
            "projectTypeName": None,
            "billingMethod": rng.choice(["FIXED_PRICE", "HOURLY", "ACCORDING_TO_CUSTOMER"]),
            "pricePerHour": 0,
            "fixedPrice": 0,
            "fixedPriceInvoiced": False,
            "fixedPriceLeftToInvoice": 0,
            "fixedPriceExpenseItem": None,
            "timeCategoryPriceList": None,
            "estimatedTime": 0,
            "recurringBudgetType": 10,
            "recurringBudget": {"budgetTime": 0, "budgetAmount": 0, "budgetType": 10},
            "resultUnit": None,
            "resultUnitName": "",
            "customer": customer["_id"] if customer else None,
            "customerName": customer["name"] if customer else "",
            "contactPerson": None,
            "contactPersonName": None,
            "projectLeader": None,
            "projectLeaderName": None,
            "quote": None,
            "quoteNumber": "",
            "department": None,
            "departmentName": "",
            "marking": "",
            "yourOrderNumber": "",
            "deliveryAddress": _blank_address(""),
            "invoiceStatus": rng.choice([0, 5, 10, 20, 30]),
            "notes": "",
            "documents": [],
            "startDate": None,
            "endDate": None,
            "budget": {
                "typeOfBenefitCalc": 1,
                "benefits": [],
                "benefitTotal": 0,
                "typeOfCostCalc": 1,
                "costs": [],
                "costTotal": 0,
            },
            "budgetCalculation": {
                "invoiceItems": [],
                "totalBenefitAmount": 0,
                "totalCostAmount": 0,
            },
            "enableConstructionDiary": False,
            "enablePaymentPlans": False,
            "timeCategoryItems": [],
            "expenseItemItems": [],
            "staffLedger": {"workPlaceIDNumber": "", "developerName": "", "developerOrgNumber": ""},
            "projectTimeNotification": {"sent": False, "notifyAtPercent": 0},
            "workRuleStartOfDay": None,
            "workRuleEndOfDay": None,
            "timeLogRegistrationMethods": [],
            "timeShouldNotBeWorkTime": False,
            "enablePortalAccess": False,
            "projectResources": [],
            "checkLists": [],
            "color": "FAFAFA",
            "isActive": True,
            "comments": [],
            "customFields": [],
            "createdDate": created,
            "modifiedDate": created,
            "systemAccount": SYSTEM_ACCOUNT,
            "__v": 0,
        }

    def work_order(self, i: int, data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        rng = self.rng
        oid, created = self.moment()
        customer = self._pick(data["customers"])
        user = self._pick(data["users"])
        status = self._pick(data["work_order_statuses"])
        project = self._pick(data["projects"]) if rng.random() < 0.5 else None
        start = datetime.fromisoformat(created).timestamp() + rng.randint(0, 30) * 86400
        return {
            "_id": oid,
            "workOrderNumber": 2901 + i,
            "createdByUserName": f"{user['firstName']} {user['lastName']}" if user else "",
            "createdByUser": user["_id"] if user else None,
            "systemAccount": SYSTEM_ACCOUNT,
            "statusRef": status["_id"] if status else None,
            "status": rng.choice([100, 200, 500]),
            "customerNumber": customer["customerNumber"] if customer else "",
            "customerName": customer["name"] if customer else "",
            "customer": customer["_id"] if customer else None,
            "project": project["_id"] if project else None,
            "estimatedTime": rng.choice([0, 2, 4, 8]),
            "endDate": _stamp(int(start) + 2 * 86400, 0),
            "startDate": _stamp(int(start), 0),
            "description": "",
            "title": f"AO{i + 1}",
            "customFields": [],
            "tags": [],
            "workOrderUserWorkTypes": [],
            "workOrderUserSkills": [],
            "budgetCalculation": {"invoiceItems": []},
            "invoiceRows": [],
            "todoItems": [],
            "reminders": [],
            "checkLists": [],
            "documents": [],
            "locationCoordinates": [],
            "workAddress": {
                "useOtherAddress": False,
                "address": customer["address"] if customer else "",
                "zipCode": customer["zipCode"] if customer else "",
                "city": customer["city"] if customer else "",
            },
            "comments": [],
            "partTimeResources": [],
            "machines": [],
            "users": [],
            "createDate": created,
            "__v": 0,
        }

    def invoice(self, i: int, data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        rng = self.rng
        oid, created = self.moment()
        customer = self._pick(data["customers"])
        user = self._pick(data["users"])
        price = rng.choice([319, 1250, 4500, 12345])
        quantity = rng.randint(1, 5)
        total = price * quantity
        tax = round(total * 0.25, 2)
        return {
            "_id": oid,
            "deliveryAddress": _blank_address("SE"),
            "houseProperties": {
                "typeOfProperty": 1,
                "propertyDescription": "",
                "housingSocietyNumber": "",
                "apartmentNumber": "",
                "maxDeductionAmount": 50000,
                "personalNumber": "",
                "deductionDistribution": [],
            },
            "timeLogIds": [],
            "expenseIds": [],
            "driverJournalIds": [],
            "machineTimeLogIds": [],
            "supplierInvoiceIds": [],
            "workOrderIds": [],
            "externalSystemExport": [],
            "tags": [],
            "createDate": created,
            "invoiceItems": [
                {
                    "createDate": created,
                    "_id": object_id(datetime.fromisoformat(created).timestamp(), rng),
                    "houseWorkTypeOfWork": 1,
                    "name": "Arbete",
                    "description": "Skivhantel av järn",
                    "expenseItem": None,
                    "expenseItemName": "",
                    "itemType": "expense",
                    "numberOfItems": quantity,
                    "unit": "St",
                    "unitCost": price // 2,
                    "totalCost": total // 2,
                    "discountPercent": 0,
                    "taxPercent": 25,
                    "unitPrice": price,
                    "totalAmount": total,
                    "totalTaxAmount": tax,
                    "totalAmountInclTax": total + tax,
                    "itemId": str(rng.random()),
                    "itemOrder": 1024,
                    "houseWorkFlag": False,
                }
            ],
            "documents": [],
            "invoiceLogEntries": [],
            "partialPayments": [],
            "checkLists": [],
            "supplementOrders": [],
            "customFields": [],
            "invoiceName": "Faktura",
            "marking": "",
            "yourOrderNumber": "",
            "notes": "",
            "taxPercent": 25,
            "invoiceStatus": rng.choice([0, 1, 2]),
            "invoiceDate": created,
            "createdByUser": user["_id"] if user else None,
            "createdByUserName": f"{user['firstName']} {user['lastName']}" if user else "",
            "customer": customer["_id"] if customer else None,
            "customerName": customer["name"] if customer else "",
            "dueDate": created,
            "language": "SV",
            "project": None,
            "projectName": "",
            "contactPerson": None,
            "contactPersonName": "",
            "ourReference": None,
            "ourReferenceName": "",
            "workOrder": None,
            "workOrderNumber": "",
            "invoiceType": 0,
            "resultUnit": None,
            "resultUnitName": "",
            "priceList": None,
            "priceListName": "",
            "multipleTaxesOnRows": False,
            "currencyCode": "SEK",
            "totalAmount": total,
            "totalTaxAmount": tax,
            "totalAmountInclTax": total + tax,
            "totalAmountRounding": 0,
            "sentDate": None,
            "invoiceNumber": str(24000 + i),
            "OCRNumber": f"{24000 + i}{rng.randint(10, 99)}",
            "__v": 0,
            "archived": False,
            "archivedDate": None,
            "creditForInvoice": None,
            "creditForInvoiceNumber": "",
            "creditInvoice": None,
            "creditInvoiceNumber": "",
            "currencyRate": 1,
            "customerAddress": f"{customer['address']}<br>{customer['zipCode']} {customer['city']}"
            if customer
            else "",
            "customerEmail": customer["email"] if customer else "",
            "customerNumber": customer["customerNumber"] if customer else "",
            "customerOrgNo": customer["organizationNumber"] if customer else "",
            "customerVAT": customer["vatNumber"] if customer else "",
            "description": None,
            "discountInPercent": 0,
            "exportedToEconomy": False,
            "footerInfoText": None,
            "footerText": "",
            "headerText": None,
            "houseDeductionAmount": 0,
            "houseDeductionBasisAmount": 0,
            "isCreditInvoice": False,
            "isCredited": False,
            "partiallyPaid": False,
            "paymentDate": None,
            "paymentPlan": None,
            "paymentPlanRowId": "",
            "quote": None,
            "quoteNumber": "",
            "reminderDate": None,
            "showPriceInclTaxesOnRows": False,
            "supplementOrder": None,
            "supplementOrderNumber": "",
            "totalCost": total // 2,
        }
