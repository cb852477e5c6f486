"""shopper's order page: links that open a buyer's order (hashed secrets), the buyer's answers (keep waiting or
cancel), and an index to read one order's date changes from the outbox

Revision ID: 0011
Revises: 0009a
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0009a'
branch_labels = None
depends_on = None

# An event's order, as inden.db.models.OrderOfEvent writes it (an index serves only its exact expression).
ORDER_OF_EVENT = {"sqlite": "CAST(json_extract(payload, '$.order_id') AS INTEGER)",
                  "postgresql": "CAST((payload ->> 'order_id') AS INTEGER)"}


def upgrade() -> None:
    op.create_table('order_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_links_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_order_links_token_hash'))
    )
    op.create_index(op.f('ix_order_links_order_id'), 'order_links', ['order_id'], unique=False)
    op.create_table('order_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=16), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_choices_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_choices'))
    )
    op.create_index(op.f('ix_order_choices_order_id'), 'order_choices', ['order_id'], unique=False)
    expression = ORDER_OF_EVENT[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_outbox_eta_changed_order ON outbox ({expression}, id) "
               "WHERE event_type = 'eta_changed'")


def downgrade() -> None:
    op.drop_index('ix_outbox_eta_changed_order', table_name='outbox')
    op.drop_index(op.f('ix_order_choices_order_id'), table_name='order_choices')
    op.drop_table('order_choices')
    op.drop_index(op.f('ix_order_links_order_id'), table_name='order_links')
    op.drop_table('order_links')
