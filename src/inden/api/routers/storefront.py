"""Storefront: what a product page shows, and back-in-stock sign-ups (a `storefront` key may call these)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from inden.api.deps import get_db, require
from inden.db.session import Database
from inden.services import storefront, subscriptions
from inden.services.keys import Role
from inden.services.schemas import (
    MAX_UNITS,
    SKU_PATTERN,
    AvailabilityOut,
    Locale,
    SubscriptionAccepted,
    SubscriptionCreate,
)

router = APIRouter(prefix="/v1", tags=["storefront"], dependencies=[Depends(require(Role.STAFF, Role.STOREFRONT))])
Db = Annotated[Database, Depends(get_db)]


@router.get("/availability/{sku}")
def get_availability(
    sku: Annotated[str, Path(pattern=SKU_PATTERN)], db: Db,
    quantity: Annotated[int, Query(gt=0, le=MAX_UNITS)] = 1, locale: Locale | None = None,
) -> AvailabilityOut:
    """Status, ship date, labels and a ready sentence for an order of `quantity` placed now."""
    return storefront.availability(db, sku, quantity=quantity, locale=locale)


@router.post("/subscriptions", status_code=202)
def subscribe(body: SubscriptionCreate, db: Db) -> SubscriptionAccepted:
    """A back-in-stock sign-up; the shopper confirms it from the email it sends (double opt-in)."""
    return subscriptions.subscribe(db, body)
