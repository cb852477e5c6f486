"""Import previews name every bad row before anything is written; a products CSV is imported all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inden.db.models import Product, SalesHistory
from inden.db.session import Database
from inden.domain.errors import InvalidRequest
from inden.services import products
from inden.services.back_office.imports import import_products, preview_products_import, preview_sales_import
from inden.services.order_views import list_backorders
from inden.services.schemas.products import ProductCreate
from tests.integration.test_back_office_reads import NOW, buy, shop


def count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_sales_preview_names_each_bad_row_in_the_sellers_language_and_writes_nothing(db: Database) -> None:
    shop(db)
    text = ("date,sku,quantity\n2026-11-01,SERUM,3\n2026-13-01,SERUM,1\n2026-11-02,TONER,lots\n"
            "2026-11-03,NOPE,1\n")
    preview = preview_sales_import(db, text)
    assert not preview.ok and preview.rows == 4
    assert [(p.line, p.column) for p in preview.problems] == [(3, "date"), (4, "quantity"), (5, "sku")]
    assert preview.problems[1].text("id") == "quantity 'lots' bukan bilangan bulat"
    assert preview.problems[1].text("en") == "quantity 'lots' is not a whole number"
    assert count(db, SalesHistory) == 0


def test_a_good_sales_file_previews_what_it_will_write(db: Database) -> None:
    shop(db)
    preview = preview_sales_import(db, "date,sku,quantity\n2026-11-01,SERUM,3\n2026-11-01,SERUM,2\n"
                                       "2026-11-01,BARU,1\n", create_products=True)
    assert preview.ok and (preview.rows, preview.days, preview.new_products) == (3, 2, ("BARU",))


def test_a_file_without_the_needed_header_is_one_problem_on_line_one(db: Database) -> None:
    [problem] = preview_sales_import(db, "day,item\n1,2\n").problems
    assert problem.line == 1 and "date, sku, quantity" in problem.text("en")
    [problem] = preview_products_import(db, "sku,price\nA,1\n").problems
    assert problem.line == 1 and problem.text("id").endswith("yang belum ada: name.")


PRODUCTS = """sku,name,policy,backorder_limit,max_per_customer,lead_time_days,price,release_at
SERUM,,deny,,,,,
KREM-01,Krim Malam,allow,50,,21,89000,
KREM-02,Krim Siang,preorder,,2,,99000,2027-01-15
"""


def test_a_products_file_creates_new_skus_and_changes_existing_ones(db: Database) -> None:
    shop(db)
    preview = preview_products_import(db, PRODUCTS)
    assert preview.ok and preview.new_products == ("KREM-01", "KREM-02") and preview.updated_products == ("SERUM",)
    result = import_products(db, PRODUCTS, now=NOW)
    assert (result.created, result.updated) == (("KREM-01", "KREM-02"), ("SERUM",))
    serum = products.get_product(db, "SERUM")
    assert serum.backorder_policy == "deny" and serum.name == "Serum Vitamin C"  # empty cells leave fields be
    krem = products.get_product(db, "KREM-02")
    assert (krem.backorder_policy, krem.max_per_customer, str(krem.release_at), krem.lead_time_days) == (
        "preorder", 2, "2027-01-15", 14)


def test_one_bad_products_row_refuses_the_whole_file_with_every_problem_named(db: Database) -> None:
    shop(db)
    before = count(db, Product)
    text = ("sku,name,policy,lead_time_days,price\nNEW-1,Baru,allow,7,1000\nNEW-2,,allow,7,\n"
            "NEW-3,Tiga,sometimes,-4,abc\nbad sku!,X,allow,,\nNEW-1,Lagi,allow,,\n")
    problems = preview_products_import(db, text).problems
    assert [(p.line, p.column) for p in problems] == [
        (3, "name"), (4, "policy"), (4, "lead_time_days"), (4, "price"), (5, "sku"), (6, "sku")]
    assert problems[0].text("id") == "produk baru perlu nama"
    assert problems[1].text("en").startswith("policy must be one of")
    assert problems[5].text("en") == "SKU 'NEW-1' appears again (first on line 2)"
    with pytest.raises(InvalidRequest) as error:
        import_products(db, text, now=NOW)
    assert error.value.details["problem_count"] == 6 and count(db, Product) == before


def test_changing_a_policy_by_import_re_promises_waiting_customers(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="BEDAK", name="Bedak", lead_time_days=10), now=NOW)
    buy(db, "BEDAK", 2)
    import_products(db, "sku,name,lead_time_days\nBEDAK,,60\n", now=NOW)
    [line] = list_backorders(db, sku="BEDAK").items
    assert line.eta is not None and (line.eta - NOW.date()).days >= 60
