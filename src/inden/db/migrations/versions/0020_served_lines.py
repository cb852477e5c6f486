"""order_lines: no `served_batch` (column and index) — the lines one serving reaches are named by a temporary
table of that transaction (`served_lines`, db.queue), so serving a line writes one index entry fewer

A stock-in serving 100,000 waiting lines rewrote each line with an entry in `ix_order_lines_served_batch` only so
that the status refresh and the events could find them again by the batch's token.

Also on SQLite: the queue index is rebuilt in allocation order (`priority DESC`). A table rebuild of an earlier
migration (batch mode, 0002) had re-created it from reflection as `priority` ascending, so SQLite sorted every
queue it served or re-pegged instead of reading it in index order.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_order_lines_served_batch', table_name='order_lines')
    op.execute("ALTER TABLE order_lines DROP COLUMN served_batch")  # native on PostgreSQL and SQLite >= 3.35
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index('ix_order_lines_queue', table_name='order_lines')
        op.create_index('ix_order_lines_queue', 'order_lines',
                        ['product_id', sa.text('priority DESC'), 'order_created_at', 'order_id', 'id'],
                        sqlite_where=sa.text('backordered > 0'))


def downgrade() -> None:  # the queue index stays in allocation order: that was always the intent
    op.add_column('order_lines', sa.Column('served_batch', sa.String(length=32), nullable=True))
    op.create_index('ix_order_lines_served_batch', 'order_lines', ['served_batch'], unique=False)
