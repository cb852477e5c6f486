"""Words the CLI's sentences share: units, policies, order and purchase-order states, in the shop's language."""

from __future__ import annotations

from inden.cli.common import _, day
from inden.i18n import N_
from inden.services.schemas.orders import OrderOut
from inden.services.schemas.products import ProductOut

POLICIES = {"allow": N_("backorders allowed"), "deny": N_("refused when out of stock"),
            "preorder": N_("pre-order")}
ORDER_STATES = {"allocated": N_("allocated"), "partially_backordered": N_("partly on backorder"),
                "backordered": N_("on backorder"), "partially_shipped": N_("partly shipped"),
                "shipped": N_("shipped"), "cancelled": N_("cancelled")}
PO_STATES = {"draft": N_("draft"), "open": N_("open"), "received": N_("received"), "cancelled": N_("cancelled")}


def units(count: int) -> str:
    """`1 unit`, `3 units` (Indonesian: `3 unit`)."""
    return _("%(count)s unit", count=count) if count == 1 else _("%(count)s units", count=count)


def policy(product: ProductOut) -> str:
    """How the product sells when out of stock, with its cap or launch date."""
    text = _(POLICIES[product.backorder_policy.value])
    if product.backorder_policy.value == "preorder" and product.release_at:
        text += ", " + _("launch %(day)s", day=day(product.release_at))
    if product.backorder_limit is not None and product.backorder_policy.value != "deny":
        text += ", " + _("at most %(units)s waiting", units=units(product.backorder_limit))
    return text


def order_state(order: OrderOut) -> str:
    return _(ORDER_STATES[order.status.value])


def order_summary(order: OrderOut) -> str:
    """`Order #12: 2 units allocated, 1 unit on backorder, ships around 14 Dec 2026`."""
    counts = {field: sum(getattr(line, field) for line in order.lines)
              for field in ("allocated", "backordered", "shipped", "cancelled")}
    parts = []
    if counts["allocated"]:
        parts.append(_("%(units)s allocated", units=units(counts["allocated"])))
    if counts["backordered"]:
        parts.append(_("%(units)s on backorder", units=units(counts["backordered"])))
    if counts["shipped"]:
        parts.append(_("%(units)s shipped", units=units(counts["shipped"])))
    if counts["cancelled"]:
        parts.append(_("%(units)s cancelled", units=units(counts["cancelled"])))
    etas = [line.eta for line in order.lines if line.backordered and line.eta]
    if etas:
        parts.append(_("ships around %(day)s", day=day(max(etas))))
    return _("Order #%(id)s: %(parts)s", id=order.id, parts=", ".join(parts) or _(ORDER_STATES[order.status.value]))
