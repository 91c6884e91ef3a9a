"""Load run for the WeChat gateway (the second line of `make bench`).

    python -m bot.gateway.loadtest [--users 50] [--messages 6] [--mode safe|plain]

Starts the whole assistant on free ports (bot.launcher: action server, Rasa and
the gateway) on a fresh SQLite database with the notices loaded, and a local
stand-in for WeChat's customer-service API. Then N simulated members each
send the same 6 questions, one after the other, waiting for each answer:
first straight to Rasa's REST channel, then as signed (and, in safe mode,
AES-encrypted) pushes through /wechat. Prints p50/p95/max, messages per second,
errors, replies past 4.5 s and the gateway/direct ratio at p95; pushes answered
`success` (past the 4-second budget) must arrive through the customer-service
stand-in, or they count as lost. Writes results/gateway_bench.json.

Targets (issue #3, 2 cores): at 50 users no errors, nothing past 4.5 s,
gateway p95 ≤ 1.15 × direct p95; at 200 users every push answered within 5 s
and nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from defusedxml.ElementTree import fromstring

from bot.gateway.wechat import Crypto, sign
from bot.launcher import free_port, running_assistant
from bot.training import MODEL_PATH
from services.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "results"
TODAY = "2026-11-21"
LATE_S = 4.5
# What members ask; every one runs a custom action against the database.
QUESTIONS = ["第三届世界质量论坛什么时候举办？", "市质协电话多少", "最近有什么活动",
             "质量月的主题是什么", "2018年QC小组活动分几个阶段", "团市委的地址在哪"]
# Made up for this run: the gateway and the simulated WeChat share them, nobody else.
TOKEN = secrets.token_hex(10)
APP_ID = "wxloadtest0000001"
APP_SECRET = secrets.token_hex(10)
ACCOUNT = "gh_loadtest00001"


def apologies() -> tuple[str, ...]:
    """How a failed turn reads (domain.yml): the gateway's apology or Rasa's own."""
    from bot.gateway.texts import domain_texts

    texts = domain_texts(PROJECT_ROOT / "domain.yml")
    return tuple(texts[name].split("{")[0] for name in ("utter_service_error", "utter_default",
                                                         "utter_default_no_hotline") if name in texts)


APOLOGIES = apologies()


def failed(texts: list[str]) -> bool:
    """No answer, or an apology, to questions the assistant can answer."""
    return not texts or any(texts[0].startswith(apology) for apology in APOLOGIES)


def describe(values_ms: list[float]) -> dict[str, float]:
    values = sorted(values_ms) or [0.0]
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(p95, 1), "max_ms": round(max(values), 1)}


@dataclass
class Phase:
    name: str
    http_ms: list[float] = field(default_factory=list)  # until the HTTP answer
    server_ms: list[float] = field(default_factory=list)  # the gateway's own time (Server-Timing)
    answer_ms: list[float] = field(default_factory=list)  # until the member has the reply's text
    errors: int = 0
    late: int = 0  # HTTP answers after 4.5 s
    handed_off: int = 0  # answered "success": the reply follows by the customer-service API
    lost: int = 0  # handed off and never delivered
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)

    def summary(self) -> dict[str, Any]:
        return {"n": len(self.http_ms), **describe(self.http_ms), "answer": describe(self.answer_ms),
                "server": describe(self.server_ms), "past_5_s": sum(ms > 5000 for ms in self.http_ms),
                "msg_per_s": round(len(self.http_ms) / self.seconds, 1) if self.seconds else 0.0,
                "errors": self.errors, "past_4_5_s": self.late, "handed_off": self.handed_off, "lost": self.lost,
                "error_samples": self.error_samples}


class CustomerServiceStandIn:
    """api.weixin.qq.com for the gateway's late replies: counts what arrives."""

    def __init__(self) -> None:
        self.received: dict[str, asyncio.Queue[tuple[float, str]]] = {}
        self.delivered = 0
        self.runner: web.AppRunner | None = None
        self.port = free_port()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.send)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def token(self, _request: web.Request) -> web.Response:
        return web.json_response({"access_token": "load-token", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.inbox(body["touser"]).put_nowait((time.perf_counter(), body["text"]["content"]))
        self.delivered += 1
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def inbox(self, openid: str) -> asyncio.Queue[tuple[float, str]]:
        return self.received.setdefault(openid, asyncio.Queue())


class Member:
    """One simulated WeChat member: signs (and encrypts) pushes as WeChat does."""

    def __init__(self, openid: str, crypto: Crypto | None) -> None:
        self.openid = openid
        self.crypto = crypto

    def push(self, text: str) -> tuple[dict[str, str], bytes]:
        msg_id = secrets.randbelow(10**18)
        xml = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{self.openid}]]>"
               f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        query = {"timestamp": timestamp, "nonce": nonce, "signature": sign(TOKEN, timestamp, nonce),
                 "openid": self.openid}
        if self.crypto is None:
            return query, xml.encode()
        envelope = fromstring(self.crypto.encrypt(xml, timestamp, nonce))
        encrypted = envelope.findtext("Encrypt") or ""
        query.update({"encrypt_type": "aes", "msg_signature": sign(TOKEN, timestamp, nonce, encrypted)})
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return query, body.encode()

    def read(self, body: str) -> str | None:
        """The reply's Content; None for "success"."""
        if body == "success":
            return None
        root = fromstring(body)
        if self.crypto is not None:
            encrypted = root.findtext("Encrypt") or ""
            root = fromstring(self.crypto.decrypt(encrypted, root.findtext("MsgSignature"),
                                                  root.findtext("TimeStamp") or "", root.findtext("Nonce") or ""))
        return root.findtext("Content")


async def direct_user(session: aiohttp.ClientSession, rasa_url: str, sender: str, questions: list[str],
                      phase: Phase) -> None:
    for question in questions:
        began = time.perf_counter()
        try:
            async with session.post(f"{rasa_url}/webhooks/rest/webhook",
                                    json={"sender": sender, "message": question}) as response:
                replies = await response.json(content_type=None)
                ok = response.status == 200 and isinstance(replies, list) and not failed(
                    [str(reply.get("text", "")) for reply in replies])
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            ok, replies = False, type(error).__name__
        elapsed = time.perf_counter() - began
        phase.http_ms.append(elapsed * 1000)
        phase.answer_ms.append(elapsed * 1000)
        phase.late += elapsed > LATE_S
        if not ok:
            phase.error(f"direct: {replies!r:.100}")


async def gateway_user(session: aiohttp.ClientSession, gateway_url: str, member: Member, questions: list[str],
                       phase: Phase, stand_in: CustomerServiceStandIn) -> None:
    """Like a person: the next question only after the answer to the last one
    (passive, or through the customer-service API after "success")."""
    inbox = stand_in.inbox(member.openid)
    for question in questions:
        while not inbox.empty():  # the rest of an earlier long reply
            inbox.get_nowait()
        query, body = member.push(question)
        began = time.perf_counter()
        content: str | None = None
        try:
            async with session.post(f"{gateway_url}/wechat", params=query, data=body,
                                    headers={"Content-Type": "text/xml"}) as response:
                text = await response.text()
                status = response.status
                timing = response.headers.get("Server-Timing", "")
            if "dur=" in timing:
                phase.server_ms.append(float(timing.split("dur=")[1]))
            content = member.read(text) if status == 200 else None
            if status != 200:
                phase.error(f"gateway HTTP {status}: {text[:80]}")
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            status = 0
            phase.error(f"gateway: {type(error).__name__}")
        elapsed = time.perf_counter() - began
        phase.http_ms.append(elapsed * 1000)
        phase.late += elapsed > LATE_S
        if status == 200 and content is None:
            phase.handed_off += 1
            try:
                arrived, content = await asyncio.wait_for(inbox.get(), 90)
            except TimeoutError:
                phase.lost += 1
                phase.error("a reply handed to the customer-service API never arrived")
                continue
            elapsed = arrived - began
        if content is not None:
            phase.answer_ms.append(elapsed * 1000)
            if failed([content]):
                phase.error(f"gateway apologised: {content[:60]}")


async def run_phase(name: str, users: int, worker: Any) -> Phase:
    phase = Phase(name)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session, index, phase) for index in range(users)))
        phase.seconds = time.perf_counter() - began
    return phase


async def load(rasa_url: str, gateway_url: str, users: int, messages: int, crypto: Crypto | None,
               stand_in: CustomerServiceStandIn) -> dict[str, Any]:
    questions = [QUESTIONS[index % len(QUESTIONS)] for index in range(messages)]
    run = secrets.token_hex(3)
    # Warm-up: every question once each way, so neither side pays for cold caches.
    await run_phase("warm-up", 1, lambda s, i, p: direct_user(s, rasa_url, f"warm-{run}", QUESTIONS, p))
    await run_phase("warm-up", 1, lambda s, i, p: gateway_user(s, gateway_url, Member(f"warm-wx-{run}", crypto),
                                                               QUESTIONS, p, stand_in))
    direct = await run_phase("direct", users, lambda s, i, p: direct_user(s, rasa_url, f"d-{run}-{i}",
                                                                          questions, p))
    members = [Member(f"o-{run}-{index}", crypto) for index in range(users)]
    gateway = await run_phase("gateway", users, lambda s, i, p: gateway_user(s, gateway_url, members[i],
                                                                             questions, p, stand_in))
    return {"direct": direct.summary(), "gateway": gateway.summary(),
            "customer_service_delivered": stand_in.delivered, "lost": gateway.lost}


def prepare_database(folder: Path, database_url: str | None = None) -> str:
    """A fresh SQLite file (or the empty database given), migrated, notices loaded."""
    from services.setup import prepare_database as prepare

    database_url = database_url or f"sqlite:///{folder / 'loadtest.db'}"
    prepare(database_url).engine.dispose()
    return database_url


def report(result: dict[str, Any], users: int, messages: int, mode: str) -> None:
    direct, gateway = result["direct"], result["gateway"]
    answer = gateway["answer"]
    ratio = answer["p95_ms"] / direct["p95_ms"] if direct["p95_ms"] else float("inf")
    result["gateway_direct_p95_ratio"] = round(ratio, 3)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    def line(name: str, figures: dict[str, float], tail: str) -> None:
        print(f"  {name:22} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
              f"max {figures['max_ms']:7.1f} ms  {tail}")

    print(f"\nGateway load run: {users} members × {messages} messages, {mode} mode (targets from issue #3)")
    print(f"  the gateway ran on {result['gateway_runs_on']}")
    line("direct to Rasa", direct, f"{direct['msg_per_s']:5.1f} msg/s  errors {direct['errors']}  "
                                   f"past 4.5 s {direct['past_4_5_s']}")
    line("/wechat HTTP answer", gateway, f"{gateway['msg_per_s']:5.1f} msg/s  errors {gateway['errors']}  "
                                         f"past 4.5 s {gateway['past_4_5_s']}")
    line("  of which the gateway", gateway["server"], "(Server-Timing: from the handler's start)")
    line("/wechat reply in hand", answer, "(passive, or via customer-service API after 'success')")
    print(f"  gateway/direct p95 (reply in hand) {ratio:.2f}      target ≤ 1.15 at 50 members  "
          f"{verdict(ratio <= 1.15)}")
    print(f"  every push answered within 4.5 s (target at 50 members)                   "
          f"{verdict(gateway['past_4_5_s'] == 0)}")
    print(f"  every push answered within 5 s (target at 200 members)                    "
          f"{verdict(gateway['past_5_s'] == 0)}")
    print(f"  no errors (HTTP errors, apologies) through the gateway                    "
          f"{verdict(gateway['errors'] == 0)}")
    print(f"  answered 'success' {gateway['handed_off']}, delivered by the customer-service API "
          f"{result['customer_service_delivered']}, lost {result['lost']}          {verdict(result['lost'] == 0)}")
    for sample in gateway["error_samples"] + direct["error_samples"]:
        print(f"    e.g. {sample}")
    print("  report: results/gateway_bench.json")


def runs_on(log_text: str) -> str:
    """What the gateway said it runs on at start (bot.gateway.__main__): Python and aiohttp versions."""
    found = re.search(r"running on Python (\S+) \(\S+\), aiohttp (\S+)", log_text)
    return f"Python {found.group(1)}, aiohttp {found.group(2)}" if found else "(not in its log)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=6)
    parser.add_argument("--mode", choices=["safe", "plain"], default="safe")
    parser.add_argument("--database-url", help="an empty database to use instead of a fresh SQLite file "
                                               "(e.g. a PostgreSQL schema, as in production)")
    args = parser.parse_args(argv)
    if not MODEL_PATH.exists():
        print("no trained model; run `make train`", file=sys.stderr)
        return 2
    aes_key = base64.b64encode(os.urandom(32)).decode()[:43]
    crypto = Crypto("wechat", TOKEN, aes_key, APP_ID) if args.mode == "safe" else None
    stand_in = CustomerServiceStandIn()
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET,
           "WECHAT_API_BASE": f"http://127.0.0.1:{stand_in.port}",
           # Each member writes 6 times in about a minute; the bench is not about the rate limit.
           "GATEWAY_RATE_LIMIT_PER_MINUTE": "1000"}
    if crypto is not None:
        env["WECHAT_AES_KEY"] = aes_key
    with tempfile.TemporaryDirectory() as folder:
        database_url = prepare_database(Path(folder), args.database_url)
        with running_assistant(database_url, Path(folder) / "assistant.log", TODAY, env) as assistant:
            assert assistant.gateway_url is not None

            async def run() -> dict[str, Any]:
                await stand_in.start()
                try:
                    return await load(assistant.url, str(assistant.gateway_url), args.users, args.messages,
                                      crypto, stand_in)
                finally:
                    await stand_in.stop()

            result = asyncio.run(run())
            log_text = assistant.log()
    result.update({"users": args.users, "messages_per_user": args.messages, "mode": args.mode,
                   "database": "sqlite" if not args.database_url else args.database_url.split(":")[0],
                   "tracebacks_in_log": log_text.count("Traceback"), "gateway_runs_on": runs_on(log_text)})
    report(result, args.users, args.messages, args.mode)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gateway_bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
