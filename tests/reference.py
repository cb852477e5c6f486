"""Pieces of the tests' naive reference models, shared by the unit and the services state machines."""

from __future__ import annotations

from inden.domain.orders import OrderStatus


def status_from_unit_states(states: set[str]) -> OrderStatus:
    """An order's status told unit by unit, from the states its live units are in
    ("allocated", "waiting", "shipped"); no live units means cancelled."""
    if not states:
        return OrderStatus.CANCELLED
    if states == {"shipped"}:
        return OrderStatus.SHIPPED
    if "shipped" in states:
        return OrderStatus.PARTIALLY_SHIPPED
    if states == {"allocated"}:
        return OrderStatus.ALLOCATED
    if states == {"waiting"}:
        return OrderStatus.BACKORDERED
    return OrderStatus.PARTIALLY_BACKORDERED
