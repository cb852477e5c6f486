"""order search: part of a customer's email or name found through a trigram index (pg_trgm GIN indexes on
PostgreSQL, an FTS5 trigram table kept by triggers on SQLite; `inden.db.search`)

Revision ID: 0009a
Revises: 0009
Create Date: 2026-11-30
"""

from alembic import op

from inden.db import search

revision = '0009a'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(search.SQLITE_CREATE)
        for trigger in search.SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute(search.SQLITE_FILL)
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, column in zip(search.POSTGRESQL_INDEXES, ("customer_email", "customer_name"), strict=True):
        op.execute(f"CREATE INDEX {index} ON orders USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {search.SQLITE_TABLE}_{suffix}")
        op.execute(f"DROP TABLE {search.SQLITE_TABLE}")
        return
    for index in search.POSTGRESQL_INDEXES:
        op.execute(f"DROP INDEX {index}")
