"""activity_organisers: the activities whose sign-up lists an organiser account may export

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_organisers',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('assigned_by', sa.String(length=40), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'username')
    )


def downgrade() -> None:
    op.drop_table('activity_organisers')
