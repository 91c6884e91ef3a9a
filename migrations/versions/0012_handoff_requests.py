"""handoff_requests: members asking for a person (转人工), the console's queue

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 00:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handoff_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=True),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('context', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('assigned_to', sa.String(length=40), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_by', sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('handoff_requests') as batch:
        batch.create_index('ix_handoff_requests_status', ['status', 'requested_at'], unique=False)
        batch.create_index('uq_handoff_requests_open_member', ['channel', 'user_id'], unique=True,
                           sqlite_where=sa.text("status != 'resolved'"),
                           postgresql_where=sa.text("status != 'resolved'"))


def downgrade() -> None:
    with op.batch_alter_table('handoff_requests') as batch:
        batch.drop_index('uq_handoff_requests_open_member')
        batch.drop_index('ix_handoff_requests_status')
    op.drop_table('handoff_requests')
