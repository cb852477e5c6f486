"""What a product page costs: `GET /v1/availability/{sku}` answered by the service, against a same-run baseline.

100,000 waiting one-unit backorders over 1,000 SKUs, each SKU with 3 open purchase-order lines (the seeding of
bench/eta.py). Timed: 2,000 availability answers for random SKUs and quantities (status decided by the order
rule, the ETA pegged behind the whole queue, labels, the sentence in Indonesian). Baseline, same run: 2,000
plain product reads (`GET /v1/products/{sku}`: the row and its incoming units). Our target: at most 3x the
baseline per answer, so a product page costs about what a product read costs. Also timed: the same answers
100 SKUs per request (`GET /v1/availability?sku=…`, a category page).

    python bench/availability.py
    python bench/availability.py --database-url postgresql+psycopg://root@127.0.0.1:5432/inden_bench_avail
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from allocation import backend_of, database_parser, fresh_database, seed  # noqa: E402  (bench scripts share the seeding)
from eta import LINES, SKUS, add_supply  # noqa: E402

from inden.services.products import get_product  # noqa: E402
from inden.services.storefront import availability, availability_of_many  # noqa: E402

CALLS = 2000


def main() -> None:
    parser = database_parser(__doc__)
    args = parser.parse_args()
    backend = backend_of(args.database_url)
    db = fresh_database(args.database_url)
    seed(db, lines=LINES, skus=SKUS)
    add_supply(db)
    rng = random.Random(7)
    skus = [f"SKU-{rng.randrange(SKUS):05d}" for _ in range(CALLS)]
    quantities = [rng.choice((1, 1, 1, 2, 5)) for _ in range(CALLS)]
    for sku in skus[:50]:  # warm the connection pool and the catalogues
        availability(db, sku)
        get_product(db, sku)

    started = time.perf_counter()
    for sku in skus:
        get_product(db, sku)
    baseline = (time.perf_counter() - started) / CALLS
    started = time.perf_counter()
    statuses: dict[str, int] = {}
    for sku, quantity in zip(skus, quantities, strict=True):
        status = availability(db, sku, quantity=quantity).status
        statuses[status] = statuses.get(status, 0) + 1
    answer = (time.perf_counter() - started) / CALLS
    started = time.perf_counter()
    for start in range(0, CALLS, 100):  # a category page: 100 products per request
        availability_of_many(db, skus[start:start + 100])
    batched = (time.perf_counter() - started) / CALLS
    db.dispose()
    print(f"{backend:<10} baseline product read: {baseline * 1000:5.2f} ms/call ({1 / baseline:,.0f}/s)")
    print(f"{backend:<10} availability:          {answer * 1000:5.2f} ms/call ({1 / answer:,.0f}/s), "
          f"{answer / baseline:.2f}x baseline; target <= 3x: {'PASS' if answer <= 3 * baseline else 'FAIL'} "
          f"(statuses: {statuses})")
    print(f"{backend:<10} 100 per request:       {batched * 1000:5.2f} ms/answer ({1 / batched:,.0f}/s), "
          f"{batched / baseline:.2f}x baseline")


if __name__ == "__main__":
    main()
