"""The back office's read models on SQLite and PostgreSQL: today, products, orders, purchase orders, suppliers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from inden.clock import shop_date
from inden.config import get_settings
from inden.db.models import OutboxEvent
from inden.db.session import Database
from inden.domain.errors import InvalidRequest, UnknownOrder, UnknownPurchaseOrder, UnknownSku
from inden.domain.eta import EtaConfidence
from inden.domain.labels import Label
from inden.domain.orders import OrderStatus
from inden.domain.policy import BackorderPolicy
from inden.services import orders, placing, products, stock, subscriptions, supply
from inden.services.back_office import catalogue, purchasing, today
from inden.services.back_office import orders as order_pages
from inden.services.back_office.catalogue import ProductFilter, ProductQuery
from inden.services.back_office.orders import OrderQuery
from inden.services.back_office.paging import Paging
from inden.services.back_office.purchasing import PurchaseOrderFilter, PurchaseOrderQuery
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate
from inden.services.schemas.supply import OfferIn, PurchaseOrderCreate, SupplierCreate

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
TODAY = shop_date(NOW, get_settings().timezone)
HANDLING = get_settings().handling_days


def buy(db: Database, sku: str, quantity: int = 1, *, email: str = "budi@contoh.id", at: int = 0) -> int:
    request = OrderCreate.model_validate({"customer": {"email": email}, "lines": [{"sku": sku, "quantity": quantity}]})
    return placing.place_order(db, request, now=NOW + timedelta(seconds=at)).id


def po(db: Database, sku: str, quantity: int, in_days: int, *, supplier: str = "PT-GLOW") -> int:
    spec = PurchaseOrderCreate(supplier=supplier, expected_at=TODAY + timedelta(days=in_days),
                               lines=[{"sku": sku, "quantity": quantity}])
    return supply.create_purchase_order(db, spec, now=NOW - timedelta(days=10)).id


def shop(db: Database) -> None:
    """SERUM: 3 on hand; TONER: out of stock, customers wait; MASKER: a pre-order; Lip-Tint: plenty."""
    for sku, name, policy in [("SERUM", "Serum Vitamin C", "allow"), ("TONER", "Toner Mawar", "allow"),
                              ("MASKER", "Masker Gold", "preorder"), ("Lip-Tint", "Lip Tint Cherry", "deny")]:
        products.create_product(db, ProductCreate(sku=sku, name=name, backorder_policy=policy, lead_time_days=30,
                                                  max_per_customer=2 if sku == "MASKER" else None), now=NOW)
    stock.adjust_stock(db, "SERUM", StockAdjustment(delta=3, reason="stok awal"), now=NOW)
    stock.adjust_stock(db, "Lip-Tint", StockAdjustment(delta=40, reason="stok awal"), now=NOW)
    stock.adjust_stock(db, "Lip-Tint", StockAdjustment(delta=-2, reason="rusak di gudang"), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-GLOW", name="PT Glow Kosmetik", lead_time_days=21), now=NOW)
    supply.set_offer(db, "PT-GLOW", "TONER", OfferIn(min_order_quantity=6, pack_size=6, unit_cost="15000"), now=NOW)


def test_the_product_list_searches_sku_and_name_in_any_case_and_pages_with_a_total(db: Database) -> None:
    shop(db)
    found = catalogue.list_products(db, ProductQuery(search="lip"), now=NOW)
    assert [row.sku for row in found.items] == ["Lip-Tint"] and found.total == 1
    assert [r.sku for r in catalogue.list_products(db, ProductQuery(search="MAWAR"), now=NOW).items] == ["TONER"]
    assert catalogue.list_products(db, ProductQuery(search="50%_"), now=NOW).total == 0  # wildcards are literal
    first = catalogue.list_products(db, ProductQuery(paging=Paging(limit=3)), now=NOW)
    second = catalogue.list_products(db, ProductQuery(paging=Paging(limit=3, offset=3)), now=NOW)
    assert first.total == second.total == 4 and first.has_next and not second.has_next
    assert [r.sku for r in first.items + second.items] == ["Lip-Tint", "MASKER", "SERUM", "TONER"]


def test_the_product_list_rows_carry_stock_waiting_incoming_and_labels(db: Database) -> None:
    shop(db)
    buy(db, "TONER", 4)
    po(db, "TONER", 10, 7)
    rows = {r.sku: r for r in catalogue.list_products(db, now=NOW).items}
    assert (rows["TONER"].on_hand, rows["TONER"].available, rows["TONER"].waiting, rows["TONER"].incoming) == (
        0, 0, 4, 10)
    assert (rows["Lip-Tint"].on_hand, rows["Lip-Tint"].available) == (38, 38)
    assert rows["MASKER"].labels == (Label.LIMITED,) and rows["MASKER"].policy is BackorderPolicy.PREORDER


def test_the_product_filters_match_their_meaning(db: Database) -> None:
    shop(db)
    buy(db, "TONER", 4)
    subscriptions.subscribe(db, SubscriptionCreate(sku="MASKER", email="ani@contoh.id"), now=NOW)

    def skus(*filters: ProductFilter, **kwargs: object) -> list[str]:
        query = ProductQuery(filters=frozenset(filters), **kwargs)  # type: ignore[arg-type]
        return [r.sku for r in catalogue.list_products(db, query, now=NOW).items]

    assert skus(ProductFilter.OUT_OF_STOCK) == ["MASKER", "TONER"]
    assert skus(ProductFilter.BACKORDERS) == ["TONER"]
    assert skus(ProductFilter.UNSCHEDULED) == ["TONER"]  # no purchase order behind its date yet
    assert skus(ProductFilter.AT_RISK) == ["TONER"]
    assert skus(ProductFilter.SIGNUPS) == ["MASKER"]
    assert skus(policy=BackorderPolicy.DENY) == ["Lip-Tint"]
    assert skus(label=Label.LIMITED) == ["MASKER"]
    po(db, "TONER", 10, 7)
    assert skus(ProductFilter.UNSCHEDULED) == [] and skus(ProductFilter.BACKORDERS, search="ton") == ["TONER"]


def test_the_product_page_shows_its_queue_in_allocation_order_with_etas(db: Database) -> None:
    shop(db)
    first = buy(db, "TONER", 2, email="a@contoh.id", at=1)
    second = buy(db, "TONER", 3, email="b@contoh.id", at=2)
    po(db, "TONER", 2, 7)
    subscriptions.subscribe(db, SubscriptionCreate(sku="TONER", email="c@contoh.id"), now=NOW)
    detail = catalogue.product_detail(db, "TONER", now=NOW)
    assert (detail.name, detail.stock.backordered, detail.stock.incoming, detail.waiting_orders, detail.signups) == (
        "Toner Mawar", 5, 2, 2, 1)
    a, b = detail.queue.items
    assert (a.position, a.order_id, a.customer_email, a.units) == (1, first, "a@contoh.id", 2)
    assert a.eta == TODAY + timedelta(days=7 + HANDLING) and a.eta_confidence is EtaConfidence.SCHEDULED
    assert (b.position, b.order_id, b.units, b.eta_confidence) == (2, second, 3, EtaConfidence.ESTIMATED)
    assert b.waiting_since == NOW + timedelta(seconds=2) and detail.queue.total == 2
    assert [(o.supplier_code, o.min_order_quantity, o.pack_size) for o in detail.offers] == [("PT-GLOW", 6, 6)]
    page = catalogue.product_detail(db, "TONER", queue=Paging(limit=1, offset=1), now=NOW).queue
    assert [e.position for e in page.items] == [2] and page.total == 2


def test_the_product_page_lists_adjustments_with_their_reasons_latest_first(db: Database) -> None:
    shop(db)
    detail = catalogue.product_detail(db, "Lip-Tint", now=NOW)
    assert [(a.delta, a.reason) for a in detail.adjustments] == [(-2, "rusak di gudang"), (40, "stok awal")]
    with pytest.raises(UnknownSku):
        catalogue.product_detail(db, "NOPE", now=NOW)


def test_today_counts_what_needs_the_seller_with_the_filters_they_link_to(db: Database) -> None:
    shop(db)
    buy(db, "TONER", 4, email="a@contoh.id")
    buy(db, "TONER", 1, email="b@contoh.id", at=60)
    late, due = po(db, "SERUM", 5, -2), po(db, "SERUM", 5, 0)
    po(db, "SERUM", 5, 9)
    subscriptions.subscribe(db, SubscriptionCreate(sku="MASKER", email="ani@contoh.id"), now=NOW)
    with db.transaction() as session:  # one email given up on, one being retried
        ids = sorted(session.scalars(OutboxEvent.__table__.select().with_only_columns(OutboxEvent.id)))
        session.execute(update(OutboxEvent).where(OutboxEvent.id == ids[0]).values(failed_at=NOW, attempts=8))
        session.execute(update(OutboxEvent).where(OutboxEvent.id == ids[1]).values(attempts=2))
    view = today.today_view(db, now=NOW)
    assert (view.waiting.orders, view.waiting.units, view.waiting.oldest_since) == (2, 5, NOW)
    assert view.unscheduled_units.count == 5 and view.unscheduled_units.product_filter is ProductFilter.UNSCHEDULED
    assert view.waiting_products.count == 1
    assert (view.purchase_orders_late.count, view.purchase_orders_due.count) == (1, 1)
    assert view.purchase_orders_late.purchase_order_filter is PurchaseOrderFilter.LATE
    assert view.signups.count == 1 and view.at_risk.count == 1
    assert (view.deliveries.emails_failed, view.deliveries.emails_retrying) == (1, 1)
    late_list = purchasing.list_purchase_orders(db, PurchaseOrderQuery(filter=PurchaseOrderFilter.LATE), now=NOW)
    due_list = purchasing.list_purchase_orders(db, PurchaseOrderQuery(filter=PurchaseOrderFilter.DUE), now=NOW)
    assert [r.id for r in late_list.items] == [late] and late_list.items[0].days_late == 2
    assert [r.id for r in due_list.items] == [due]


def test_orders_are_found_by_number_email_sku_and_status(db: Database) -> None:
    shop(db)
    toner = buy(db, "TONER", 2, email="Siti.Rahma@Contoh.id")
    serum = buy(db, "SERUM", 1, email="budi@contoh.id", at=1)

    def ids(**kwargs: object) -> list[int]:
        return [row.id for row in order_pages.list_orders(db, OrderQuery(**kwargs)).items]  # type: ignore[arg-type]

    assert ids(search=str(toner)) == [toner] and ids(search=f"#{serum}") == [serum]
    assert ids(search="siti.rahma") == [toner]
    assert ids(search="serum") == [serum]
    assert ids(status=OrderStatus.BACKORDERED) == [toner] and ids(waiting=True) == [toner]
    assert ids() == [serum, toner]  # newest first
    page = order_pages.list_orders(db, OrderQuery(paging=Paging(limit=1)))
    assert page.total == 2 and page.items[0].skus == ("SERUM",) and page.items[0].waiting == 0


def test_an_order_page_shows_lines_with_names_queue_positions_and_etas(db: Database) -> None:
    shop(db)
    buy(db, "TONER", 1, email="a@contoh.id")
    order_id = buy(db, "TONER", 2, email="b@contoh.id", at=1)
    po(db, "TONER", 5, 7)
    detail = order_pages.order_detail(db, order_id)
    [line] = detail.lines
    assert (line.sku, line.name, line.waiting, line.position) == ("TONER", "Toner Mawar", 2, 2)
    assert line.eta == TODAY + timedelta(days=7 + HANDLING) and line.eta_confidence is EtaConfidence.SCHEDULED
    with pytest.raises(UnknownOrder):
        order_pages.order_detail(db, 999)


def test_a_purchase_order_page_shows_the_orders_each_line_will_serve(db: Database) -> None:
    shop(db)
    first = buy(db, "TONER", 2, email="a@contoh.id", at=1)
    second = buy(db, "TONER", 3, email="b@contoh.id", at=2)
    third = buy(db, "TONER", 4, email="c@contoh.id", at=3)
    early, later = po(db, "TONER", 4, 5), po(db, "TONER", 10, 9)
    [line] = purchasing.purchase_order_detail(db, early, now=NOW).lines
    assert [(c.order_id, c.units) for c in line.covers] == [(first, 2), (second, 2)]
    assert (line.covered_orders, line.covered_units, line.name) == (2, 4, "Toner Mawar")
    [line] = purchasing.purchase_order_detail(db, later, now=NOW).lines
    assert [(c.order_id, c.customer_email, c.units) for c in line.covers] == [(second, "b@contoh.id", 1),
                                                                               (third, "c@contoh.id", 4)]
    with pytest.raises(UnknownPurchaseOrder):
        purchasing.purchase_order_detail(db, 999, now=NOW)


def test_the_purchase_order_list_filters_by_status_and_supplier_with_totals(db: Database) -> None:
    shop(db)
    supply.create_supplier(db, SupplierCreate(code="CV-LAIN", name="CV Lain", lead_time_days=9), now=NOW)
    mine, other = po(db, "TONER", 6, 5), po(db, "SERUM", 4, 5, supplier="CV-LAIN")
    supply.cancel_purchase_order(db, other, now=NOW)
    rows = purchasing.list_purchase_orders(db, PurchaseOrderQuery(supplier="PT-GLOW"), now=NOW)
    assert [(r.id, r.units, r.received, r.lines, r.supplier_name) for r in rows.items] == [
        (mine, 6, 0, 1, "PT Glow Kosmetik")]
    cancelled = purchasing.list_purchase_orders(db, PurchaseOrderQuery(status="cancelled"), now=NOW)
    assert [r.id for r in cancelled.items] == [other] and cancelled.total == 1


def test_suppliers_show_measured_reliability_and_open_business(db: Database) -> None:
    shop(db)
    po(db, "TONER", 6, 5)
    [glow] = purchasing.list_suppliers(db)
    assert (glow.code, glow.offers, glow.open_orders, glow.open_units, glow.draft_orders) == ("PT-GLOW", 1, 1, 6, 0)
    assert glow.reliability.deliveries == 0 and glow.reliability.on_time_rate is None


def test_a_page_size_beyond_the_limit_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        Paging(limit=500)
    with pytest.raises(InvalidRequest):
        Paging(offset=-1)



def test_a_partly_shipped_order_with_units_still_waiting_counts_as_waiting(db: Database) -> None:
    shop(db)
    request = OrderCreate.model_validate({"customer": {"email": "a@contoh.id"},
                                          "lines": [{"sku": "SERUM", "quantity": 2}, {"sku": "TONER", "quantity": 1}]})
    mixed = placing.place_order(db, request, now=NOW).id
    orders.ship_order(db, mixed, now=NOW)  # the serums go, the toner waits
    done = buy(db, "Lip-Tint", 1, at=5)
    orders.ship_order(db, done, now=NOW)
    listed = order_pages.list_orders(db, OrderQuery(waiting=True))
    assert [(row.id, row.status) for row in listed.items] == [(mixed, OrderStatus.PARTIALLY_SHIPPED)]
    assert today.today_view(db, now=NOW).waiting.orders == 1


def test_orders_are_found_by_the_shops_own_number_and_by_part_of_a_name(db: Database) -> None:
    shop(db)
    for external, name in [("88123", "Siti Rahma"), ("INV/2026/7", "Budi Santoso")]:
        request = OrderCreate.model_validate({"external_id": external,
                                              "customer": {"email": "x@contoh.id", "name": name},
                                              "lines": [{"sku": "TONER", "quantity": 1}]})
        placing.place_order(db, request, now=NOW)

    def names(search: str) -> list[str | None]:
        return [row.customer_name for row in order_pages.list_orders(db, OrderQuery(search=search)).items]

    assert names("88123") == ["Siti Rahma"] and names("INV/2026/7") == ["Budi Santoso"]
    assert names("santoso") == ["Budi Santoso"] and names("X@CONTOH.ID") == ["Budi Santoso", "Siti Rahma"]
    past_the_end = order_pages.list_orders(db, OrderQuery(search="o", paging=Paging(limit=1, offset=5)))
    assert past_the_end.items == () and past_the_end.total == 2
    second = order_pages.list_orders(db, OrderQuery(search="o", paging=Paging(limit=1, offset=1)))
    assert [row.customer_name for row in second.items] == ["Siti Rahma"] and second.total == 2


def test_part_of_a_name_or_email_finds_exactly_the_orders_that_contain_it(db: Database) -> None:
    """The trigram index (inden.db.search) agrees with a plain substring test, short needles and wildcards too."""
    shop(db)
    names = ["Siti Rahma", "Budi Santoso", 'Ani "Kue" 50%_off', "Dewi/Lestari", "Ñoño Añejo", "siti rahmawati"]
    for n, name in enumerate(names):
        request = OrderCreate.model_validate({"customer": {"email": f"pembeli{n}@Contoh.id", "name": name},
                                              "lines": [{"sku": "TONER", "quantity": 1}]})
        placing.place_order(db, request, now=NOW)
    rng = random.Random(7)
    needles = ["ti rah", "RAHMA", "si", "a", '"kue"', "50%_", "%", "_", "/les", "ñoño", "pembeli3@", "contoh",
               "zzz", "ahma" + "w"]
    needles += ["".join(rng.choice(name.lower()) for _ in range(rng.randint(1, 4))) for name in names]
    for needle in needles:
        if needle.strip().isdigit() or not needle.strip():
            continue  # a number is an order number (tested above)
        found = {row.customer_name for row in order_pages.list_orders(db, OrderQuery(search=needle)).items}
        expected = {name for n, name in enumerate(names)
                    if needle.lower() in name.lower() or needle.lower() in f"pembeli{n}@contoh.id"
                    or needle.lower() in "toner"}
        assert found == expected, needle
