"""outbox: bulk events — a change that tells thousands of customers writes one `bulk` row holding their events,
expanded into one row each by the next reader of the outbox (db.outbox.expand_bulk); `seq` keeps the expanded
events in the commit order of the change that wrote them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('seq', sa.BigInteger(), nullable=True))
    op.create_index('ix_outbox_bulk', 'outbox', ['id'], sqlite_where=sa.text("event_type = 'bulk'"),
                    postgresql_where=sa.text("event_type = 'bulk'"))


def downgrade() -> None:
    op.drop_index('ix_outbox_bulk', table_name='outbox')
    op.drop_column('outbox', 'seq')
