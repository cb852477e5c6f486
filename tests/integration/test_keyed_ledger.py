"""The keyed ledger: with INDEN_LEDGER_KEY, rewriting a movement and recomputing the chain without the key is
caught by `inden audit verify`; keys rotate (old keys accepted until `inden audit rekey`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from sqlalchemy import select

from inden.config import Settings
from inden.db.models import Product, StockMovement
from inden.db.session import Database
from inden.domain.errors import InvalidRequest
from inden.domain.ledger import GENESIS_HASH, Movement, MovementKind, movement_hash
from inden.services import audit, products, stock
from inden.services.schemas.products import ProductCreate, StockAdjustment

KEY, OLD = "kunci-buku-stok-2026-rahasia", "kunci-lama-2025"


def keyed(db: Database, key: str | None, *old: str) -> Database:
    return db.configured(Settings(database_url=db.url, ledger_key=key, ledger_old_keys=list(old)))


def shop(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="KOPI", name="Kopi"))
    for delta in (10, -3, 5):
        stock.adjust_stock(db, "KOPI", StockAdjustment(delta=delta, reason="hitung"))


def rewrite_history(db: Database, *, key: str | None) -> None:
    """What someone who can write the database does: change a past movement (10 -> 100 units, and on_hand to
    match) and recompute the chain after it with `key` (None: a plain SHA-256, as without the shop's key)."""
    with db.transaction() as session:
        product = session.scalar(select(Product).where(Product.sku == "KOPI"))
        assert product is not None
        rows = list(session.scalars(select(StockMovement).where(StockMovement.product_id == product.id)
                                    .order_by(StockMovement.seq)))
        rows[0].delta = 100
        product.on_hand += 90
        prev = GENESIS_HASH
        for row in rows:
            movement = Movement("KOPI", row.seq, MovementKind(row.kind), row.delta, row.reason, row.ref)
            row.prev_hash, row.hash = prev, movement_hash(prev, movement, key=key)
            prev = row.hash


def test_a_rewrite_without_the_key_is_detected(db: Database) -> None:
    shop_db = keyed(db, KEY)
    shop(shop_db)
    assert audit.verify(shop_db).ok
    rewrite_history(shop_db, key=None)
    report = audit.verify(shop_db)
    assert not report.ok and any("not signed with the ledger key" in p for p in report.problems)
    rewrite_history(shop_db, key="a-guessed-key")
    report = audit.verify(shop_db)
    assert not report.ok and any("under the ledger key" in p for p in report.problems)


def test_without_a_key_the_same_rewrite_passes_which_is_why_the_key_matters(db: Database) -> None:
    shop(db)
    rewrite_history(db, key=None)
    assert audit.verify(db).ok


def test_rotation_old_key_accepted_until_rekey(db: Database) -> None:
    shop(keyed(db, OLD))
    assert not audit.verify(keyed(db, KEY)).ok  # the new key alone does not know the old signatures
    assert audit.verify(keyed(db, KEY, OLD)).ok
    stock.adjust_stock(keyed(db, KEY, OLD), "KOPI", StockAdjustment(delta=1, reason="hitung"))  # signed with KEY
    assert audit.verify(keyed(db, KEY, OLD)).ok
    assert audit.rekey(keyed(db, KEY, OLD)) == 4
    assert audit.verify(keyed(db, KEY)).ok


def test_setting_a_key_on_an_existing_ledger_then_rekey(db: Database) -> None:
    shop(db)
    report = audit.verify(keyed(db, KEY))
    assert any("not signed" in p for p in report.problems)
    assert audit.rekey(keyed(db, KEY)) == 3
    assert audit.verify(keyed(db, KEY)).ok


def test_rekey_refuses_a_ledger_that_does_not_check_out_and_changes_nothing(db: Database) -> None:
    shop(keyed(db, OLD))
    with pytest.raises(InvalidRequest):
        audit.rekey(keyed(db, KEY))  # OLD is not known to it
    assert audit.verify(keyed(db, OLD)).ok
    with pytest.raises(InvalidRequest):
        audit.rekey(keyed(db, None))


def test_rekey_from_the_terminal(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("products", "add", "KOPI", "Kopi").exit_code == 0
    assert run("stock", "adjust", "KOPI", "5", "--reason", "awal").exit_code == 0
    monkeypatch.setenv("INDEN_LEDGER_KEY", KEY)
    assert run("audit", "verify").exit_code == 1
    done = run("audit", "rekey")
    assert done.exit_code == 0 and "1" in done.stdout, done.output
    assert run("audit", "verify").exit_code == 0
