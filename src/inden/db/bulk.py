"""Applying tens of thousands of ETA changes in a few statements.

The changes go into a temporary table in one step (COPY on PostgreSQL, executemany on SQLite); one UPDATE
then applies them and one INSERT … SELECT writes the `eta_changed` events, so no per-row Python or SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, and_, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from inden.db.models import Order, OrderLine, OutboxEvent, Product, Timestamp
from inden.db.sql import json_object


@dataclass(frozen=True, slots=True)
class EtaChange:
    line_id: int
    eta: date
    eta_latest: date
    eta_confidence: str


_changes = Table(
    "eta_changes", MetaData(),
    Column("line_id", Integer, primary_key=True), Column("eta", Date), Column("eta_latest", Date),
    Column("eta_confidence", String(16)),
    prefixes=["TEMPORARY"],
)


def _load(session: Session, changes: Sequence[EtaChange]) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE IF NOT EXISTS eta_changes (line_id int PRIMARY KEY, eta date, "
            "eta_latest date, eta_confidence text) ON COMMIT DELETE ROWS")
        connection.exec_driver_sql("TRUNCATE eta_changes")
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY eta_changes (line_id, eta, eta_latest, eta_confidence) FROM STDIN") as copy:
            for change in changes:
                copy.write_row((change.line_id, change.eta, change.eta_latest, change.eta_confidence))
        connection.exec_driver_sql("ANALYZE eta_changes")  # temp tables have no statistics: plan the join well
        return
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS eta_changes (line_id INTEGER PRIMARY KEY, eta DATE, "
        "eta_latest DATE, eta_confidence VARCHAR(16))")
    connection.exec_driver_sql("DELETE FROM eta_changes")
    connection.exec_driver_sql(
        "INSERT INTO eta_changes (line_id, eta, eta_latest, eta_confidence) VALUES (?, ?, ?, ?)",
        [(c.line_id, c.eta.isoformat(), c.eta_latest.isoformat(), c.eta_confidence) for c in changes],
    )


def apply_eta_changes(session: Session, changes: Sequence[EtaChange], *, now: datetime) -> int:
    """Store new ETAs; for each line whose promised dates moved (it had one), write an `eta_changed` event
    with the old and new dates. Returns the number of events written."""
    if not changes:
        return 0
    _load(session, changes)
    c, line = _changes.c, OrderLine.__table__.c
    moved = and_(line.eta.is_not(None), or_(line.eta != c.eta, line.eta_latest != c.eta_latest))
    payload = json_object(
        session,
        order_id=line.order_id,
        sku=Product.sku,
        old=json_object(session, eta=line.eta, eta_latest=line.eta_latest),
        new=json_object(session, eta=c.eta, eta_latest=c.eta_latest, eta_confidence=c.eta_confidence),
        customer=json_object(session, email=Order.customer_email, locale=Order.customer_locale),
    )
    events = (
        select(literal("eta_changed"), literal(f"eta_changed:{now.isoformat()}:") + line.id.cast(String), payload,
               literal(now, Timestamp), literal(0))
        .select_from(_changes.join(OrderLine.__table__, line.id == c.line_id))
        .join(Order, Order.id == line.order_id).join(Product, Product.id == line.product_id)
        .where(moved)
    )
    written = session.execute(insert(OutboxEvent.__table__).from_select(
        ["event_type", "dedup_key", "payload", "created_at", "attempts"], events)).rowcount
    table = OrderLine.__table__
    session.execute(
        update(table).where(table.c.id == c.line_id)
        .values(eta=c.eta, eta_latest=c.eta_latest, eta_confidence=c.eta_confidence)
    )
    return int(written or 0)
