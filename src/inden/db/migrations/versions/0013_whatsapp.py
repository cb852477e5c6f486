"""whatsapp: the channel a buyer chose for an order or a sign-up (their number, when they consented), and the
numbers that opted out

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, phone in (('orders', 'customer_phone'), ('subscriptions', 'phone')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(phone, sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='email', nullable=False))
            batch_op.add_column(sa.Column('whatsapp_consent_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('whatsapp_opt_outs',
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_whatsapp_opt_outs'))
    )


def downgrade() -> None:
    op.drop_table('whatsapp_opt_outs')
    for table, phone in (('subscriptions', 'phone'), ('orders', 'customer_phone')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('whatsapp_consent_at')
            batch_op.drop_column('channel')
            batch_op.drop_column(phone)
