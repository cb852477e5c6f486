"""The product page's promise is the order rule's decision (Hypothesis), and labels come from data."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from inden.domain.allocation import LineRequest, take_order
from inden.domain.availability import ShelfStatus, shelf_status
from inden.domain.labels import Label, LabelFacts, best_sellers, product_labels
from inden.domain.policy import BackorderPolicy, LimitBasis, ProductRules
from inden.domain.stock import StockLevel

rules_st = st.builds(ProductRules, sku=st.just("KAOS"), policy=st.sampled_from(BackorderPolicy),
                     backorder_limit=st.none() | st.integers(0, 20), limit_basis=st.sampled_from(LimitBasis),
                     released=st.booleans(), max_per_customer=st.none() | st.integers(1, 3))


@st.composite
def stock_st(draw: st.DrawFn) -> StockLevel:
    on_hand = draw(st.integers(0, 30))
    return StockLevel(on_hand, draw(st.integers(0, on_hand)), draw(st.integers(0, 30)), draw(st.integers(0, 30)))


@given(rules_st, stock_st(), st.integers(1, 40), st.integers(0, 10))
def test_the_status_is_what_an_order_of_that_quantity_would_get(rules, stock, quantity, threshold) -> None:  # type: ignore[no-untyped-def]
    shelf = shelf_status(rules, stock, quantity=quantity, low_stock_threshold=threshold)
    decision = take_order([LineRequest("KAOS", quantity)], {"KAOS": (rules, stock)})
    assert (shelf.status is ShelfStatus.OUT_OF_STOCK) == (not decision.accepted)
    if decision.accepted:
        assert shelf.waiting == decision.takes[0].backordered
        assert (shelf.status in (ShelfStatus.IN_STOCK, ShelfStatus.LOW_STOCK)) == (shelf.waiting == 0)
        assert (shelf.status is ShelfStatus.PREORDER) == (shelf.waiting > 0 and not rules.released)
    assert shelf.available == (stock.available if rules.released else 0)
    if shelf.status is ShelfStatus.LOW_STOCK:
        assert shelf.available <= threshold
    if shelf.status is ShelfStatus.IN_STOCK:
        assert shelf.available > threshold


def test_deny_with_too_little_stock_is_out_of_stock_not_backorder() -> None:
    rules = ProductRules("KAOS", BackorderPolicy.DENY)
    assert shelf_status(rules, StockLevel(2, 0), quantity=3, low_stock_threshold=5).status is ShelfStatus.OUT_OF_STOCK
    assert shelf_status(rules, StockLevel(2, 0), quantity=2, low_stock_threshold=5).status is ShelfStatus.LOW_STOCK


@given(st.dictionaries(st.integers(1, 200), st.integers(0, 50), max_size=60), st.floats(0.01, 1.0))
def test_best_sellers_are_the_top_share_of_selling_products(units, share) -> None:  # type: ignore[no-untyped-def]
    chosen = best_sellers(units, share=share)
    selling = {k for k, u in units.items() if u > 0}
    assert chosen <= selling
    assert bool(chosen) == bool(selling)
    if chosen:
        assert min(units[k] for k in chosen) >= max((units[k] for k in selling - chosen), default=0)
        cut = min(units[k] for k in chosen)
        strictly_above = sum(1 for k in selling if units[k] > cut)
        assert strictly_above < max(share * len(selling), 1)  # ties at the cut-off are in, nobody else


TODAY = date(2026, 12, 1)


def test_restock_lasts_restock_days_and_needs_stock_on_sale() -> None:
    rules = ProductRules("KAOS", BackorderPolicy.ALLOW)
    fresh = LabelFacts(available=3, restocked_on=TODAY - timedelta(days=6), best_seller=False)
    assert product_labels(rules, fresh, today=TODAY, restock_days=7) == [Label.RESTOCK]
    stale = LabelFacts(available=3, restocked_on=TODAY - timedelta(days=7), best_seller=False)
    assert product_labels(rules, stale, today=TODAY, restock_days=7) == []
    sold_out = LabelFacts(available=0, restocked_on=TODAY, best_seller=True)
    assert product_labels(rules, sold_out, today=TODAY, restock_days=7) == [Label.BEST_SELLER]


def test_limited_means_a_per_customer_cap_or_a_capped_preorder() -> None:
    facts = LabelFacts(available=0, restocked_on=None, best_seller=False)
    capped = ProductRules("KAOS", BackorderPolicy.PREORDER, backorder_limit=100)
    per_customer = ProductRules("KAOS", BackorderPolicy.ALLOW, max_per_customer=2)
    capped_backorder = ProductRules("KAOS", BackorderPolicy.ALLOW, backorder_limit=100)
    assert product_labels(capped, facts, today=TODAY, restock_days=7) == [Label.LIMITED]
    assert product_labels(per_customer, facts, today=TODAY, restock_days=7) == [Label.LIMITED]
    assert product_labels(capped_backorder, facts, today=TODAY, restock_days=7) == []
