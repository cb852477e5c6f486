"""Finding orders by part of a customer's email or name without reading every order: a trigram index on each
database — on PostgreSQL two pg_trgm GIN indexes (`ILIKE '%…%'` uses them), on SQLite an FTS5 table with the
trigram tokenizer over `orders`, kept current by triggers (migration 0009a). Both need a needle of at least 3
characters; a shorter one reads every order.

These structures are not in the models (neither database has the other's): the migration environment and the
models-match-migrations test skip them by name (`is_search_structure`). A later SQLite migration that rebuilds
`orders` in batch mode drops its triggers with the old table and must create them again
(`SQLITE_TRIGGERS`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, literal_column, select, text
from sqlalchemy.orm import Session

from inden.db.models import Order

SQLITE_TABLE = "orders_search"
POSTGRESQL_INDEXES = ("ix_orders_customer_email_trgm", "ix_orders_customer_name_trgm")
SHORTEST = 3  # a trigram index cannot help below three characters

SQLITE_CREATE = (f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(customer_email, customer_name, "
                 "content='orders', content_rowid='id', tokenize='trigram')")
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER {SQLITE_TABLE}_insert AFTER INSERT ON orders BEGIN
        INSERT INTO {SQLITE_TABLE}(rowid, customer_email, customer_name)
        VALUES (new.id, new.customer_email, new.customer_name); END""",
    f"""CREATE TRIGGER {SQLITE_TABLE}_delete AFTER DELETE ON orders BEGIN
        INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, customer_email, customer_name)
        VALUES ('delete', old.id, old.customer_email, old.customer_name); END""",
    f"""CREATE TRIGGER {SQLITE_TABLE}_update AFTER UPDATE OF customer_email, customer_name ON orders BEGIN
        INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, customer_email, customer_name)
        VALUES ('delete', old.id, old.customer_email, old.customer_name);
        INSERT INTO {SQLITE_TABLE}(rowid, customer_email, customer_name)
        VALUES (new.id, new.customer_email, new.customer_name); END""",
)
SQLITE_FILL = f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')"


def is_search_structure(name: str | None) -> bool:
    """Whether a table or index is one of the search structures above (or an FTS5 shadow table of them)."""
    return name is not None and (name.startswith(SQLITE_TABLE) or name in POSTGRESQL_INDEXES)


def _like_pattern(needle: str) -> str:
    escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def orders_with_customer_like(session: Session, needle: str) -> list[Select[Any]]:
    """SELECTs of the ids of orders whose customer email or name contains `needle` (any case), to be joined
    with UNION: separate index scans rather than one OR that the planner may answer by reading every order."""
    pattern = _like_pattern(needle)
    if len(needle) >= SHORTEST and session.get_bind().dialect.name == "sqlite":
        phrase = '"' + needle.replace('"', '""') + '"'
        return [select(literal_column("rowid", Integer)).select_from(text(SQLITE_TABLE))
                .where(text(f"{SQLITE_TABLE} MATCH :phrase").bindparams(phrase=phrase))]
    return [select(Order.id).where(Order.customer_email.ilike(pattern, escape="/")),
            select(Order.id).where(Order.customer_name.ilike(pattern, escape="/"))]
