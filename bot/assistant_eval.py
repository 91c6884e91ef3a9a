"""What a member gets: the labelled questions asked of the whole running assistant.

    python -m bot.assistant_eval [--json results/assistant-eval.json] [--sets heldout10 ...]

`bot.knowledge_eval` scores the retrieval alone; in the running bot most
questions never reach it (the NLU sends 质协电话多少 or 质量月什么时候 to the
actions that answer from the database), and the retrieval answers only when
the NLU falls back. This asks every question of the same sets through Rasa's
REST channel, each in a conversation of its own, against a scratch database
loaded as `make run` loads one, and judges the replies:

* a reply **states** something when it names a source (every fact the
  assistant gives ends with `（来源：…）`) and does not say the notice does
  not give it (`通知里没有写…`, `没有找到…`);
* an answerable question is **answered** when the labelled phrase is in the
  replies (as a match key), and **answered from the right notice** when they
  state something citing the labelled notice (the phrase may be worded
  differently by an action: 2019年12月5~6日 is told as 2019年12月5日至6日);
* an unanswerable question is **refused** when nothing is stated.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.knowledge_eval import QUESTION_SETS, milliseconds
from bot.launcher import RunningAssistant, running_assistant
from bot.reports import write_details
from services.models import SourceDocument
from services.settings import PROJECT_ROOT
from services.setup import prepare_database
from services.textnorm import match_key

RESULTS = PROJECT_ROOT / "results" / "assistant-eval.json"
_SOURCE = "来源："
# How a reply says the notice is silent: 通知里没有写…, 没有找到…, …的通知里没有提到这一点 (utter_notice_silent).
_NOT_GIVEN = ("没有写", "没有找到", "没有提到")


def states(reply: str) -> bool:
    """Whether the replies state a fact: they cite a source and do not say the notice is silent."""
    return _SOURCE in reply and not any(words in reply for words in _NOT_GIVEN)


def score_set(assistant: RunningAssistant, name: str, questions: dict[str, Any],
              titles: dict[str, str]) -> dict[str, Any]:
    answered = from_notice = refused = 0
    outcomes: list[dict[str, Any]] = []
    seconds: list[float] = []
    for number, item in enumerate(questions["answerable"]):
        started = time.perf_counter()
        reply = "\n".join(assistant.say(f"eval-{name}-a{number}", item["question"]))
        seconds.append(time.perf_counter() - started)
        found = match_key(item["answer"]) in match_key(reply)
        cited = states(reply) and f"《{titles.get(item['document'], '?')}》" in reply
        answered += found
        from_notice += found or cited
        outcomes.append({"question": item["question"], "answerable": True, "answered": found,
                         "from_notice": found or cited, "reply": reply})
    for number, entry in enumerate(questions["unanswerable"]):
        question = entry["question"] if isinstance(entry, dict) else entry
        started = time.perf_counter()
        reply = "\n".join(assistant.say(f"eval-{name}-u{number}", question))
        seconds.append(time.perf_counter() - started)
        refused += not states(reply)
        outcomes.append({"question": question, "answerable": False, "refused": not states(reply),
                         "reply": reply})
    answerable, unanswerable = len(questions["answerable"]), len(questions["unanswerable"])
    return {"answerable": answerable, "answered": answered, "answered_rate": answered / answerable,
            "from_notice": from_notice, "from_notice_rate": from_notice / answerable,
            "unanswerable": unanswerable, "refused": refused, "refusal_rate": refused / unanswerable,
            "turn_ms": milliseconds(seconds), "outcomes": outcomes}


def evaluate(set_names: list[str]) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'eval.db'}"
        services = prepare_database(database_url)
        with services.session_factory() as session:
            titles = {d.source_file: d.title for d in session.scalars(select(SourceDocument))}
        services.engine.dispose()
        with running_assistant(database_url, Path(folder) / "assistant.log") as assistant:
            assistant.say("eval-warm-up", "你好")
            return {name: score_set(assistant, name, yaml.safe_load(QUESTION_SETS[name].read_text(encoding="utf-8")),
                                    titles)
                    for name in set_names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--sets", nargs="*", choices=sorted(QUESTION_SETS), default=list(QUESTION_SETS))
    parser.add_argument("--per-question", action="store_true", help="print every question's reply")
    args = parser.parse_args(argv)
    results = evaluate(args.sets)
    print("The whole assistant (NLU, actions, answers from documents) on the labelled questions:")
    print(f"  {'set':10} {'answered':>14} {'right notice':>14} {'refused':>14}   turn p50/p95")
    for name, result in results.items():
        print(f"  {name:10} {result['answered_rate']:8.1%} {result['answered']:2d}/{result['answerable']:<3d}"
              f" {result['from_notice_rate']:8.1%} {result['from_notice']:2d}/{result['answerable']:<3d}"
              f" {result['refusal_rate']:8.1%} {result['refused']:2d}/{result['unanswerable']:<3d}"
              f"   {result['turn_ms']['median']:.0f}/{result['turn_ms']['p95']:.0f} ms")
        if args.per_question:
            for outcome in result["outcomes"]:
                right = outcome["answered"] if outcome["answerable"] else outcome["refused"]
                mark = "ok  " if right else "MISS" if outcome["answerable"] else "WRONG"
                print(f"    {mark} {outcome['question']} → {outcome['reply'][:70]!r}")
    write_details(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
