"""Reading submitted forms: each reader takes one field, returns its value or None, and records a message for
the field when the input is bad (so a page can show every problem at once and change nothing)."""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Path
from pydantic import ValidationError
from starlette.datastructures import FormData

from inden.domain.errors import (
    CustomerLimitExceeded,
    DomainError,
    DuplicateSku,
    InsufficientStock,
    NotFound,
    NotReadyToShip,
    UnknownSku,
    UnknownSupplier,
)
from inden.i18n import N_
from inden.services.schemas.common import MAX_ID, MAX_UNITS, LineIn
from inden.web.backoffice.render import Errors

log = logging.getLogger("inden.web")
THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]  # a number in a page address: out of range is a 404 page


def raw(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def text(form: FormData, name: str, errors: Errors, *, required: bool = True, max_length: int = 200) -> str | None:
    value = raw(form, name)
    if not value:
        if required:
            errors.add(name, N_("Enter a value."))
        return None
    if len(value) > max_length:
        errors.add(name, N_("Use at most %(count)s characters."), count=max_length)
        return None
    return value


def integer(form: FormData, name: str, errors: Errors, *, low: int = 0, high: int = 1_000_000_000,
            required: bool = True) -> int | None:
    value = raw(form, name)
    if THOUSANDS.fullmatch(value):  # 1.000 as Indonesians write a thousand
        value = value.replace(".", "")
    if not value:
        if required:
            errors.add(name, N_("Enter a whole number."))
        return None
    try:
        number = int(value)
    except ValueError:
        errors.add(name, N_("Enter a whole number."))
        return None
    if not low <= number <= high:
        errors.add(name, N_("Enter a number from %(low)s to %(high)s."), low=low, high=high)
        return None
    return number


def day(form: FormData, name: str, errors: Errors, *, required: bool = True) -> date | None:
    value = raw(form, name)
    if not value:
        if required:
            errors.add(name, N_("Enter a date."))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(name, N_("Enter a real date, for example 2026-12-14."))
        return None


def money(form: FormData, name: str, errors: Errors, *, required: bool = False) -> Decimal | None:
    value = raw(form, name).removeprefix("Rp").replace(".", "").replace(" ", "").replace(",", ".")
    if not value:
        if required:
            errors.add(name, N_("Enter an amount."))
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        errors.add(name, N_("Enter an amount in rupiah, for example 125000."))
        return None
    if amount < 0 or amount > Decimal("1e12"):
        errors.add(name, N_("Enter an amount in rupiah, for example 125000."))
        return None
    return amount


def choice(form: FormData, name: str, errors: Errors, options: tuple[str, ...]) -> str | None:
    value = raw(form, name)
    if value not in options:
        errors.add(name, N_("Choose one of the options."))
        return None
    return value


def line_quantities(form: FormData, errors: Errors) -> list[LineIn]:
    """The units entered per line in `qty:SKU` fields (blank and 0 skipped), for cancel, ship and receive."""
    lines = []
    for name in form:
        if name.startswith("qty:") and raw(form, name):
            quantity = integer(form, name, errors, low=0, high=MAX_UNITS)
            if quantity:
                lines.append(LineIn(sku=name.removeprefix("qty:"), quantity=quantity))
    return lines


def from_domain(error: DomainError, errors: Errors, field: str) -> None:
    """Put a service's refusal beside `field` in the page's language (the API's English message is for machines)."""
    details: dict[str, Any] = error.details
    if isinstance(error, InsufficientStock):
        errors.add(field, N_("Only %(available)s units can be moved; the rest are reserved for orders."),
                   available=details.get("available", 0))
    elif isinstance(error, DuplicateSku):
        errors.add(field, N_("A product with this SKU already exists."))
    elif isinstance(error, UnknownSku):
        errors.add(field, N_("No product has SKU %(sku)s."), sku=details.get("sku", ""))
    elif isinstance(error, UnknownSupplier):
        errors.add(field, N_("No supplier has code %(code)s."), code=details.get("supplier", ""))
    elif isinstance(error, NotReadyToShip):
        errors.add(field, N_("This order ships complete and %(waiting)s units are still waiting."),
                   waiting=details.get("waiting", 0))
    elif isinstance(error, CustomerLimitExceeded):
        errors.add(field, N_("This customer may have at most %(limit)s units."), limit=details.get("limit", 0))
    elif isinstance(error, NotFound):
        errors.add(field, N_("Not found; it may have been removed."))
    elif "suggestion_id" in details and "status" in details:
        errors.add(field, N_("This suggestion was already decided."))
    elif "purchase_order_id" in details and "status" in details:
        errors.add(field, N_("This purchase order is no longer open."))
    elif "sku" in details and field == "receive":
        errors.add(field, N_("This purchase order has no line for SKU %(sku)s."), sku=details.get("sku", ""))
    elif "order_id" in details:
        errors.add(field, N_("Nothing is left to do on this order."))
    else:
        log.info(N_("back office refused a change: %s"), error.message)
        errors.add(field, N_("This change is not possible now: %(reason)s"), reason=error.message)


def from_validation(error: ValidationError, errors: Errors, *, fields: dict[str, str] | None = None) -> None:
    """Bad values the service's schema caught, each beside its field (`fields` maps schema names to form names)."""
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "form"
        errors.add((fields or {}).get(name, name), N_("Check this value."))
