"""sign-ups: status changes become HOT updates on PostgreSQL — no index on (product_id, status), and
subscriptions' pages are filled to half (fillfactor 50) so a row's new version fits on its own page; on
PostgreSQL the outbox's position index holds positioned rows only (a new event writes no entry there)

A back-in-stock wave marks up to 100,000 sign-ups told in one UPDATE: with no index naming the columns it
changes, PostgreSQL writes no index entry for them (bench/sign_up_waves.py). Pages written before this upgrade
are full; they get room as they are rewritten (`VACUUM FULL subscriptions` does it at once, under a lock).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_subscriptions_product_id_status', table_name='subscriptions')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE subscriptions SET (fillfactor = 50)")
        op.drop_index('ix_outbox_position', table_name='outbox')
        op.create_index('ix_outbox_position', 'outbox', ['position'], unique=True,
                        postgresql_where=sa.text('position IS NOT NULL'))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_outbox_position', table_name='outbox')
        op.create_index('ix_outbox_position', 'outbox', ['position'], unique=True)
        op.execute("ALTER TABLE subscriptions RESET (fillfactor)")
    op.create_index('ix_subscriptions_product_id_status', 'subscriptions', ['product_id', 'status'], unique=False)
