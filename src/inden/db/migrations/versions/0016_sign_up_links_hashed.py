"""sign-up links stored hashed: subscription_links holds the SHA-256 of each confirm/unsubscribe link's secret,
minted when the email is sent; subscriptions.token (the secret in plain text) is dropped, and outbox payloads no
longer carry the links

Existing sign-ups keep their links: each plain token becomes the hash of a subscription_links row, so a link in an
email sent before this upgrade still confirms or unsubscribes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

BATCH = 5000
SIGN_UP_EVENTS = "('subscription.confirm', 'back_in_stock')"


def upgrade() -> None:
    bind = op.get_bind()
    # Hashed before the column goes; the links table comes after it (on SQLite the batch copies subscriptions,
    # which a table referencing it would forbid).
    links = [{"subscription_id": sign_up, "token_hash": hashlib.sha256(token.encode()).hexdigest(),
              "created_at": minted} for sign_up, token, minted in bind.execute(sa.text(
                  "SELECT id, token, COALESCE(confirm_sent_at, created_at) FROM subscriptions ORDER BY id"))]
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_subscriptions_token', type_='unique')
        batch_op.drop_column('token')
    op.create_table('subscription_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'],
                            name=op.f('fk_subscription_links_subscription_id_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_subscription_links_token_hash'))
    )
    op.create_index(op.f('ix_subscription_links_subscription_id'), 'subscription_links', ['subscription_id'],
                    unique=False)
    # A plain text statement: the timestamps are copied as the database returned them.
    insert = sa.text("INSERT INTO subscription_links (subscription_id, token_hash, created_at) "
                     "VALUES (:subscription_id, :token_hash, :created_at)")
    for start in range(0, len(links), BATCH):
        bind.execute(insert, links[start:start + BATCH])
    # The links travel in the email only, minted by services.delivery: none stays in an outbox payload.
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE outbox SET payload = (payload::jsonb - 'confirm_url' - 'unsubscribe_url')::json "
                   f"WHERE event_type IN {SIGN_UP_EVENTS}")
    else:
        op.execute("UPDATE outbox SET payload = json_remove(payload, '$.confirm_url', '$.unsubscribe_url') "
                   f"WHERE event_type IN {SIGN_UP_EVENTS}")


def downgrade() -> None:
    # The secrets are gone: every sign-up gets a new one, so links sent before the upgrade stop working.
    op.drop_index(op.f('ix_subscription_links_subscription_id'), table_name='subscription_links')
    op.drop_table('subscription_links')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM subscriptions"))]
    for start in range(0, len(ids), BATCH):
        bind.execute(sa.text("UPDATE subscriptions SET token = :token WHERE id = :id"),
                     [{"id": i, "token": secrets.token_urlsafe(32)} for i in ids[start:start + BATCH]])
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_subscriptions_token', ['token'])
