"""Rasa's sender ids: the member's id on their channel, namespaced by the channel.

A WeChat openid and a WeCom UserID are separate namespaces, and a WeCom UserID is
whatever the enterprise chose, so it can equal some member's openid. Rasa keys a
conversation (its tracker, an open form, the slots) by the sender id alone: with bare
ids those two people shared one conversation. The gateway therefore sends
`wechat:<openid>` and `wecom:<UserID>`; everything else (the message log, members and
their sign-ups, takeovers) keeps the bare id with the channel beside it, and what
reads a sender id back turns it into that pair here. Conversations from before carry
bare sender ids (migration 0009 namespaces those it can tell apart).
"""

from __future__ import annotations

CHANNELS = ("wechat", "wecom")


def rasa_sender(channel: str, user_id: str) -> str:
    """The sender id the gateway gives Rasa for this member."""
    return f"{channel}:{user_id}"


def split_sender(sender: str) -> tuple[str | None, str]:
    """(channel, user id) of a sender id; (None, sender) for a bare one (older, or REST)."""
    channel, _, user_id = sender.partition(":")
    if channel in CHANNELS and user_id:
        return channel, user_id
    return None, sender


def member_user_id(channel: str, sender: str) -> str:
    """The bare user id members are stored by, from what an action has (its sender id)."""
    prefix = f"{channel}:"
    return sender[len(prefix):] if channel in CHANNELS and sender.startswith(prefix) else sender
