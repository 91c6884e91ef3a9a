"""Speed figures: training time, model load, NLU parse and whole REST turns.

    python -m bot.benchmark [--turns 300] [--parses 1000]

Targets (issue #2, 2 cores): training ≤ 5 min, model load ≤ 15 s, NLU parse
p95 ≤ 30 ms, a REST turn that runs a custom action p95 ≤ 150 ms.
Writes results/bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog

from bot.launcher import running_assistant
from bot.training import MODEL_PATH, TRAINING_REPORT_PATH
from services.settings import PROJECT_ROOT
from services.setup import prepare_database

RESULTS = PROJECT_ROOT / "results"
TODAY = "2026-11-21"
# Questions whose answers are composed by custom actions from the database.
ACTION_TURNS = ["第三届世界质量论坛什么时候举办？", "市质协电话多少", "最近有什么活动",
                "质量月的主题是什么", "2018年QC小组活动分几个阶段", "团市委的地址在哪"]
PARSE_TEXTS = [*ACTION_TURNS, "你好", "我要报名", "谢谢", "質量月什麼時候", "我报了哪些活动",
               "那截止时间呢", "市总工会呢?", "帮我取消质量大讲堂的报名"]


def describe(values: list[float]) -> dict[str, float]:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1]
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(p95, 1),
            "max_ms": round(max(values), 1), "n": len(values)}


def measure_model(parses: int) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    agent = Agent.load(str(MODEL_PATH))
    load_seconds = time.perf_counter() - started

    async def parse_all() -> list[float]:
        for text in PARSE_TEXTS:  # warm-up
            await agent.parse_message(text)
        timings = []
        for index in range(parses):
            text = PARSE_TEXTS[index % len(PARSE_TEXTS)]
            begin = time.perf_counter()
            await agent.parse_message(text)
            timings.append((time.perf_counter() - begin) * 1000)
        return timings

    return load_seconds, describe(asyncio.run(parse_all()))


def measure_turns(turns: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        prepare_database(database_url).engine.dispose()
        with running_assistant(database_url, Path(folder) / "assistant.log", TODAY) as assistant:
            for text in ACTION_TURNS:  # warm-up
                assistant.say("bench-warm", text)
            timings, errors = [], 0
            for index in range(turns):
                text = ACTION_TURNS[index % len(ACTION_TURNS)]
                begin = time.perf_counter()
                try:
                    replies = assistant.say(f"bench-{index % 20}", text)
                    errors += 0 if replies else 1
                except RuntimeError:
                    errors += 1
                timings.append((time.perf_counter() - begin) * 1000)
    return {**describe(timings), "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--parses", type=int, default=1000)
    args = parser.parse_args(argv)
    if not MODEL_PATH.exists():
        print("no trained model; run `make train`", file=sys.stderr)
        return 2
    # Rasa's structured debug log would print (and time) every parse.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    training = json.loads(TRAINING_REPORT_PATH.read_text()) if TRAINING_REPORT_PATH.exists() else {}
    load_seconds, parse = measure_model(args.parses)
    turn = measure_turns(args.turns)
    report = {"training_seconds": training.get("seconds"), "model_load_seconds": round(load_seconds, 2),
              "nlu_parse": parse, "rest_turn_with_action": turn}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print("\nBenchmark (targets from issue #2, on this machine)")
    if training:
        print(f"  training            {training['seconds']:>8.1f} s        target ≤ 300 s   "
              f"{verdict(training['seconds'] <= 300)}")
    else:
        print("  training            (no record: the model was not trained by bot.training)")
    print(f"  model load          {load_seconds:>8.2f} s        target ≤ 15 s    {verdict(load_seconds <= 15)}")
    print(f"  NLU parse           p50 {parse['p50_ms']:.1f} ms  p95 {parse['p95_ms']:.1f} ms  max "
          f"{parse['max_ms']:.1f} ms  (n={parse['n']})  target p95 ≤ 30 ms  {verdict(parse['p95_ms'] <= 30)}")
    print(f"  REST turn + action  p50 {turn['p50_ms']:.1f} ms  p95 {turn['p95_ms']:.1f} ms  max "
          f"{turn['max_ms']:.1f} ms  (n={turn['n']}, errors {turn['errors']})  target p95 ≤ 150 ms  "
          f"{verdict(turn['p95_ms'] <= 150 and turn['errors'] == 0)}")
    print("  report: results/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
