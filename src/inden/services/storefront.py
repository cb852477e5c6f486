"""The storefront's view of a product: availability, ship-date promise, labels and the sentence to show.

`availability_message` is the one place that words a product's availability for shoppers; the product page
(`GET /v1/availability/{sku}`), the CLI and the emails use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from inden.clock import shop_date, utcnow
from inden.db.models import OrderLine, Product, SalesHistory
from inden.db.session import Database, settings_of
from inden.domain.availability import Shelf, ShelfStatus, shelf_status
from inden.domain.eta import Eta
from inden.domain.labels import Label, LabelFacts, best_sellers, product_labels
from inden.i18n import N_, format_day, locale_of, translate
from inden.services.schemas.storefront import AvailabilityOut
from inden.services.steps.decisions import decision_snapshots
from inden.services.steps.etas import tail_etas
from inden.services.steps.lookup import find_product

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
    with db.transaction() as session:
        return _answers(session, [find_product(session, sku)], quantity=quantity, locale=locale, now=now)[0]


def availability_of_many(db: Database, skus: Sequence[str], *, quantity: int = 1, locale: str | None = None,
                         now: datetime | None = None) -> list[AvailabilityOut]:
    """`availability` for each of `skus` at once (a category page), in the order asked; SKUs that do not
    exist are left out, so one product taken off the shop does not break the page."""
    with db.transaction() as session:
        found = {p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(set(skus))))}
        return _answers(session, [found[s] for s in dict.fromkeys(skus) if s in found], quantity=quantity,
                        locale=locale, now=now)


def _answers(session: Session, products: Sequence[Product], *, quantity: int, locale: str | None,
             now: datetime | None) -> list[AvailabilityOut]:
    """The availability of each product: snapshots, supply and ETAs read once for all of them."""
    now = now or utcnow()
    settings = settings_of(session)
    today = shop_date(now, settings.timezone)
    language = locale_of(locale, settings.default_locale)
    snapshots = decision_snapshots(session, {p.sku: p for p in products}, today=today)
    shelves = {p.sku: shelf_status(*snapshots[p.sku], quantity=quantity,
                                   low_stock_threshold=settings.low_stock_threshold) for p in products}
    etas = tail_etas(session, [(p, shelves[p.sku].waiting) for p in products if shelves[p.sku].waiting], today=today)
    answers = []
    for product in products:
        rules, shelf, eta = snapshots[product.sku][0], shelves[product.sku], etas.get(product.id)
        restocked_on = shop_date(product.restocked_at, settings.timezone) if product.restocked_at else None
        labels = product_labels(rules, LabelFacts(shelf.available, restocked_on, product.best_seller),
                                today=today, restock_days=settings.restock_days)
        answers.append(AvailabilityOut(
            sku=product.sku, status=shelf.status.value, available=shelf.available, quantity=quantity,
            eta=eta.eta if eta else None, eta_latest=eta.eta_latest if eta else None,
            eta_confidence=eta.confidence.value if eta else None, labels=[label.value for label in labels],
            label_texts=[label_text(label, language) for label in labels],
            message=availability_message(shelf, eta, language), locale=language,
        ))
    return answers


def refresh_best_sellers(db: Database, *, now: datetime | None = None) -> set[str]:
    """Rank the shop's products by units demanded over the last `best_seller_days` days (orders placed plus
    imported sales) and store the best-seller flag. Returns the SKUs now labelled.

    Only rows whose flag changes are written, so it does not contend for the locks orders take.
    """
    now = now or utcnow()
    settings = db.settings
    days = timedelta(days=settings.best_seller_days)
    with db.transaction() as session:
        units = _units_demanded(session, ordered_since=now - days, sold_since=shop_date(now, settings.timezone) - days)
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
