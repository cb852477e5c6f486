"""eta speed: order lines keep half of each page free so ETA re-pegs are HOT updates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Re-pegging a supplier's delay rewrites the ETA columns of most waiting lines (80,000 in bench/eta.py). Those
columns are in no index, so PostgreSQL can update a row in place on its page (a HOT update) and skip the five
indexes of order_lines, but only if the page has room for the new row version. With fillfactor 80 most
versions spilled to other pages and every index got a new entry (1.1-2 s of 3.9 s); with 50 nearly all are
HOT (~0.5 s). The cost is a table about twice as large on disk. Affects rows written from now on (existing
pages keep their layout until rewritten, e.g. by VACUUM FULL). SQLite has no fillfactor: nothing to do.
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE order_lines SET (fillfactor = 50)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE order_lines SET (fillfactor = 80)')
