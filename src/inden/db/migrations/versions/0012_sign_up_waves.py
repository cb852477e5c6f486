"""back-in-stock in waves: one row per wave (units on sale, factor, sign-ups told, measured conversion), and the
wave that told each sign-up

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_up_waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('units_on_sale', sa.Integer(), nullable=False),
    sa.Column('factor', sa.Float(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('told', sa.Integer(), nullable=False),
    sa.Column('convert_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('bought', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_sign_up_waves_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_up_waves'))
    )
    op.create_index('ix_sign_up_waves_product_id_sent_at', 'sign_up_waves', ['product_id', 'sent_at'], unique=False)
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wave_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_subscriptions_wave_id_sign_up_waves'), 'sign_up_waves',
                                    ['wave_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_subscriptions_wave_id_sign_up_waves'), type_='foreignkey')
        batch_op.drop_column('wave_id')
    op.drop_index('ix_sign_up_waves_product_id_sent_at', table_name='sign_up_waves')
    op.drop_table('sign_up_waves')
