"""`inden import sales FILE.csv`: daily sales history from spreadsheets and marketplaces, all or nothing.

The file has a header with the columns `date, sku, quantity` and optionally `price` (any order, extra columns
ignored). Rows for the same SKU and date are added together (a marketplace export has a row per order).
Importing replaces the imported history of each SKU in the file over the dates the file covers, so
importing the same file twice changes nothing. Imported units are demand that did not go through inden
(another channel, or the time before inden); the planner adds them to inden's own orders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import bindparam, delete, insert, select

from inden.clock import utcnow
from inden.db.models import Product, SalesHistory, table_of
from inden.db.session import Database
from inden.domain.errors import InvalidRequest
from inden.i18n import N_
from inden.services.csv_problems import Problems, read_records
from inden.services.schemas.common import HISTORY_START, MAX_MONEY, MAX_UNITS, SKU_PATTERN

REQUIRED = ("date", "sku", "quantity")
UNKNOWN_SKU = N_("no product with SKU %(value)s (add it first, or import with --create-products)")


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int  # data rows read
    skus: int
    days: int  # distinct SKU-days written
    created_products: list[str]


@dataclass(frozen=True, slots=True)
class SalesRow:
    line: int
    day: date
    sku: str
    quantity: int
    price: Decimal | None


def _parse_row(line: int, record: dict[str, str], problems: Problems, *, today: date) -> SalesRow | None:
    raw = {key: (record.get(key) or "").strip() for key in (*REQUIRED, "price")}
    ok = True
    try:
        day = date.fromisoformat(raw["date"])
    except ValueError:
        problems.add(line, "date", N_("date %(value)s is not a date in the form YYYY-MM-DD"), value=repr(raw["date"]))
        ok = False
    else:
        if not HISTORY_START <= day <= today:
            problems.add(line, "date", N_("date %(value)s must be between %(low)s and %(high)s"),
                         value=repr(raw["date"]), low=HISTORY_START.isoformat(), high=today.isoformat())
            ok = False
    if not re.fullmatch(SKU_PATTERN, raw["sku"]):
        problems.add(line, "sku", N_("sku %(value)s must be 1-64 of A-Z a-z 0-9 . _ -"), value=repr(raw["sku"]))
        ok = False
    try:
        quantity = int(raw["quantity"])
        if not 0 <= quantity <= MAX_UNITS:
            problems.add(line, "quantity", N_("quantity %(value)s must be between 0 and %(most)s"), value=quantity,
                         most=f"{MAX_UNITS:,}")
            ok = False
    except ValueError:
        problems.add(line, "quantity", N_("quantity %(value)s is not a whole number"), value=repr(raw["quantity"]))
        ok = False
    price: Decimal | None = None
    if raw["price"]:
        try:
            price = Decimal(raw["price"])
            if not price.is_finite() or not 0 <= price <= MAX_MONEY:
                raise InvalidOperation
            price = price.quantize(Decimal("0.01"), ROUND_HALF_UP)  # what both databases' columns keep
        except InvalidOperation:
            problems.add(line, "price", N_("price %(value)s is not an amount from 0 to %(most)s"),
                         value=repr(raw["price"]), most=f"{MAX_MONEY:,}")
            ok = False
    return SalesRow(line, day, raw["sku"], quantity, price) if ok else None


def check_sales_csv(text: str, *, today: date | None = None) -> tuple[list[SalesRow], Problems]:
    """Read and check every row: the good rows and the problems of the others (line 1 = the header). Days
    run from 2000-01-01 to `today` (default: the machine's date, plus one day for any shop's time zone).

    Raises InvalidRequest only when the header lacks a required column (then no row can be read).
    """
    today = today or date.today() + timedelta(days=1)
    problems = Problems()
    header, records = read_records(text, problems)
    if problems.items:
        return [], problems
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidRequest(f"The file needs a header with the columns date, sku, quantity[, price]; "
                             f"missing: {', '.join(missing)}.", missing=missing)
    rows = []
    for line, record in records:
        row = _parse_row(line, record, problems, today=today)
        if row is not None:
            rows.append(row)
    return rows, problems


def parse_sales_csv(text: str) -> list[SalesRow]:
    """Read and check every row; raises InvalidRequest naming each bad line (1 = the header)."""
    rows, problems = check_sales_csv(text)
    problems.raise_if_any()
    if not rows:
        raise InvalidRequest("The file has no data rows.")
    return rows


def import_sales(db: Database, text: str, *, create_products: bool = False,
                 now: datetime | None = None) -> ImportResult:
    """Import a sales CSV in one transaction. Unknown SKUs are an error unless `create_products`."""
    now = now or utcnow()
    rows = parse_sales_csv(text)
    totals: dict[tuple[str, date], int] = defaultdict(int)
    prices: dict[tuple[str, date], Decimal] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        totals[row.sku, row.day] += row.quantity
        if row.price is not None:
            prices[row.sku, row.day] = row.price
        first_line.setdefault(row.sku, row.line)
    with db.transaction() as session:
        ids = dict(session.execute(select(Product.sku, Product.id).where(Product.sku.in_(first_line))).all())
        unknown = sorted(set(first_line) - set(ids), key=first_line.__getitem__)
        if unknown and not create_products:
            problems = Problems()
            for sku in unknown:
                problems.add(first_line[sku], "sku", UNKNOWN_SKU, value=repr(sku))
            problems.raise_if_any()
        for sku in unknown:
            product = Product(sku=sku, name=sku, backorder_policy="allow", lead_time_days=14, on_hand=0,
                              allocated=0, backordered=0, created_at=now, updated_at=now)
            session.add(product)
            session.flush()
            ids[sku] = product.id
        span: dict[str, tuple[date, date]] = {}
        for sku, day in totals:
            low, high = span.get(sku, (day, day))
            span[sku] = (min(low, day), max(high, day))
        table = table_of(SalesHistory)
        session.execute(  # one statement, executed for every SKU's span
            delete(table).where(table.c.product_id == bindparam("pid"), table.c.day >= bindparam("low"),
                                table.c.day <= bindparam("high")),
            [{"pid": ids[sku], "low": low, "high": high} for sku, (low, high) in span.items()])
        session.execute(insert(SalesHistory), [
            {"product_id": ids[sku], "day": day, "quantity": quantity, "price": prices.get((sku, day)),
             "imported_at": now}
            for (sku, day), quantity in totals.items()
        ])
    return ImportResult(rows=len(rows), skus=len(span), days=len(totals), created_products=unknown)
