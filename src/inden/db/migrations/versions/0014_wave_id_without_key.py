"""back-in-stock waves: subscriptions.wave_id is no longer a foreign key — its check cost one lookup per sign-up told
in a wave (bench/sign_up_waves.py); only inden.db.waves writes it, with the id of the wave it has just inserted

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_subscriptions_wave_id_sign_up_waves'), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_subscriptions_wave_id_sign_up_waves'), 'sign_up_waves',
                                    ['wave_id'], ['id'])
