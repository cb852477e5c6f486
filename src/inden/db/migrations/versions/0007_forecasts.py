"""forecasts: each SKU's stored daily forecast (mean, 80/95 % bounds) from the latest plan run, for the back
office's product chart; indexes for the back office's waiting figures and order search

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demand_forecasts',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('lo_80', sa.Float(), nullable=False),
    sa.Column('hi_80', sa.Float(), nullable=False),
    sa.Column('lo_95', sa.Float(), nullable=False),
    sa.Column('hi_95', sa.Float(), nullable=False),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_demand_forecasts_product_id_products')),
    sa.PrimaryKeyConstraint('product_id', 'day', name=op.f('pk_demand_forecasts'))
    )
    # What bench/back_office.py called for (docs/benchmarks.md): the back office's waiting figures and search.
    unscheduled = "backordered > 0 AND (eta_confidence IS NULL OR eta_confidence <> 'scheduled')"
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_unscheduled', ['product_id', 'backordered'], unique=False,
                              sqlite_where=sa.text(unscheduled), postgresql_where=sa.text(unscheduled))
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
    op.drop_table('demand_forecasts')
