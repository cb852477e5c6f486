"""hardening: webhooks read the outbox in commit order (outbox.position, given after commit;
webhook_endpoints.next_position is each endpoint's cursor); rate-limit counters shared by server processes

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: on SQLite a batch would copy the outbox and lose its expression index.
    op.add_column('outbox', sa.Column('position', sa.BigInteger(), nullable=True))
    # Every row there now has committed: its id is a commit-order position, and each cursor carries over.
    op.execute('UPDATE outbox SET position = id')
    op.create_index('ix_outbox_position', 'outbox', ['position'], unique=True)
    op.create_index('ix_outbox_unpositioned', 'outbox', ['id'], unique=False,
                    sqlite_where=sa.text('position IS NULL'), postgresql_where=sa.text('position IS NULL'))
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_position', sa.BigInteger(), nullable=True))
    op.execute('UPDATE webhook_endpoints SET next_position = next_event_id')
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('next_position', existing_type=sa.BigInteger(), nullable=False)
    op.create_table('rate_limits',
    sa.Column('bucket', sa.String(length=200), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'window_start')
    )


def downgrade() -> None:
    op.drop_table('rate_limits')
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('next_position')
    op.drop_index('ix_outbox_unpositioned', table_name='outbox')
    op.drop_index('ix_outbox_position', table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('position')
