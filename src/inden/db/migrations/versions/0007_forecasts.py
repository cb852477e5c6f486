"""forecasts: each SKU's stored daily forecast (mean, 80/95 % bounds) from the latest plan run, for the back
office's product chart

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


def downgrade() -> None:
    op.drop_table('demand_forecasts')
