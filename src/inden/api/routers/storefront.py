"""Storefront: what a product page shows, and back-in-stock sign-ups (a `storefront` key may call these)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import StringConstraints

from inden.api.deps import get_db, limit_signup, storefront_caller
from inden.db.session import Database
from inden.services import storefront, subscriptions
from inden.services.keys import Role
from inden.services.schemas.common import MAX_UNITS, SKU_PATTERN, Locale, Page
from inden.services.schemas.storefront import AvailabilityOut, SubscriptionAccepted, SubscriptionCreate

router = APIRouter(prefix="/v1", tags=["storefront"])
Db = Annotated[Database, Depends(get_db)]
Caller = Annotated[Role, Depends(storefront_caller)]


@router.get("/availability")
def list_availability(
    _: Caller, db: Db, sku: Annotated[list[Annotated[str, StringConstraints(pattern=SKU_PATTERN)]], Query(
        min_length=1, max_length=100, description="Repeat for each product: ?sku=A&sku=B (at most 100).")],
    quantity: Annotated[int, Query(gt=0, le=MAX_UNITS)] = 1, locale: Locale | None = None,
) -> Page[AvailabilityOut]:
    """Availability of several products at once (a category page), in the order asked; unknown SKUs are left
    out."""
    return Page[AvailabilityOut](items=storefront.availability_of_many(db, sku, quantity=quantity, locale=locale),
                                 next_cursor=None)


@router.get("/availability/{sku}")
def get_availability(
    _: Caller, sku: Annotated[str, Path(pattern=SKU_PATTERN)], db: Db,
    quantity: Annotated[int, Query(gt=0, le=MAX_UNITS)] = 1, locale: Locale | None = None,
) -> AvailabilityOut:
    """Status, ship date, labels and a ready sentence for an order of `quantity` placed now."""
    return storefront.availability(db, sku, quantity=quantity, locale=locale)


@router.post("/subscriptions", status_code=202)
def subscribe(role: Caller, body: SubscriptionCreate, request: Request, db: Db) -> SubscriptionAccepted:
    """A back-in-stock sign-up; the shopper confirms it from the email it sends (double opt-in). Limited per
    mailbox (`siti+1@…` is `siti@…`) per day, and per client per hour for storefront keys (429)."""
    limit_signup(request, role, body.email)
    return subscriptions.subscribe(db, body)
