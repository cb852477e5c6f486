"""The states of purchase orders, replenishment suggestions, back-in-stock sign-ups and buyers' answers.

Stored as their values (plain strings in the database and the API); the order's own status is
`inden.domain.orders.OrderStatus`.
"""

from __future__ import annotations

from enum import StrEnum


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"  # counts as incoming for planning; promises nothing to customers until confirmed
    OPEN = "open"  # sent: waiting backorders are pegged to it
    RECEIVED = "received"  # every line came in full, or the seller closed it on a receipt
    CANCELLED = "cancelled"


class SuggestionStatus(StrEnum):
    PENDING = "pending"  # waiting for the seller; a new plan run replaces it
    APPROVED = "approved"  # became a purchase order
    SUPERSEDED = "superseded"  # replaced by a later run's suggestion
    DISMISSED = "dismissed"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"  # the confirmation link is out
    CONFIRMED = "confirmed"  # waiting for the stock
    NOTIFIED = "notified"  # told it is back; signing up again starts over
    UNSUBSCRIBED = "unsubscribed"


class OrderChoiceKind(StrEnum):
    """A buyer's answer to a wait (their order page, a date-change email). No answer means keep waiting."""

    KEEP_WAITING = "keep_waiting"
    CANCEL = "cancel"  # the lines still waiting are cancelled, with the units already reserved for them
