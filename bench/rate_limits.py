"""What a storefront request's rate-limit count costs: `services.rate_limits.hit` with the two limits of a
storefront request (per key, per client), against a same-run baseline of a transaction that reads one row.

    python bench/rate_limits.py [--database-url URL] [--hits 2000]

Default: a temporary SQLite file. With a PostgreSQL URL the script uses that database (migrated first). Prints
the median and p95 per hit and per baseline read, and their ratio, then a one-line SUMMARY.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from inden.config import Settings
from inden.db.migrate import upgrade
from inden.db.session import Database
from inden.services.rate_limits import Limit, hit


def timed(action, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for n in range(count):
        started = time.perf_counter()
        action(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def describe(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"median {statistics.median(ordered):.3f} ms, p95 {ordered[int(len(ordered) * 0.95)]:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--hits", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        db = Database(url, settings=Settings(database_url=url))
        upgrade(db.engine)
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM rate_limits"))

        def baseline(_: int) -> None:
            with db.transaction() as session:
                session.execute(text("SELECT count(*) FROM rate_limits")).scalar()

        def counted(n: int) -> None:  # 50 keys and 500 clients, as a busy storefront
            hit(db, [Limit(f"key:{n % 50}", 10**9, timedelta(minutes=1)),
                     Limit(f"client:{n % 500}", 10**9, timedelta(minutes=1))])

        timed(baseline, 100)  # warm-up
        timed(counted, 100)
        base, hits = timed(baseline, args.hits), timed(counted, args.hits)
        db.dispose()
    ratio = statistics.median(hits) / statistics.median(base)
    print(f"baseline read transaction: {describe(base)}")
    print(f"rate-limit hit (2 limits): {describe(hits)}")
    print(f"SUMMARY rate limits ({db.engine.dialect.name}): {statistics.median(hits):.3f} ms per storefront request, "
          f"{ratio:.1f}x a one-row read transaction")


if __name__ == "__main__":
    main()
