"""console: conversation index (search text, Rasa's readings), review marks, tags, misunderstood inbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:25:11.953709
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_index_cursors',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('inbox_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('intent', sa.String(length=100), nullable=True),
    sa.Column('sample', sa.Text(), nullable=True),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('examples_added', sa.Integer(), nullable=False),
    sa.Column('staff_username', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('nlu_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('msg_id', sa.String(length=64), nullable=False),
    sa.Column('intent', sa.String(length=100), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('guess', sa.String(length=100), nullable=True),
    sa.Column('fallback', sa.Boolean(), nullable=False),
    sa.Column('fallback_action', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message_log.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'user_id', 'msg_id', name='uq_nlu_readings_message'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('nlu_readings', schema=None) as batch_op:
        batch_op.create_index('ix_nlu_readings_confidence', ['confidence'], unique=False)
        batch_op.create_index('ix_nlu_readings_intent', ['intent'], unique=False)
        batch_op.create_index('ix_nlu_readings_message', ['message_id'], unique=False)
        batch_op.create_index('ix_nlu_readings_sender', ['user_id', 'event_id'], unique=False)

    op.create_table('review_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=20), nullable=False),
    sa.Column('staff_username', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'user_id', 'message_id', 'tag', name='uq_review_tags')
    )
    with op.batch_alter_table('review_tags', schema=None) as batch_op:
        batch_op.create_index('ix_review_tags_tag', ['tag', 'channel', 'user_id'], unique=False)

    op.create_table('inbox_handled',
    sa.Column('text_key', sa.String(length=500), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['inbox_decisions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('text_key')
    )
    with op.batch_alter_table('inbox_handled', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_handled_decision_id'), ['decision_id'], unique=False)

    op.create_table('message_search',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('text_key', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message_log.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id')
    )
    op.create_table('turn_reviews',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('staff_username', sa.String(length=40), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message_log.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('turn_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_turn_reviews_member', ['channel', 'user_id'], unique=False)

    with op.batch_alter_table('message_log', schema=None) as batch_op:
        batch_op.create_index('ix_message_log_member_msg', ['channel', 'user_id', 'msg_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('message_log', schema=None) as batch_op:
        batch_op.drop_index('ix_message_log_member_msg')

    with op.batch_alter_table('turn_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_turn_reviews_member')

    op.drop_table('turn_reviews')
    op.drop_table('message_search')
    with op.batch_alter_table('inbox_handled', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_handled_decision_id'))

    op.drop_table('inbox_handled')
    with op.batch_alter_table('review_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_review_tags_tag')

    op.drop_table('review_tags')
    with op.batch_alter_table('nlu_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_nlu_readings_sender')
        batch_op.drop_index('ix_nlu_readings_message')
        batch_op.drop_index('ix_nlu_readings_intent')
        batch_op.drop_index('ix_nlu_readings_confidence')

    op.drop_table('nlu_readings')
    op.drop_table('inbox_decisions')
    op.drop_table('console_index_cursors')
