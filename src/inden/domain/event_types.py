"""The kinds of event written to the outbox (emails, webhooks); the value is what receivers see."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    ORDER_BACKORDERED = "order.backordered"
    BACKORDER_ALLOCATED = "backorder.allocated"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_SHIPPED = "order.shipped"
    ETA_CHANGED = "eta_changed"
    ORDER_CHOICE = "order.choice"  # a buyer kept waiting or cancelled waiting lines (web.shopper)
    SUBSCRIPTION_CONFIRM = "subscription.confirm"
    BACK_IN_STOCK = "back_in_stock"
    REORDER_POINT_REACHED = "reorder_point_reached"
