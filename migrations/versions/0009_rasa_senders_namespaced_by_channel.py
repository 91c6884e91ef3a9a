"""Rasa's conversations keyed by channel and member: events.sender_id wechat:<openid>, wecom:<UserID>

Since issue #13 the gateway sends Rasa `wechat:<openid>` / `wecom:<UserID>` (services/senders.py).
The conversations Rasa already holds (its `events` table, when it shares this database)
are renamed so that members carry on where they were, form and slots included: a bare
sender id the message log knows on one channel only gets that channel's prefix. One
known on both channels cannot be split after the fact and is left bare (the console
still shows it; Rasa starts both members afresh). Nothing happens without an `events`
table (Rasa's tracker store elsewhere, or not created yet).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 02:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ONE_CHANNEL = """
    SELECT user_id, MIN(channel) AS channel FROM message_log
    WHERE channel IN ('wechat', 'wecom') GROUP BY user_id HAVING COUNT(DISTINCT channel) = 1
"""


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("events"):
        return
    op.execute(f"""
        UPDATE events SET sender_id = (
            SELECT members.channel || ':' || members.user_id FROM ({ONE_CHANNEL}) AS members
            WHERE members.user_id = events.sender_id)
        WHERE sender_id IN (SELECT user_id FROM ({ONE_CHANNEL}) AS known)
    """)


def downgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("events"):
        return
    op.execute("UPDATE events SET sender_id = substr(sender_id, 8) WHERE sender_id LIKE 'wechat:%'")
    op.execute("UPDATE events SET sender_id = substr(sender_id, 7) WHERE sender_id LIKE 'wecom:%'")
