"""The console at 100,000 stored messages: the conversation list, its filters and search.

    python -m bot.console.bench [--messages 100000] [--members 5000] [--repeat 30]
                                [--database-url postgresql://…] [--keep]

Seeds a scratch database — SQLite in a temporary directory, or with --database-url
a fresh schema in that PostgreSQL database, dropped afterwards — migrated, with
the notices loaded, and realistic traffic: members' messages (some in 繁體, some
with full-width letters) and the bot's replies in the message log; Rasa's
tracker-store events for each turn as Rasa writes them (user events with intent,
confidence, ranking and the gateway's msg_id; the actions; the bot's utterance),
about one turn in eight a fallback; sign-ups, takeovers, review marks and tags.

Then, through the real application (the gateway with the console, aiohttp's test
client, logged in), it times the first page of the conversation list unfiltered
and with each filter, text searches, and the inbox, each request read whole.
The console's index (services.conversation_index) is built by the first request,
timed on its own. Targets (issue #5): list p95 ≤ 300 ms, search p95 ≤ 500 ms.
Writes results/console_bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert, select, text
from sqlalchemy.engine import Engine, make_url

from bot.console import keys as console_keys
from bot.console.settings import load_console_settings
from bot.gateway.app import create_app
from bot.gateway.settings import load_gateway_settings
from services.db import make_engine, make_session_factory
from services.messaging import MessageLog
from services.models import Activity, Member, Signup
from services.review import ReviewTag, TurnReview
from services.settings import PROJECT_ROOT, SHANGHAI
from services.setup import prepare_database
from services.takeover import Takeover

RESULTS = PROJECT_ROOT / "results"
LIST_TARGET_MS = 300.0
SEARCH_TARGET_MS = 500.0
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throw-away account in a scratch database
SEED = 2026

ORGANISATIONS = ["市质协", "上海市质量协会", "市总工会", "团市委", "市妇联", "质协"]
FIELDS = ["电话", "地址", "联系人", "传真", "邮编", "联系电话"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"]
COMPANIES = ["上海电气集团", "宝钢股份", "上汽大众", "光明乳业", "上海地铁运营公司", "东方航空技术公司"]
# intent → what members say (with {activity}, {org}, {field}, {name}, {mobile}, {company}, {month}).
SAYINGS: dict[str, list[str]] = {
    "greet": ["你好", "您好", "在吗", "有人吗", "老师好", "您好，请问在吗", "hi"],
    "thank": ["谢谢", "好的谢谢", "感谢！", "明白了，谢谢老师", "收到"],
    "list_activities": ["最近有什么活动", "{month}有什么活动", "有没有培训", "今年有哪些比赛可以参加",
                        "接下来有啥活动"],
    "ask_activity_details": ["{activity}是什么活动", "介绍一下{activity}", "{activity}有什么要求", "{activity}收费吗",
                             "QC小组成果怎么申报"],
    "ask_activity_time": ["{activity}什么时候开始", "{activity}几号举办", "{activity}的时间是哪天"],
    "ask_activity_place": ["{activity}在哪里举办", "{activity}地点在哪", "{activity}在哪个会场"],
    "ask_deadline": ["{activity}报名截止是哪天", "{activity}什么时候截止", "{activity}还能报名吗"],
    "ask_contact": ["{org}{field}多少", "{org}的{field}是什么", "请问{org}{field}", "{org}{field}"],
    "ask_quality_month": ["质量月的主题是什么", "今年质量月有什么活动", "质量月什么时候"],
    "signup": ["我要报名{activity}", "报名{activity}", "帮我报个名", "我想参加{activity}"],
    "inform": ["我叫{name}", "手机{mobile}", "{company}", "我的电话是{mobile}", "{name}，{company}"],
    "my_signups": ["我报了哪些活动", "查一下我的报名", "我的报名记录"],
    "cancel_signup": ["取消{activity}的报名", "我不去了，帮我取消", "退掉{activity}"],
    "affirm": ["是的", "对", "确认", "好的", "没错"],
    "deny": ["不是", "不对", "不用了"],
}
# What the bot did not understand (nlu_fallback), with the intent it leaned towards.
MISUNDERSTOOD = [("你们那个证书怎么弄", "ask_activity_details"), ("怎么开发票", "ask_contact"),
                 ("今天天气怎么样", "greet"), ("哈哈哈", "greet"), ("发错了", "deny"), ("能不能便宜点", "signup"),
                 ("培训有证书吗", "ask_activity_details"), ("停车方便吗", "ask_activity_place"),
                 ("可以带家属吗", "signup"), ("质协电话打不通", "ask_contact"), ("质协电话一直打不通啊", "ask_contact"),
                 ("发票抬头写错了怎么办", "ask_contact"), ("会员费怎么交", "ask_contact"),
                 ("评审结果什么时候出来", "ask_deadline"), ("证书丢了能补吗", "ask_activity_details")]
ACTIONS = {"greet": "utter_greet", "thank": "utter_thank", "list_activities": "action_list_activities",
           "ask_activity_details": "action_activity_details", "ask_activity_time": "action_activity_time",
           "ask_activity_place": "action_activity_place", "ask_deadline": "action_deadline",
           "ask_contact": "action_answer_contact", "ask_quality_month": "action_quality_month",
           "signup": "signup_form", "inform": "signup_form", "my_signups": "action_my_signups",
           "cancel_signup": "action_cancel_signup", "affirm": "action_submit_signup", "deny": "utter_ok"}
REPLIES = ["好的，{activity}将于2026年12月在上海国际会议中心举办。（来源：《关于开展{activity}的通知》）",
           "上海市质量协会的联系电话是021-64330001，地址是长宁区泰安路74号。",
           "报名已收到，报名编号 SQA-{number}。", "您好，我是上海市质量协会的智能助手，请问有什么可以帮您？",
           "不好意思，我没太明白，您能换个说法吗？", "通知里没有写这一项，您可以拨打021-64330001咨询。"]
TAGS = ["待补充知识", "投诉", "误识别", "表扬"]
# Every column of a message-log row (an executemany needs the same keys in each).
BLANK: dict[str, Any] = {column.name: None for column in MessageLog.__table__.columns if column.name != "id"}


def rasa_events_table(engine: Engine) -> Table:
    """Rasa's SQLTrackerStore `events` table (rasa/core/tracker_store.py, SQLEvent)."""
    metadata = MetaData()
    events = Table("events", metadata, Column("id", Integer, primary_key=True),
                   Column("sender_id", String(255), nullable=False, index=True),
                   Column("type_name", String(255), nullable=False), Column("timestamp", Float),
                   Column("intent_name", String(255)), Column("action_name", String(255)), Column("data", Text))
    metadata.create_all(engine)
    return events


@dataclass
class Seeded:
    messages: int
    events: int
    members: int
    seconds: float
    busiest: tuple[str, str]
    latest_day: dt.date


class Seeder:
    def __init__(self, engine: Engine, members: int, activities: list[str], rng: random.Random) -> None:
        import opencc

        self.engine = engine
        self.rng = rng
        self.activities = activities
        self.traditional = opencc.OpenCC("s2t")
        self.members = [("wecom", f"zhang{n:05d}") if rng.random() < 0.1 else
                        ("wechat", "o" + uuid.UUID(int=rng.getrandbits(128)).hex[:27]) for n in range(members)]
        # A few members write a lot, most write a little (as on a real account).
        self.weights = [1.0 / (rank + 100) for rank in range(members)]

    def fill(self, template: str) -> str:
        rng = self.rng
        return template.format(activity=rng.choice(self.activities), org=rng.choice(ORGANISATIONS),
                               field=rng.choice(FIELDS), name=rng.choice(NAMES),
                               mobile=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                               company=rng.choice(COMPANIES), month=f"{rng.randrange(1, 13)}月",
                               number=rng.randrange(10000, 99999))

    def saying(self) -> tuple[str, str, float, str | None, float | None]:
        """(text, intent, confidence, guess, guess confidence) of one member message."""
        rng = self.rng
        if rng.random() < 0.12:
            said, guess = rng.choice(MISUNDERSTOOD)
            return said, "nlu_fallback", 0.55, guess, round(rng.uniform(0.18, 0.54), 3)
        intent = rng.choice(list(SAYINGS))
        said = self.fill(rng.choice(SAYINGS[intent]))
        roll = rng.random()
        if roll < 0.05:
            said = self.traditional.convert(said)
        elif roll < 0.07:
            said = said.replace("QC", "ＱＣ").replace("2", "２")
        return said, intent, round(rng.uniform(0.56, 0.999), 3), None, None

    def seed(self, messages: int, days: int = 120) -> Seeded:
        started = time.perf_counter()
        rng = self.rng
        events_table = rasa_events_table(self.engine)
        turns = messages // 2
        now = dt.datetime.now(dt.UTC)
        first = now - dt.timedelta(days=days)
        step = (now - first) / turns
        log_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        counts: dict[tuple[str, str], int] = {}
        total_events = 0
        chosen = rng.choices(range(len(self.members)), weights=self.weights, k=turns)
        for number, index in enumerate(chosen):
            channel, user_id = self.members[index]
            counts[(channel, user_id)] = counts.get((channel, user_id), 0) + 1
            at = first + step * number + dt.timedelta(seconds=rng.uniform(0, 1))
            said, intent, confidence, guess, guess_confidence = self.saying()
            msg_id, turn = str(rng.randrange(10**18, 10**19)), uuid.uuid4().hex
            failed = rng.random() < 0.01
            log_rows.append({**BLANK, "uid": uuid.uuid4().hex, "turn_id": turn, "channel": channel,
                             "account": "gh_bench", "user_id": user_id, "direction": "in", "msg_type": "text",
                             "msg_id": msg_id, "text": said, "status": "failed" if failed else "answered",
                             "created_at": at, "rasa_ms": rng.randrange(40, 900)})
            reply = self.fill(rng.choice(REPLIES))
            late = rng.random() < 0.05
            log_rows.append({**BLANK, "uid": uuid.uuid4().hex, "turn_id": turn, "channel": channel,
                             "account": "gh_bench", "user_id": user_id, "direction": "out", "msg_type": "text",
                             "text": reply,
                             "delivery": "customer_service" if late else "passive",
                             "status": "failed" if failed else "sent", "created_at": at + dt.timedelta(seconds=1),
                             "delivered_at": at + dt.timedelta(seconds=1), "latency_ms": rng.randrange(60, 4800)})
            ranking = [{"name": intent, "confidence": confidence}]
            if guess is not None:
                ranking.append({"name": guess, "confidence": guess_confidence})
            stamp = at.timestamp()
            user = {"event": "user", "timestamp": stamp, "text": said, "input_channel": "rest",
                    "message_id": uuid.uuid4().hex, "metadata": {"channel": channel, "account": "gh_bench",
                                                                  "msg_type": "text", "msg_id": msg_id,
                                                                  "openid": user_id},
                    "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": [],
                                   "text": said, "intent_ranking": ranking}}
            actions = ["action_clarify_or_fallback"] if intent == "nlu_fallback" else [ACTIONS[intent]]
            if intent == "nlu_fallback" and rng.random() < 0.3:
                actions = ["action_default_fallback"]
            event_rows.append({"sender_id": user_id, "type_name": "user", "timestamp": stamp, "intent_name": intent,
                               "action_name": None, "data": json.dumps(user, ensure_ascii=False)})
            for action in [*actions, "action_listen"]:
                event_rows.append({"sender_id": user_id, "type_name": "action", "timestamp": stamp,
                                   "intent_name": None, "action_name": action,
                                   "data": json.dumps({"event": "action", "timestamp": stamp, "name": action,
                                                       "policy": "RulePolicy", "confidence": 1.0})})
            event_rows.append({"sender_id": user_id, "type_name": "bot", "timestamp": stamp, "intent_name": None,
                               "action_name": None,
                               "data": json.dumps({"event": "bot", "timestamp": stamp, "text": reply},
                                                  ensure_ascii=False)})
            if len(log_rows) >= 20_000:
                total_events += self._flush(events_table, log_rows, event_rows)
        total_events += self._flush(events_table, log_rows, event_rows)
        self._members_extras(counts)
        busiest = max(counts, key=lambda member: counts[member])
        return Seeded(messages=turns * 2, events=total_events, members=len(counts),
                      seconds=time.perf_counter() - started, busiest=busiest,
                      latest_day=now.astimezone(SHANGHAI).date())

    def _flush(self, events_table: Table, log_rows: list[dict[str, Any]], event_rows: list[dict[str, Any]]) -> int:
        written = len(event_rows)
        if not log_rows:
            return 0
        with self.engine.begin() as connection:
            connection.execute(insert(MessageLog.__table__), log_rows)
            connection.execute(insert(events_table), event_rows)
        log_rows.clear()
        event_rows.clear()
        return written

    def _members_extras(self, counts: dict[tuple[str, str], int]) -> None:
        """Sign-ups, takeovers in progress, review marks and tags, on some of the members."""
        rng = self.rng
        members = sorted(counts)
        factory = make_session_factory(self.engine)
        with factory() as session, session.begin():
            activity_ids = list(session.scalars(select(Activity.id)))
            for channel, user_id in rng.sample(members, min(300, len(members))):
                member = Member(channel=channel, channel_user_id=user_id, name=rng.choice(NAMES),
                                mobile=f"139{rng.randrange(10**8):08d}", company=rng.choice(COMPANIES))
                session.add(member)
                session.flush()
                session.add(Signup(reference=uuid.uuid4().hex[:12], member_id=member.id,
                                   activity_id=rng.choice(activity_ids), name=member.name, mobile=member.mobile,
                                   company=member.company))
            for channel, user_id in rng.sample(members, min(20, len(members))):
                session.add(Takeover(channel=channel, user_id=user_id, account="gh_bench", staff_username="bench"))
            reviewed = rng.sample(members, min(150, len(members)))
            inbound = session.execute(select(MessageLog.id, MessageLog.channel, MessageLog.user_id)
                                      .where(MessageLog.direction == "in",
                                             MessageLog.user_id.in_([user for _, user in reviewed]))).all()
            for row in inbound:
                session.add(TurnReview(message_id=row.id, channel=row.channel, user_id=row.user_id,
                                       staff_username="bench"))
            for channel, user_id in rng.sample(members, min(200, len(members))):
                session.add(ReviewTag(channel=channel, user_id=user_id, message_id=0, tag=rng.choice(TAGS),
                                      staff_username="bench"))


def describe(values: list[float]) -> dict[str, float]:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1]
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(p95, 1),
            "max_ms": round(max(values), 1), "n": len(values)}


def scenarios(seeded: Seeded) -> list[tuple[str, str, float | None]]:
    """(name, path, target p95 in ms)."""
    day = seeded.latest_day
    month_ago, week_ago = (day - dt.timedelta(days=30)).isoformat(), (day - dt.timedelta(days=7)).isoformat()
    channel, user_id = seeded.busiest
    listing = "/console/conversations"

    def search(words: str, more: str = "") -> str:
        return f"{listing}?q={quote(words)}{more}"

    return [
        ("list", listing, LIST_TARGET_MS),
        ("list, page 5", f"{listing}?page=5", LIST_TARGET_MS),
        ("list, last 30 to 7 days", f"{listing}?from={month_ago}&to={week_ago}", LIST_TARGET_MS),
        ("list, channel wecom", f"{listing}?channel=wecom", LIST_TARGET_MS),
        ("list, intent ask_contact", f"{listing}?intent=ask_contact", LIST_TARGET_MS),
        ("list, confidence < 0.55", f"{listing}?below=0.55", LIST_TARGET_MS),
        ("list, fallback", f"{listing}?fallback=1", LIST_TARGET_MS),
        ("list, taken over", f"{listing}?held=1", LIST_TARGET_MS),
        ("list, has sign-up", f"{listing}?signup=1", LIST_TARGET_MS),
        ("list, not reviewed", f"{listing}?reviewed=no", LIST_TARGET_MS),
        ("list, tag 投诉", f"{listing}?tag={quote('投诉')}", LIST_TARGET_MS),
        ("list, failed", f"{listing}?failed=1", LIST_TARGET_MS),
        ("list, four filters", f"{listing}?channel=wechat&intent=ask_deadline&from={month_ago}&reviewed=no",
         LIST_TARGET_MS),
        ("search 报名 (many hits)", search("报名"), SEARCH_TARGET_MS),
        ("search 證書 (繁體)", search("證書"), SEARCH_TARGET_MS),
        ("search 市质协 电话", search("市质协 电话"), SEARCH_TARGET_MS),
        ("search ＱＣ小组 (full-width)", search("ＱＣ小组"), SEARCH_TARGET_MS),
        ("search, no hit", search("火星移民计划"), SEARCH_TARGET_MS),
        ("search + intent + dates", search("报名", f"&intent=signup&from={month_ago}"), SEARCH_TARGET_MS),
        ("inbox", "/console/inbox", None),
        ("busiest member's transcript", f"/console/conversations/{channel}/{quote(user_id)}", None),
    ]


async def measure(database_url: str, seeded: Seeded, repeat: int) -> dict[str, Any]:
    settings = load_gateway_settings({"DATABASE_URL": database_url, "RASA_URLS": "http://127.0.0.1:9",
                                      "GATEWAY_OUTBOX_POLL_S": "3600"})
    # The bench's client speaks plain HTTP to 127.0.0.1: the session cookie may not be Secure.
    console_settings = load_console_settings({"CONSOLE_COOKIE_SECURE": "off"})
    client = TestClient(TestServer(create_app(settings, console_settings), host="127.0.0.1"))
    await client.start_server()
    try:
        accounts = client.app[console_keys.ACCOUNTS]
        await asyncio.to_thread(accounts.create_user, "bench.admin", PASSWORD, "admin")
        login = await client.get("/console/login")
        token = (await login.text()).split('name="_csrf" value="')[1].split('"')[0]
        response = await client.post("/console/login", data={"username": "bench.admin", "password": PASSWORD,
                                                              "_csrf": token}, allow_redirects=False)
        assert response.status == 302, "could not log in"
        started = time.perf_counter()
        first = await client.get("/console/conversations")
        await first.read()
        first_s = time.perf_counter() - started
        results: dict[str, Any] = {"first_request_with_indexing_s": round(first_s, 2), "scenarios": {}}
        for name, path, target in scenarios(seeded):
            timings = []
            for attempt in range(repeat + 2):
                begin = time.perf_counter()
                response = await client.get(path)
                body = await response.read()
                elapsed = (time.perf_counter() - begin) * 1000
                assert response.status == 200, f"{path}: {response.status}"
                if attempt >= 2:  # two warm-up requests
                    timings.append(elapsed)
            figures: dict[str, Any] = {**describe(timings)}
            figures.update({"path": path, "target_p95_ms": target, "bytes": len(body),
                            "rows": body.count(b"<tr") - 1 if b"<table" in body else None,
                            "ok": target is None or figures["p95_ms"] <= target})
            results["scenarios"][name] = figures
        return results
    finally:
        await client.close()


@contextmanager
def scratch_database(database_url: str | None, keep: bool) -> Iterator[str]:
    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="console-bench-"))
        path = folder / "console_bench.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            if keep:
                print(f"kept {path}")
            else:
                path.unlink(missing_ok=True)
                for extra in folder.iterdir():
                    extra.unlink()
                folder.rmdir()
        return
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit("--database-url: a PostgreSQL URL (SQLite is the default)")
    schema = f"console_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        if keep:
            print(f"kept schema {schema}")
        else:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def report(result: dict[str, Any]) -> None:
    seeded = result["seeded"]
    print(f"\nConsole benchmark on {result['database']}: {seeded['messages']:,} messages, {seeded['members']:,} "
          f"members, {seeded['events']:,} Rasa events (seeded in {seeded['seconds']:.1f} s)")
    print(f"  first list request, building the console's index: {result['first_request_with_indexing_s']:.2f} s")
    for name, figures in result["scenarios"].items():
        target = figures["target_p95_ms"]
        verdict = "" if target is None else f"target p95 ≤ {target:.0f} ms  {'ok' if figures['ok'] else 'MISSED'}"
        print(f"  {name:32} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
              f"max {figures['max_ms']:7.1f} ms  {verdict}")
    print(f"  report: results/{result['report']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000, help="stored messages, members' and replies")
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per scenario")
    parser.add_argument("--database-url", help="a PostgreSQL database to make a scratch schema in")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.ERROR)
    for name in ("bot", "services"):
        logging.getLogger(name).setLevel(logging.WARNING)
    database = "sqlite" if args.database_url is None else "postgresql"
    with scratch_database(args.database_url, args.keep) as database_url:
        services = prepare_database(database_url)
        with services.session_factory() as session:
            activities = [name for name in session.scalars(select(Activity.name)) if len(name) <= 20]
        seeded = Seeder(services.engine, args.members, activities, random.Random(SEED)).seed(args.messages)
        if database == "postgresql":
            with services.engine.begin() as connection:  # as autovacuum would after a bulk load
                connection.execute(text("ANALYZE"))
        services.engine.dispose()
        result = asyncio.run(measure(database_url, seeded, args.repeat))
    result.update({"database": database, "seeded": {"messages": seeded.messages, "events": seeded.events,
                                                    "members": seeded.members,
                                                    "seconds": round(seeded.seconds, 1)},
                   "report": f"console_bench_{database}.json"})
    report(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / result["report"]).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
