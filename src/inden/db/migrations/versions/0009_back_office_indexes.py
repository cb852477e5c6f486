"""back office indexes: the waiting figures of the "Hari ini" page and the product filters (waiting units with
no purchase order behind their date, the longest wait), and the order search (the shop's own order number, a
customer's email in any case); measured by bench/back_office.py (docs/benchmarks.md)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

UNSCHEDULED = "backordered > 0 AND (eta_confidence IS NULL OR eta_confidence <> 'scheduled')"


def upgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_unscheduled', ['product_id', 'backordered'], unique=False,
                              sqlite_where=sa.text(UNSCHEDULED), postgresql_where=sa.text(UNSCHEDULED))
        batch_op.create_index('ix_order_lines_waiting_since', ['order_created_at'], unique=False,
                              sqlite_where=sa.text('backordered > 0'), postgresql_where=sa.text('backordered > 0'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_external_id', ['external_id'], unique=False)
        batch_op.create_index('ix_orders_customer_email_lower', [sa.text('lower(customer_email)')], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_customer_email_lower')
        batch_op.drop_index('ix_orders_external_id')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_waiting_since')
        batch_op.drop_index('ix_order_lines_unscheduled')
