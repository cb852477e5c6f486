"""Domain exceptions. Each is mapped to an HTTP error in `inden.api.errors` and to a CLI message in `inden.cli`."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a caller can cause. `code` is the API.md error code."""

    code = "validation_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(DomainError):
    """The request is well-formed but breaks a business rule (e.g. cancelling shipped units)."""

    code = "validation_error"


class NotFound(DomainError):
    code = "not_found"


class UnknownSku(NotFound):
    def __init__(self, sku: str) -> None:
        super().__init__(f"No product with SKU {sku!r}.", sku=sku)
        self.sku = sku


class UnknownOrder(NotFound):
    def __init__(self, order_id: int) -> None:
        super().__init__(f"No order with id {order_id}.", order_id=order_id)


class UnknownSupplier(NotFound):
    def __init__(self, code: str) -> None:
        super().__init__(f"No supplier with code {code!r}.", supplier=code)


class UnknownPurchaseOrder(NotFound):
    def __init__(self, po_id: int) -> None:
        super().__init__(f"No purchase order with id {po_id}.", purchase_order_id=po_id)


class UnknownWebhook(NotFound):
    def __init__(self, webhook_id: int) -> None:
        super().__init__(f"No webhook with id {webhook_id}.", webhook_id=webhook_id)


class DuplicateSku(InvalidRequest):
    def __init__(self, sku: str) -> None:
        super().__init__(f"A product with SKU {sku!r} already exists.", sku=sku)


class OutOfStock(DomainError):
    """An order could not be taken in full under the products' backorder policies; nothing was reserved."""

    code = "out_of_stock"

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        skus = ", ".join(line["sku"] for line in lines)
        super().__init__(f"Order refused: not enough stock and no backorder room for {skus}.", lines=lines)
        self.lines = lines


class InsufficientStock(DomainError):
    """A stock movement asks for more units than are there to move."""

    code = "insufficient_stock"

    def __init__(self, sku: str, *, requested: int, available: int, what: str = "available") -> None:
        super().__init__(
            f"SKU {sku!r}: {requested} requested but only {available} {what}.",
            sku=sku,
            requested=requested,
            available=available,
        )


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"

    def __init__(self, key: str) -> None:
        super().__init__(
            "This Idempotency-Key was already used with a different request body.", idempotency_key=key
        )


class NotReadyToShip(DomainError):
    """An order set to ship complete still has units waiting."""

    code = "insufficient_stock"

    def __init__(self, order_id: int, *, waiting: int) -> None:
        super().__init__(
            f"Order {order_id} ships complete and {waiting} unit(s) are still waiting.",
            order_id=order_id,
            waiting=waiting,
        )


class CustomerLimitExceeded(DomainError):
    """A limited edition allows each customer only so many units."""

    code = "customer_limit"

    def __init__(self, sku: str, *, limit: int, already: int, requested: int) -> None:
        super().__init__(
            f"SKU {sku!r} is limited to {limit} per customer; this customer already has {already} "
            f"and asked for {requested} more.",
            sku=sku, limit=limit, already=already, requested=requested,
        )


class UnknownSubscriptionLink(NotFound):
    """A confirm or unsubscribe link whose token names no sign-up (mistyped, or from a deleted one)."""

    def __init__(self) -> None:
        super().__init__("This link is no longer valid.")


class RateLimited(DomainError):
    """Too many requests of one kind from one party (e.g. sign-ups started by one email address)."""

    code = "rate_limited"


class UnknownOrderLink(NotFound):
    """An order link that names no order, or whose order closed too long ago (the buyer's page shows why)."""

    def __init__(self) -> None:
        super().__init__("This order link is not valid (any more).")
