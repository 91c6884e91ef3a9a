"""Test data for the console's review features: message-log rows written as the gateway
writes them, and Rasa's tracker-store events as Rasa writes them, linked by msg_id."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.engine import Engine

from services.messaging import LogEntry, MessagingService
from services.models import Activity, Member, Signup
from services.setup import migrate
from tests.conftest import postgres_schema_url


def rasa_events_table(engine: Engine) -> Table:
    """The columns of Rasa's SQLTrackerStore `events` table (rasa/core/tracker_store.py)."""
    metadata = MetaData()
    events = Table("events", metadata, Column("id", Integer, primary_key=True),
                   Column("sender_id", String(255), nullable=False, index=True),
                   Column("type_name", String(255), nullable=False), Column("timestamp", Float),
                   Column("intent_name", String(255)), Column("action_name", String(255)), Column("data", Text))
    metadata.create_all(engine)
    return events


def user_event(user_id: str, msg_id: str, text: str, intent: str, confidence: float, channel: str = "wechat",
               guess: tuple[str, float] | None = None, entities: Sequence[dict] = ()) -> dict:
    """A user event; intent nlu_fallback puts `guess` second in the ranking, as FallbackClassifier does."""
    ranking = [{"name": intent, "confidence": confidence}]
    if guess is not None:
        ranking.append({"name": guess[0], "confidence": guess[1]})
    return {"event": "user", "timestamp": dt.datetime.now(dt.UTC).timestamp(), "text": text,
            "metadata": {"channel": channel, "msg_id": msg_id, "openid": user_id},
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "intent_ranking": ranking,
                           "entities": list(entities), "text": text}}


def add_events(engine: Engine, user_id: str, event: dict, actions: Sequence[str] = ("action_listen",)) -> None:
    events = rasa_events_table(engine)
    rows = [{"sender_id": user_id, "type_name": "user", "timestamp": event["timestamp"],
             "intent_name": event["parse_data"]["intent"]["name"], "action_name": None, "data": json.dumps(event)}]
    rows += [{"sender_id": user_id, "type_name": "action", "timestamp": event["timestamp"], "intent_name": None,
              "action_name": action, "data": json.dumps({"event": "action", "name": action})} for action in actions]
    with engine.begin() as connection:
        connection.execute(insert(events), rows)


def log_turn(messaging: MessagingService, user_id: str, text: str, reply: str = "好的", channel: str = "wechat",
             at: dt.datetime | None = None, msg_id: str | None = None) -> str:
    """A member's message and the bot's reply in the message log; the message's msg_id."""
    msg_id = msg_id or uuid.uuid4().hex[:16]
    turn = uuid.uuid4().hex
    at = at or dt.datetime.now(dt.UTC)
    messaging.record([
        LogEntry(turn_id=turn, channel=channel, user_id=user_id, direction="in", msg_type="text", status="answered",
                 text=text, msg_id=msg_id, created_at=at),
        LogEntry(turn_id=turn, channel=channel, user_id=user_id, direction="out", msg_type="text", status="sent",
                 text=reply, delivery="passive", created_at=at + dt.timedelta(milliseconds=300)),
    ])
    return msg_id


def understood(engine: Engine, messaging: MessagingService, user_id: str, text: str, intent: str,
               confidence: float, actions: Sequence[str] = ("action_listen",), channel: str = "wechat",
               guess: tuple[str, float] | None = None, at: dt.datetime | None = None) -> str:
    """A turn in the message log and Rasa's reading of it in `events`."""
    msg_id = log_turn(messaging, user_id, text, channel=channel, at=at)
    add_events(engine, user_id, user_event(user_id, msg_id, text, intent, confidence, channel, guess), actions)
    return msg_id


def signed_up(session_factory, channel: str, user_id: str) -> None:
    with session_factory() as session, session.begin():
        activity = session.query(Activity).filter_by(key="test-activity").one_or_none()
        if activity is None:
            activity = Activity(key="test-activity", name="测试活动")
            session.add(activity)
        member = Member(channel=channel, channel_user_id=user_id, name="张三", mobile="13912345678")
        session.add(member)
        session.flush()
        session.add(Signup(reference=uuid.uuid4().hex[:12], member_id=member.id, activity_id=activity.id,
                           name="张三", mobile="13912345678", company="某公司"))


@pytest.fixture
def gateway_db(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """tests/gateway's migrated SQLite database, or — for tests marked ON_BOTH — a fresh
    PostgreSQL schema as well (skipped, with the reason, when PostgreSQL is not reachable)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        url = f"sqlite:///{tmp_path / 'gateway.db'}"
        migrate(url)
        yield url
        return
    schema = postgres_schema_url()
    url = next(schema)  # skips the test when PostgreSQL is not reachable
    try:
        migrate(url)
        yield url
    finally:
        schema.close()  # drops the schema


# Runs a test on SQLite and on PostgreSQL (import `gateway_db` from here into the test module).
ON_BOTH = pytest.mark.parametrize("gateway_db", ["sqlite", "postgresql"], indirect=True)
