"""activities.fee holds 300 characters: member, non-member, group and early-bird prices together

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activities') as batch:
        batch.alter_column('fee', existing_type=sa.String(length=100), type_=sa.String(length=300),
                           existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('activities') as batch:
        batch.alter_column('fee', existing_type=sa.String(length=300), type_=sa.String(length=100),
                           existing_nullable=True)
