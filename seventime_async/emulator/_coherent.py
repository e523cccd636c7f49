"""Make generated time logs and expenses add up (pure).

The generic builder gives every field a plausible value of its type, independently. For
the two families that feed payroll and invoicing that is not enough: a time log's end
follows its start by its hours, its price is its invoiceable hours at its rate; an
expense's totals are its quantity times its unit prices, with Swedish VAT. These
functions rewrite those fields of a generated document in place; the others stay.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .._wire import format_timestamp

__all__ = ["COHERENT"]

Doc = dict[str, Any]
Data = Mapping[str, list[Doc]]

_HOURS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 7.5, 8.0)
_RATES = (450, 550, 650, 795)
_VAT = 25


def _id_of(rng: random.Random, data: Data, family: str) -> str | None:
    rows = data.get(family) or []
    return rng.choice(rows)["_id"] if rows else None


def time_log(doc: Doc, rng: random.Random, data: Data) -> None:
    """A working day's stretch: starts 06:00-09:00 UTC on the day the log was created,
    lasts its ``time``; priced by its invoiceable hours; now and then an absence."""
    created = datetime.fromisoformat(doc["createDate"].replace("Z", "+00:00"))
    start = created.replace(hour=rng.randint(6, 8), minute=rng.choice((0, 15, 30)), second=0)
    start = start.replace(microsecond=0)
    hours = rng.choice(_HOURS)
    end = start + timedelta(hours=hours)
    absence = rng.random() < 0.05
    invoiceable = not absence and rng.random() < 0.7
    rate = rng.choice(_RATES)
    doc.update(
        timestamp=format_timestamp(start),
        endTimestamp=format_timestamp(end),
        realTimestamp=format_timestamp(start),
        realEndTimestamp=format_timestamp(end),
        allDay=False,
        time=hours,
        invoiceableTime=hours if invoiceable else 0.0,
        isAbsence=absence,
        isWorkTime=not absence,
        isInvoiceable=invoiceable,
        isInvoiced=False,
        pricePerHour=float(rate),
        price=hours * rate if invoiceable else 0.0,
        cost=hours * rng.choice((250, 300, 350)),
        timeCategory=_id_of(rng, data, "time_categories"),
        status=1,
    )
    if absence:  # an absence is booked on no customer's work
        doc.update(customer=None, project=None, workOrder=None, task=None)


def expense(doc: Doc, rng: random.Random, data: Data) -> None:
    """A purchase on a job: quantity times unit prices, a discount now and then, 25% VAT."""
    count = rng.randint(1, 10)
    unit_cost = float(rng.choice((45, 120, 349, 890, 1450)))
    unit_price = round(unit_cost * 1.3, 2)
    discount = rng.choice((0, 0, 0, 10))
    after = round(unit_price * (100 - discount) / 100, 2)
    tax = round(after * _VAT / 100, 2)
    doc.update(
        numberOfItems=float(count),
        unit="st",
        unitCost=unit_cost,
        unitPrice=unit_price,
        discountPercent=float(discount),
        unitPriceAfterDiscount=after,
        unitTaxPercent=float(_VAT),
        unitTax=tax,
        unitPriceInclTax=round(after + tax, 2),
        totalAmount=round(unit_price * count, 2),
        totalAmountAfterDiscount=round(after * count, 2),
        totalTaxAmount=round(tax * count, 2),
        totalAmountInclTax=round((after + tax) * count, 2),
        totalCost=round(unit_cost * count, 2),
    )


#: Family -> the function that makes its generated documents add up.
COHERENT: dict[str, Callable[[Doc, random.Random, Data], None]] = {
    "time_logs": time_log,
    "expenses": expense,
}
