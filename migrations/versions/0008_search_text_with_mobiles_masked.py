"""message_search.masked_key: the searched text with mobile numbers masked, for staff

The search index is emptied and its cursor reset, so the console rebuilds it (both
keys) at its next start or list request.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message_search') as batch:
        batch.add_column(sa.Column('masked_key', sa.Text(), nullable=True))
    op.execute("DELETE FROM message_search")
    op.execute("DELETE FROM console_index_cursors WHERE name = 'message_log'")


def downgrade() -> None:
    with op.batch_alter_table('message_search') as batch:
        batch.drop_column('masked_key')
