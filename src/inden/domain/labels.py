"""Product labels a storefront shows as badges, from data: restock, best seller, limited.

- `restock`: back on sale recently — a stock-in brought the product back from having nothing to sell, within
  the last `restock_days` days, and there is something to sell now.
- `best_seller`: among the top `share` of the shop's selling products by units demanded over a recent window
  (`best_sellers`; the worker stores the result on the product).
- `limited`: a limited edition — a per-customer cap, or a pre-order with a capped quantity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from inden.domain.policy import BackorderPolicy, LimitBasis, ProductRules


class Label(StrEnum):
    RESTOCK = "restock"
    BEST_SELLER = "best_seller"
    LIMITED = "limited"


@dataclass(frozen=True, slots=True)
class LabelFacts:
    """What the labels are decided from, for one product."""

    available: int  # sellable now (0 for a pre-order before release)
    restocked_on: date | None  # shop date of the last stock-in that ended a stock-out
    best_seller: bool


def product_labels(rules: ProductRules, facts: LabelFacts, *, today: date, restock_days: int) -> list[Label]:
    """The labels of one product, in a fixed order."""
    labels = []
    if (facts.available > 0 and facts.restocked_on is not None
            and facts.restocked_on > today - timedelta(days=restock_days)):
        labels.append(Label.RESTOCK)
    if facts.best_seller:
        labels.append(Label.BEST_SELLER)
    capped_preorder = (rules.policy is BackorderPolicy.PREORDER and rules.limit_basis is LimitBasis.FIXED
                       and rules.backorder_limit is not None)
    if rules.max_per_customer is not None or capped_preorder:
        labels.append(Label.LIMITED)
    return labels


def best_sellers(units: Mapping[int, int], *, share: float) -> set[int]:
    """Keys (product ids) in the top `share` of products that sold anything, by units; ties at the cut-off are
    all in. At least one product is a best seller once anything sells."""
    selling = sorted((u for u in units.values() if u > 0), reverse=True)
    if not selling:
        return set()
    cutoff = selling[max(math.ceil(share * len(selling)), 1) - 1]
    return {key for key, u in units.items() if u > 0 and u >= cutoff}
