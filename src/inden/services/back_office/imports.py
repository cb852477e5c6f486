"""The import page: check an uploaded sales-history or products CSV and show every row's problems before
anything is written; import products all or nothing (sales: services.sales_import).

Products CSV (docs/csv.md): a header row; `sku` and `name` required (name may be empty for a SKU that exists),
optional `policy`, `backorder_limit`, `limit_basis`, `release_at`, `max_per_customer`, `lead_time_days`, `price`,
`category`, `service_level`, `max_stock`, `expected_daily_demand`; any order; other columns ignored. A new SKU
is created; an existing one gets the values of its non-empty cells (an empty cell leaves a field as it is).
Values are checked by the same rules as the API's product requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from inden.clock import utcnow
from inden.db.models import Product
from inden.db.session import Database
from inden.db.stock import lock_products
from inden.domain.errors import InvalidRequest
from inden.i18n import N_
from inden.services.csv_problems import Problems, RowProblem, read_records
from inden.services.sales_import import UNKNOWN_SKU, check_sales_csv
from inden.services.schemas.products import ProductCreate, ProductPatch
from inden.services.steps.etas import refresh_etas
from inden.services.steps.serving import serve_waiting

CELLS = {"cells": True}  # spreadsheet cells are text: digits in a cell are a number (services.schemas.common)

# CSV column -> product field
PRODUCT_COLUMNS = {
    "sku": "sku", "name": "name", "policy": "backorder_policy", "backorder_limit": "backorder_limit",
    "limit_basis": "backorder_limit_basis", "release_at": "release_at", "max_per_customer": "max_per_customer",
    "lead_time_days": "lead_time_days", "price": "price", "category": "category", "service_level": "service_level",
    "max_stock": "max_stock", "expected_daily_demand": "expected_daily_demand",
}
MAX_ROWS = 50_000

_MISSING_HEADER = N_("The file needs a header with the columns %(columns)s; missing: %(missing)s.")
_NO_ROWS = N_("The file has no data rows.")
_TOO_MANY = N_("The file has more than %(most)s rows; split it.")
_REPEATED = N_("SKU %(value)s appears again (first on line %(first)s)")
_NAME_NEEDED = N_("a new product needs a name")
_FIELD_TEXT = {
    "missing": N_("%(column)s is required"),
    "int": N_("%(column)s must be a whole number"),
    "number": N_("%(column)s must be a number"),
    "date": N_("%(column)s must be a date in the form YYYY-MM-DD"),
    "min": N_("%(column)s must be at least %(limit)s"),
    "max": N_("%(column)s must be at most %(limit)s"),
    "choice": N_("%(column)s must be one of %(choices)s"),
    "long": N_("%(column)s is too long (at most %(limit)s characters)"),
    "pattern": N_("%(column)s may only use letters, digits and . _ -"),
    "other": N_("%(column)s is not valid (%(detail)s)"),
}


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What importing the file would do, or why it would be refused (then `problems` is not empty)."""

    rows: int  # data rows read
    problems: tuple[RowProblem, ...]  # every problem, in file order; `.text(locale)` says it
    new_products: tuple[str, ...]  # SKUs the import creates
    updated_products: tuple[str, ...]  # SKUs it changes (products CSV)
    days: int = 0  # SKU-days of sales written (sales CSV)

    @property
    def ok(self) -> bool:
        return not self.problems


def _file_problem(error: InvalidRequest) -> tuple[RowProblem, ...]:
    missing = error.details.get("missing", [])
    return (RowProblem(1, None, _MISSING_HEADER, {"columns": "date, sku, quantity[, price]",
                                                   "missing": ", ".join(missing)}),)


def preview_sales_import(db: Database, text: str, *, create_products: bool = False) -> ImportPreview:
    """Check a sales-history CSV as `sales_import.import_sales` would, writing nothing."""
    try:
        rows, problems = check_sales_csv(text)
    except InvalidRequest as error:
        return ImportPreview(0, _file_problem(error), (), ())
    first_line: dict[str, int] = {}
    for row in rows:
        first_line.setdefault(row.sku, row.line)
    with db.transaction() as session:
        known = set(session.scalars(select(Product.sku).where(Product.sku.in_(first_line)))) if first_line else set()
    unknown = sorted(set(first_line) - known, key=first_line.__getitem__)
    if not create_products:
        for sku in unknown:
            problems.add(first_line[sku], "sku", UNKNOWN_SKU, value=repr(sku))
    if not rows and not problems.items:
        problems.add(1, None, _NO_ROWS)
    ordered = sorted(problems.items, key=lambda p: p.line)
    return ImportPreview(len(rows) + _bad_rows(ordered), tuple(ordered), tuple(unknown) if create_products else (),
                         (), days=len({(r.sku, r.day) for r in rows}))


def _bad_rows(problems: Sequence[RowProblem]) -> int:
    return len({p.line for p in problems if p.line > 1 and p.template is not UNKNOWN_SKU})


# --- products ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ProductRow:
    line: int
    sku: str
    values: dict[str, Any]  # product field -> raw cell text (non-empty cells only)


def _read_products(text: str, problems: Problems) -> list[_ProductRow]:
    header, records = read_records(text, problems)
    if problems.items:
        return []
    missing = [name for name in ("sku", "name") if name not in header]
    if missing:
        problems.add(1, None, _MISSING_HEADER, columns="sku, name[, policy, …]", missing=", ".join(missing))
        return []
    rows: list[_ProductRow] = []
    first: dict[str, int] = {}
    for line, record in records:
        cells = {PRODUCT_COLUMNS[k]: (v or "").strip() for k, v in record.items() if k in PRODUCT_COLUMNS}
        sku = cells.get("sku", "")
        if sku in first:
            problems.add(line, "sku", _REPEATED, value=repr(sku), first=first[sku])
            continue
        first[sku] = line
        rows.append(_ProductRow(line, sku, {k: v for k, v in cells.items() if v}))
        if len(rows) > MAX_ROWS:
            problems.add(line, None, _TOO_MANY, most=f"{MAX_ROWS:,}")
            return []
    if not rows and not problems.items:
        problems.add(1, None, _NO_ROWS)
    return rows


_COLUMN_OF = {field: column for column, field in PRODUCT_COLUMNS.items()}


def _field_problem(line: int, error: dict[str, Any], problems: Problems) -> None:
    """One pydantic error as a problem in the seller's words."""
    field = str(error["loc"][0]) if error.get("loc") else ""
    column = _COLUMN_OF.get(field, field)
    kind, ctx = error["type"], error.get("ctx") or {}
    values: dict[str, Any] = {"column": column}
    if kind == "missing":
        key = "missing"
    elif kind.startswith("int_"):
        key = "int"
    elif kind.startswith(("float_", "decimal_")):
        key = "number"
    elif kind.startswith("date_") and kind != "date_out_of_range":
        key = "date"
    elif kind in ("greater_than_equal", "greater_than"):
        key, values["limit"] = "min", ctx.get("ge", ctx.get("gt"))
    elif kind in ("less_than_equal", "less_than"):
        key, values["limit"] = "max", ctx.get("le", ctx.get("lt"))
    elif kind in ("enum", "literal_error"):
        key, values["choices"] = "choice", ctx.get("expected", "")
    elif kind == "string_too_long":
        key, values["limit"] = "long", ctx.get("max_length")
    elif kind == "string_pattern_mismatch":
        key = "pattern"
    else:
        key, values["detail"] = "other", error.get("msg", "")
    problems.add(line, column, _FIELD_TEXT[key], **values)


def _validated(rows: list[_ProductRow], existing: set[str], problems: Problems
               ) -> tuple[list[ProductCreate], list[tuple[str, ProductPatch]]]:
    created, patched = [], []
    for row in rows:
        try:
            if row.sku in existing:
                fields = {k: v for k, v in row.values.items() if k != "sku"}
                patched.append((row.sku, ProductPatch.model_validate(fields, context=CELLS)))
            else:
                if "name" not in row.values and "sku" in row.values:
                    problems.add(row.line, "name", _NAME_NEEDED)
                    continue
                created.append(ProductCreate.model_validate(row.values, context=CELLS))
        except ValidationError as error:
            for item in error.errors():
                _field_problem(row.line, dict(item), problems)
    return created, patched


def _check_products(db: Database, text: str) -> tuple[int, Problems, list[ProductCreate],
                                                      list[tuple[str, ProductPatch]]]:
    problems = Problems()
    rows = _read_products(text, problems)
    skus = [row.sku for row in rows if row.sku]
    with db.transaction() as session:
        existing = set(session.scalars(select(Product.sku).where(Product.sku.in_(skus)))) if skus else set()
    created, patched = _validated(rows, existing, problems)
    problems.items.sort(key=lambda p: p.line)
    return len(rows), problems, created, patched


def preview_products_import(db: Database, text: str) -> ImportPreview:
    """Check a products CSV, writing nothing: every row's problems, and which SKUs would be new or changed."""
    rows, problems, created, patched = _check_products(db, text)
    return ImportPreview(rows, tuple(problems.items), tuple(p.sku for p in created),
                         tuple(sku for sku, _ in patched))


@dataclass(frozen=True, slots=True)
class ProductsImported:
    created: tuple[str, ...]
    updated: tuple[str, ...]


def import_products(db: Database, text: str, *, now: datetime | None = None) -> ProductsImported:
    """Create and change products from a CSV in one transaction: every row or none.

    Raises InvalidRequest listing the problems (nothing written) if any row is bad. Changed products are
    locked (SKU order) and their waiting customers served and re-promised, as `products.update_product` does.
    """
    now = now or utcnow()
    _, problems, created, patched = _check_products(db, text)
    problems.raise_if_any()
    with db.transaction() as session:
        locked = lock_products(session, sorted(sku for sku, _ in patched)) if patched else {}
        for sku, patch in patched:
            for field in patch.model_fields_set:
                setattr(locked[sku], field, getattr(patch, field))
            locked[sku].updated_at = now
        if session.scalar(select(Product.id).where(Product.sku.in_([spec.sku for spec in created])).limit(1)):
            raise InvalidRequest("A product in the file was created meanwhile; import the file again.")
        session.add_all(Product(**spec.model_dump(), on_hand=0, allocated=0, backordered=0, created_at=now,
                                updated_at=now) for spec in created)
        if locked:
            serve_waiting(session, list(locked.values()), now=now)
            refresh_etas(session, list(locked.values()), now=now)
    return ProductsImported(tuple(spec.sku for spec in created), tuple(sku for sku, _ in patched))
