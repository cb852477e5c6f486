"""Sign-up links stored hashed (issue 13): the secrets travel in the emails only, the database keeps their SHA-256,
and links sent before the upgrade to 0016 still confirm and unsubscribe (both databases)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, inspect, text

from inden.db.migrate import upgrade
from inden.db.models import Base, Timestamp
from inden.db.session import Database
from inden.domain.errors import UnknownSubscriptionLink
from inden.services import products, stock, subscriptions
from inden.services.delivery import deliver_outbox
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate
from tests.conftest import BACKENDS, PG_URL
from tests.letters import Letters, links_in

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
SKU = "TAS-VIRAL"


def everything_stored(db: Database) -> str:
    """Every row of every table, as text: what a copy of the database would give away."""
    with db.engine.connect() as connection:
        return "\n".join(str(tuple(row)) for table in Base.metadata.sorted_tables
                         for row in connection.execute(table.select()))


def test_the_database_holds_no_link_secret_only_its_hash(db: Database) -> None:
    products.create_product(db, ProductCreate(sku=SKU, name="Tas Viral", price="199000"), now=NOW)
    for email in ("rina@contoh.id", "budi@contoh.id"):
        subscriptions.subscribe(db, SubscriptionCreate(sku=SKU, email=email), now=NOW)
    letters = Letters()
    deliver_outbox(db, letters, now=NOW)
    confirms = {str(m["To"]): links_in(m)[0] for m in letters.messages}
    for token in confirms.values():
        subscriptions.confirm(db, token, now=NOW)
    stock.adjust_stock(db, SKU, StockAdjustment(delta=5, reason="datang"), now=NOW + timedelta(days=1))
    deliver_outbox(db, letters, now=NOW + timedelta(days=1))
    unsubscribes = [links_in(m, "unsubscribe")[0] for m in letters.messages[2:]]
    secrets = [*confirms.values(), *unsubscribes]
    assert len(unsubscribes) == 2 and len(set(secrets)) == 4  # every email its own link

    stored = everything_stored(db)
    assert not [s for s in secrets if s in stored]
    assert all(hashlib.sha256(s.encode()).hexdigest() in stored for s in secrets)
    assert subscriptions.unsubscribe(db, unsubscribes[0], now=NOW + timedelta(days=2)).status == "unsubscribed"


def test_signing_up_again_ends_the_old_links(db: Database) -> None:
    products.create_product(db, ProductCreate(sku=SKU, name="Tas Viral"), now=NOW)
    subscriptions.subscribe(db, SubscriptionCreate(sku=SKU, email="rina@contoh.id"), now=NOW)
    letters = Letters()
    deliver_outbox(db, letters, now=NOW)
    [old] = links_in(letters.messages[0])
    subscriptions.unsubscribe(db, old, now=NOW)
    subscriptions.subscribe(db, SubscriptionCreate(sku=SKU, email="rina@contoh.id"), now=NOW + timedelta(hours=1))
    deliver_outbox(db, letters, now=NOW + timedelta(hours=1))
    [new] = links_in(letters.messages[1])
    with pytest.raises(UnknownSubscriptionLink):
        subscriptions.find_subscription(db, old)
    assert subscriptions.confirm(db, new, now=NOW + timedelta(hours=1)).status == "confirmed"


# --- the upgrade from 0015: plain tokens become hashes, old links keep working ------------------------------


@pytest.fixture(params=BACKENDS)
def at_0015(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database migrated to 0015 only (PostgreSQL: in a schema of its own)."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("INDEN_TEST_DATABASE_URL is not set")
        admin = Database(PG_URL)
        with admin.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS upgrade_0016 CASCADE"))
            connection.execute(text("CREATE SCHEMA upgrade_0016"))
            # Its own (empty) version table, found before public's: Alembic starts from nothing. public stays on
            # the path for the extensions installed there (pg_trgm).
            connection.execute(text("CREATE TABLE upgrade_0016.alembic_version (version_num VARCHAR(32) NOT NULL "
                                    "CONSTRAINT alembic_version_pkc PRIMARY KEY)"))
        db = Database(PG_URL, connect_args={"options": "-c jit=off -c search_path=upgrade_0016,public"})
    else:
        admin = None
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db.engine, "0015")
    yield db
    db.dispose()
    if admin is not None:
        with admin.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA upgrade_0016 CASCADE"))
        admin.dispose()


def test_upgrading_hashes_the_stored_tokens_and_old_links_still_work(at_0015: Database) -> None:
    db = at_0015
    products.create_product(db, ProductCreate(sku="TAS", name="Tas"), now=NOW)  # products are as at 0015
    with db.engine.begin() as connection:
        for n, status in enumerate(("pending", "confirmed")):
            connection.execute(text(
                "INSERT INTO subscriptions (product_id, email, locale, status, token, created_at, confirm_sent_at, "
                "channel) VALUES (1, :email, 'id', :status, :token, :now, :now, 'email')"
            ).bindparams(bindparam("now", type_=Timestamp)),
                {"email": f"s{n}@contoh.id", "status": status, "token": f"lama-token-{n}", "now": NOW})
        payload = {"subscription_id": 1, "sku": "TAS", "email": "s0@contoh.id", "locale": "id",
                   "confirm_url": "http://x/subscriptions/confirm?token=lama-token-0",
                   "unsubscribe_url": "http://x/subscriptions/unsubscribe?token=lama-token-0"}
        connection.execute(text(
            "INSERT INTO outbox (event_type, dedup_key, payload, created_at, attempts) "
            "VALUES ('subscription.confirm', 'k', :payload, :now, 0)").bindparams(bindparam("now", type_=Timestamp)),
            {"payload": json.dumps(payload), "now": NOW})
    upgrade(db.engine)

    assert "token" not in {c["name"] for c in inspect(db.engine).get_columns("subscriptions")}
    stored = everything_stored(db)
    assert "lama-token" not in stored
    assert subscriptions.confirm(db, "lama-token-0", now=NOW).status == "confirmed"
    assert subscriptions.unsubscribe(db, "lama-token-1", now=NOW).status == "unsubscribed"
    with pytest.raises(UnknownSubscriptionLink):
        subscriptions.find_subscription(db, "lama-token-2")
    letters = Letters()  # the confirmation still waiting in the outbox goes out with a new link
    assert deliver_outbox(db, letters, now=NOW).sent == 1
    [fresh] = links_in(letters.messages[0])
    assert subscriptions.find_subscription(db, fresh).email == "s0@contoh.id"
