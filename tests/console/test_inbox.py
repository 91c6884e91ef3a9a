"""The misunderstood inbox: grouping, the data/nlu/review.yml writer (format, merge, no
duplicates, concurrent writers), and the page through aiohttp's test client. That Rasa
reads what the writer writes is tests/unit/test_review_file.py's part (Rasa's environment)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.console import keys as console_keys
from bot.gateway import keys
from services.inbox import InboxDecision, InboxText, bigrams, group_texts, jaccard
from services.review_file import ReviewFile, ReviewFileError
from services.settings import PROJECT_ROOT
from tests.console.nlu_events import ON_BOTH, gateway_db, log_turn, understood  # noqa: F401  (fixture)
from tests.nlu_yaml import examples

NOW = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def review_file(tmp_path: Path) -> ReviewFile:
    training = tmp_path / "nlu"
    training.mkdir()
    (training / "contacts.yml").write_text(textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: ask_contact
          examples: |
            - [市质协](organisation)[电话](contact_field)多少
        - intent: greet
          examples: |
            - 你好
        """), encoding="utf-8")
    return ReviewFile(training / "review.yml", lock_path=tmp_path / "locks" / "review.lock", training_dir=training)


# -- grouping ------------------------------------------------------------------------------


def text(key: str, count: int = 1, last_id: int = 1) -> InboxText:
    return InboxText(key=key, text=key, count=count, members=count, last_id=last_id, last_at=NOW, guess=None,
                     confidence=None)


def test_alike_texts_are_grouped_and_different_ones_are_not():
    assert jaccard(bigrams("怎么报名"), bigrams("怎么报名啊")) == 0.75
    assert jaccard(bigrams("活动什么时候开始"), bigrams("活动什么时候结束")) < 0.6
    assert bigrams("嗯") == frozenset({"嗯"}) and bigrams("？？") == frozenset()
    groups = group_texts([text("怎么报名", 3, 1), text("怎么报名啊", 1, 2), text("怎么 报名？", 1, 3),
                          text("活动什么时候开始", 2, 4), text("活动什么时候结束", 2, 5), text("你好", 1, 6),
                          text("您好", 1, 7), text("质量月活动什么时候", 1, 8), text("质量月的活动什么时候", 1, 9)])
    assert [group.keys for group in groups][:1] == [["怎么报名", "怎么 报名？", "怎么报名啊"]]
    assert groups[0].count == 5
    shapes = sorted(sorted(group.keys) for group in groups)
    assert ["活动什么时候开始"] in shapes and ["活动什么时候结束"] in shapes
    assert ["你好"] in shapes and ["您好"] in shapes
    assert ["质量月活动什么时候", "质量月的活动什么时候"] in shapes


# -- the review.yml writer ----------------------------------------------------------------------


def test_examples_are_written_in_rasas_format_and_merged(review_file):
    result = review_file.add("ask_contact", ["质协热线打不通怎么办？", "  热线\n  一直占线  ", "[急]电话多少"])
    assert result.added == ["质协热线打不通怎么办？", "热线 一直占线", "［急］电话多少"]
    assert review_file.path.read_text(encoding="utf-8").endswith(textwrap.dedent("""\
        version: "3.1"

        nlu:
        - intent: ask_contact
          examples: |
            - 质协热线打不通怎么办？
            - 热线 一直占线
            - ［急］电话多少
        """))
    review_file.add("out_of_scope", ["今天股市怎么样"])
    review_file.add("ask_contact", ["传真号是多少"])
    assert examples(review_file.path) == {
        "ask_contact": ["质协热线打不通怎么办？", "热线 一直占线", "［急］电话多少", "传真号是多少"],
        "out_of_scope": ["今天股市怎么样"]}
    assert review_file.path.read_text(encoding="utf-8").count("- intent: ask_contact") == 1


def test_no_duplicates_no_conflicting_labels_and_no_mobile_numbers(review_file):
    review_file.add("ask_contact", ["质协热线打不通"])
    result = review_file.add("ask_contact", ["質協熱線打不通", "市质协电话多少", "质协热线打不通", "ＱＱ号多少"])
    assert result.already == ["質協熱線打不通", "市质协电话多少", "质协热线打不通"]  # any script; data/nlu too
    assert result.added == ["ＱＱ号多少"]
    result = review_file.add("greet", ["质协热线打不通", "qq号多少", "你好"])
    assert [intent for _, intent in result.conflicts] == ["ask_contact", "ask_contact"]
    assert result.already == ["你好"] and result.added == []
    result = review_file.add("inform", ["我的手机13912345678", "   "])
    assert result.refused == ["我的手机13912345678", "   "] and result.added == []
    assert examples(review_file.path) == {"ask_contact": ["质协热线打不通", "ＱＱ号多少"]}


def test_hand_edits_are_kept_and_a_broken_file_is_left_alone(review_file):
    review_file.path.write_text(textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: ask_contact
          examples: |
            - [妇联](organisation)的邮编
        - synonym: 上海市质量协会
          examples: |
            - 市质协
        """), encoding="utf-8")
    review_file.add("ask_contact", ["团市委邮编多少"])
    written = review_file.path.read_text(encoding="utf-8")
    assert "- [妇联](organisation)的邮编\n    - 团市委邮编多少\n" in written
    assert "synonym: 上海市质量协会" in written
    assert examples(review_file.path) == {"ask_contact": ["妇联的邮编", "团市委邮编多少"]}
    broken = "version: \"3.1\"\nnlu:\n- intent: [unclosed\n"
    review_file.path.write_text(broken, encoding="utf-8")
    with pytest.raises(ReviewFileError):
        review_file.add("ask_contact", ["新的样例"])
    assert review_file.path.read_text(encoding="utf-8") == broken
    assert not [path for path in review_file.path.parent.iterdir() if path.suffix == ".tmp"]


def test_concurrent_writers_lose_nothing(review_file, tmp_path):
    def add(writer: int) -> None:
        review_file.add("ask_contact" if writer % 2 else "ask_deadline",
                        [f"线程{writer}的第{number}个问题" for number in range(10)])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(8)))
    # Separate processes, as two gateway processes would be: the file lock serialises them.
    script = textwrap.dedent(f"""\
        import sys
        from pathlib import Path
        from services.review_file import ReviewFile
        writer = ReviewFile(Path({str(review_file.path)!r}), lock_path=Path({str(review_file.lock_path)!r}),
                            training_dir=Path({str(review_file.training_dir)!r}))
        for number in range(10):
            writer.add("out_of_scope", [f"进程{{sys.argv[1]}}的第{{number}}句"])
        """)
    processes = [subprocess.Popen([sys.executable, "-c", script, str(n)], cwd=PROJECT_ROOT) for n in range(4)]
    assert [process.wait(60) for process in processes] == [0, 0, 0, 0]
    found = examples(review_file.path)
    assert sorted(found) == ["ask_contact", "ask_deadline", "out_of_scope"]
    assert len(found["ask_contact"]) == len(found["ask_deadline"]) == 40
    assert sorted(found["out_of_scope"]) == sorted(f"进程{n}的第{m}句" for n in range(4) for m in range(10))


# -- the page ------------------------------------------------------------------------------------


async def seed(console) -> None:
    gateway = console.gateway
    engine, messaging = gateway.app[keys.ENGINE], gateway.messaging
    fallback = ("nlu_fallback", 0.55)
    for member in ("o-a", "o-b", "o-c"):
        understood(engine, messaging, member, "质协电话打不通", *fallback, ["action_clarify_or_fallback"],
                   guess=("ask_contact", 0.41))
    understood(engine, messaging, "o-d", "質協電話打不通", *fallback, guess=("ask_contact", 0.38))
    understood(engine, messaging, "o-e", "质协电话打不通啊", *fallback, guess=("ask_contact", 0.44))
    understood(engine, messaging, "o-f", "活动什么时候开始", "ask_activity_time", 0.5)
    understood(engine, messaging, "o-g", "今天天气怎么样", *fallback, ["action_default_fallback"],
               guess=("greet", 0.2))
    understood(engine, messaging, "o-h", "我的手机13912345678", *fallback, guess=("inform", 0.3))
    understood(engine, messaging, "o-i", "你好", "greet", 0.99)  # understood: not in the inbox
    log_turn(messaging, "o-j", "没有经过 Rasa 的消息")  # no reading: not in the inbox


def group_of(console, words: str):
    inbox = console.gateway.app[console_keys.CONVERSATIONS].inbox
    return next((group for group in inbox.groups() if any(words in text.text for text in group.texts)), None)


@ON_BOTH
async def test_the_inbox_groups_messages_and_staff_decisions_train_the_bot(console, review_file):
    gateway = console.gateway
    inbox = gateway.app[console_keys.CONVERSATIONS].inbox
    inbox.review_file = review_file
    await seed(console)
    console.user("kefu", "editor")  # an editor, not an admin: writing training data is editors' work
    assert await console.login("kefu") == 302

    page = await (await console.client.get("/console/inbox")).text()
    assert "共 4 组、8 条消息待处理" in page
    assert "质协电话打不通" in page and "活动什么时候开始" in page and "你好<" not in page
    assert "139****5678" in page and "13912345678" not in page
    assert "没有经过" not in page
    phone = group_of(console, "质协电话")
    assert phone.count == 5 and phone.guess == "ask_contact" and len(phone.texts) == 2
    assert {text.members for text in phone.texts} == {4, 1}  # 简体 and 繁體 are one text

    ids = [str(text.last_id) for text in phone.texts]
    form = [("message", value) for value in ids] + [("example", value) for value in ids]
    token = await console.csrf("/console/inbox")
    response = await console.client.post("/console/inbox", data=[*form, ("decision", "intent"),
                                                                 ("intent", "ask_contact"), ("_csrf", token)],
                                         allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/console/inbox")
    page = await (await console.client.get("/console/inbox")).text()
    assert "已写入 2 条样例到 review.yml（意图 ask_contact）" in page
    assert "共 3 组、3 条消息待处理" in page and "打不通" not in page
    assert sorted(examples(review_file.path)["ask_contact"]) == sorted(text.text for text in phone.texts)

    # The same words again later: already handled, they stay out of the inbox.
    understood(gateway.app[keys.ENGINE], gateway.messaging, "o-k", "质协电话打不通", "nlu_fallback", 0.55,
               guess=("ask_contact", 0.4))
    assert group_of(console, "质协电话") is None
    # Saving the same group twice (two staff at once): nothing is written twice.
    token = await console.csrf("/console/inbox")
    await console.client.post("/console/inbox", data=[*form, ("decision", "intent"), ("intent", "ask_contact"),
                                                      ("_csrf", token)], allow_redirects=False)
    assert "刚刚已由其他人处理" in await (await console.client.get("/console/inbox")).text()
    assert len(examples(review_file.path)["ask_contact"]) == 2

    weather = group_of(console, "天气")
    await console.post("/console/inbox", None, page="/console/inbox")  # no fields: refused
    token = await console.csrf("/console/inbox")
    await console.client.post("/console/inbox", data=[("message", str(weather.leader.last_id)),
                                                      ("example", str(weather.leader.last_id)),
                                                      ("decision", "out_of_scope"), ("_csrf", token)])
    assert examples(review_file.path)["out_of_scope"] == ["今天天气怎么样"]

    mobile = group_of(console, "手机")
    await console.post("/console/inbox", {"message": str(mobile.leader.last_id), "decision": "ignore"},
                       page="/console/inbox")
    assert group_of(console, "手机") is None
    assert "13912345678" not in review_file.path.read_text(encoding="utf-8")

    when = group_of(console, "什么时候")
    await console.post("/console/inbox", {"message": str(when.leader.last_id), "example": str(when.leader.last_id),
                                          "decision": "intent", "intent": "no_such_intent"}, page="/console/inbox")
    assert "请选择一个有效的意图" in await (await console.client.get("/console/inbox")).text()
    await console.post("/console/inbox", {"message": str(when.leader.last_id), "decision": "intent",
                                          "intent": "ask_activity_time"}, page="/console/inbox")
    assert "请至少勾选一条" in await (await console.client.get("/console/inbox")).text()
    assert group_of(console, "什么时候") is not None

    with gateway.app[keys.SESSIONS]() as session:
        decisions = session.execute(select(InboxDecision.decision, InboxDecision.intent, InboxDecision.staff_username,
                                           InboxDecision.examples_added).order_by(InboxDecision.id)).all()
    assert [tuple(row) for row in decisions] == [("intent", "ask_contact", "kefu", 2),
                                                 ("intent", "ask_contact", "kefu", 0),
                                                 ("out_of_scope", "out_of_scope", "kefu", 1),
                                                 ("ignore", None, "kefu", 0)]
    console.logout_cookies()
    console.user("boss", "admin")
    assert await console.login("boss") == 302
    audit = await (await console.client.get("/console/admin/audit")).text()
    assert ">没听懂：归入意图<" in audit and ">没听懂：超出范围<" in audit and ">没听懂：忽略<" in audit


async def test_inbox_decisions_need_the_csrf_token_and_a_login(console, review_file):
    inbox = console.gateway.app[console_keys.CONVERSATIONS].inbox
    inbox.review_file = review_file
    await seed(console)
    anonymous = await console.client.get("/console/inbox", allow_redirects=False)
    assert anonymous.status == 302 and "/console/login" in anonymous.headers["Location"]
    console.user("kefu2")
    assert await console.login("kefu2") == 302
    group = group_of(console, "天气")
    data = {"message": str(group.leader.last_id), "example": str(group.leader.last_id), "decision": "out_of_scope"}
    response = await console.client.post("/console/inbox", data=data, allow_redirects=False)
    assert response.status == 403
    assert group_of(console, "天气") is not None and not review_file.path.exists()
