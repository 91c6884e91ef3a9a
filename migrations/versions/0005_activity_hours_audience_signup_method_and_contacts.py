"""activities: hours, audience and sign-up method; the contacts each activity's notice gives

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add several columns in one ALTER; PostgreSQL just runs ALTERs.
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_of_day', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('audience', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('signup_method', sa.Text(), nullable=True))

    op.create_table('activity_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('org', sa.String(length=200), nullable=True),
    sa.Column('person', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=100), nullable=True),
    sa.Column('mobile', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('fax', sa.String(length=60), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_contacts_activity_id'), ['activity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activity_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_contacts_activity_id'))
    op.drop_table('activity_contacts')

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('signup_method')
        batch_op.drop_column('audience')
        batch_op.drop_column('time_of_day')
