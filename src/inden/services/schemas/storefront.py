"""The shopper's side: a product's availability, back-in-stock sign-ups."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator

from inden.domain.availability import ShelfStatus
from inden.domain.eta import EtaConfidence
from inden.domain.labels import Label
from inden.domain.states import SubscriptionStatus
from inden.services.schemas.common import Email, Locale, Request, Sku

# Storefront (API.md, section Storefront)



class AvailabilityOut(BaseModel):
    """What a product page shows for a quantity, decided exactly as an order placed now would be."""

    sku: str
    status: ShelfStatus
    available: int  # units sellable now (0 for a pre-order before its release)
    quantity: int
    eta: date | None  # when the waiting units would ship (null when nothing would wait)
    eta_latest: date | None
    eta_confidence: EtaConfidence | None
    labels: list[Label]
    label_texts: list[str]  # the labels in the requested language, same order
    message: str  # a ready sentence in the requested language
    locale: Locale


class SubscriptionCreate(Request):
    sku: Sku
    email: Email
    locale: Locale = "id"

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class SubscriptionAccepted(BaseModel):
    """The answer to a sign-up. The same whatever the address's state, so it reveals no one's sign-ups."""

    sku: str
    email: str
    message: str


class SubscriptionOut(BaseModel):
    sku: str
    product_name: str
    email: str
    locale: Locale
    status: SubscriptionStatus
