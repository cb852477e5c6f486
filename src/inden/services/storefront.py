"""The storefront's view of a product: availability, ship-date promise, labels and the sentence to show.

`availability_message` is the one place that words a product's availability for shoppers; the product page
(`GET /v1/availability/{sku}`), the CLI and the emails use it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.config import get_settings, shop_today
from inden.db.models import OrderLine, Product, SalesHistory
from inden.db.session import Database
from inden.domain.availability import Shelf, ShelfStatus, shelf_status
from inden.domain.eta import Eta
from inden.domain.labels import Label, LabelFacts, best_sellers, product_labels
from inden.i18n import N_, format_day, locale_of, shop_day, translate
from inden.services.eta import tail_etas
from inden.services.orders import decision_snapshots
from inden.services.products import find_product
from inden.services.schemas import AvailabilityOut

_LABEL_TEXT = {Label.RESTOCK: N_("Restock"), Label.BEST_SELLER: N_("Best seller"), Label.LIMITED: N_("Limited")}


def availability_message(shelf: Shelf, eta: Eta | None, locale: str) -> str:
    """The sentence a shopper reads next to the buy button, in `locale`."""
    when = format_day(eta.eta, locale) if eta else ""
    match shelf.status:
        case ShelfStatus.IN_STOCK:
            return translate(locale, "In stock")
        case ShelfStatus.LOW_STOCK:
            return translate(locale, "Only %(available)s left", available=shelf.available)
        case ShelfStatus.PREORDER:
            return translate(locale, "Pre-order — ships around %(eta)s", eta=when)
        case ShelfStatus.BACKORDER if shelf.available > 0:
            return translate(locale, "Only %(available)s in stock — order now, the rest ships around %(eta)s",
                             available=shelf.available, eta=when)
        case ShelfStatus.BACKORDER:
            return translate(locale, "Out of stock — order now, ships around %(eta)s", eta=when)
    return translate(locale, "Out of stock — sign up to hear when it is back")


def label_text(label: Label, locale: str) -> str:
    return translate(locale, _LABEL_TEXT[label])


def availability(db: Database, sku: str, *, quantity: int = 1, locale: str | None = None,
                 now: datetime | None = None) -> AvailabilityOut:
    """What an order of `quantity` placed now would get, with its ship date, labels and message.

    Read-only: it takes no lock, so under a flash sale it describes the moment it read (the order itself
    decides again under the product's lock). Raises UnknownSku.
    """
    now = now or utcnow()
    today = shop_today(now)
    language = locale_of(locale)
    settings = get_settings()
    with db.transaction() as session:
        product = find_product(session, sku)
        rules, stock = decision_snapshots(session, {sku: product}, today=today)[sku]
        shelf = shelf_status(rules, stock, quantity=quantity, low_stock_threshold=settings.low_stock_threshold)
        eta = tail_etas(session, [(product, shelf.waiting)], today=today)[product.id] if shelf.waiting else None
        restocked_on = shop_day(product.restocked_at) if product.restocked_at else None
        labels = product_labels(rules, LabelFacts(shelf.available, restocked_on, product.best_seller),
                                today=today, restock_days=settings.restock_days)
    return AvailabilityOut(
        sku=sku, status=shelf.status.value, available=shelf.available, quantity=quantity,
        eta=eta.eta if eta else None, eta_latest=eta.eta_latest if eta else None,
        eta_confidence=eta.confidence.value if eta else None,
        labels=[label.value for label in labels], label_texts=[label_text(label, language) for label in labels],
        message=availability_message(shelf, eta, language), locale=language,  # type: ignore[arg-type]
    )


def refresh_best_sellers(db: Database, *, now: datetime | None = None) -> set[str]:
    """Rank the shop's products by units demanded over the last `best_seller_days` days (orders placed plus
    imported sales) and store the best-seller flag. Returns the SKUs now labelled.

    Only rows whose flag changes are written, so it does not contend for the locks orders take.
    """
    now = now or utcnow()
    settings = get_settings()
    days = timedelta(days=settings.best_seller_days)
    with db.transaction() as session:
        units = _units_demanded(session, ordered_since=now - days, sold_since=shop_today(now) - days)
        chosen = best_sellers(units, share=settings.best_seller_share)
        session.execute(update(Product).where(Product.id.in_(chosen), Product.best_seller.is_(False))
                        .values(best_seller=True))
        session.execute(update(Product).where(Product.id.not_in(chosen), Product.best_seller.is_(True))
                        .values(best_seller=False))
        return set(session.scalars(select(Product.sku).where(Product.best_seller.is_(True))))


def _units_demanded(session: Session, *, ordered_since: datetime, sold_since: date) -> dict[int, int]:
    """Units per product id: ordered in the shop since `ordered_since`, plus imported sales since `sold_since`."""
    ordered = (select(OrderLine.product_id, func.sum(OrderLine.quantity))
               .where(OrderLine.order_created_at >= ordered_since).group_by(OrderLine.product_id))
    imported = (select(SalesHistory.product_id, func.sum(SalesHistory.quantity))
                .where(SalesHistory.day >= sold_since).group_by(SalesHistory.product_id))
    units: dict[int, int] = {}
    for query in (ordered, imported):
        for product_id, total in session.execute(query):
            units[product_id] = units.get(product_id, 0) + int(total or 0)
    return units
