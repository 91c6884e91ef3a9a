"""What members get from ingested notices: each set's questions asked of the whole running assistant.

    python -m bot.notice_assistant_eval [SET ...] [--json results/notice-assistant-eval.json] [--verbose]

For each set (a folder under evaluation/notices/, default all with dev first;
see evaluation/notices/dev/README.md) this prepares a scratch database as
`make run` does (migrations and the reviewed knowledge, `prepare_database`),
ingests the set's notices with the loader staff use (`NoticeLoader`), starts
the assistant on it (`running_assistant`, with today pinned to 2026-12-02, the
sets' reference date) and asks every notice's questions through the REST
channel: one conversation per notice, the questions in order, so a
`follow_up` question has the one before it as context.

A reply is correct when it contains one of the question's `expect_any`
strings, both compared in simplified script and without spaces (notices and
gold in traditional script are answered in simplified). `refuse` questions
(the notice does not say; the reply should say so; one without `expect_any`
takes the usual refusal phrases, `REFUSALS`) and `signup` questions are also
reported on their own. A question is written under `say` (or `q`).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.launcher import RunningAssistant, running_assistant
from bot.notice_eval import load_gold, notice_files, set_folders
from bot.reports import write_details
from services.settings import PROJECT_ROOT
from services.setup import prepare_database
from services.textnorm import to_simplified

RESULTS = PROJECT_ROOT / "results" / "notice-assistant-eval.json"
TODAY = "2026-12-02"  # the reference date of the sets: two dev notices' activities are over by then


# How a reply says the notice does not tell (the development set's README lists them).
REFUSALS = ("未提及", "未提到", "没有提到", "没提到", "未说明", "没有说明", "没说明", "未注明", "没写", "没有写",
            "未写明", "未明确", "没有明确", "未涉及", "没有涉及", "未列出", "没有列出", "无法确定")


@dataclass(frozen=True)
class Question:
    say: str
    expect_any: tuple[str, ...]
    refuse: bool = False
    follow_up: bool = False
    signup: bool = False

    @classmethod
    def from_gold(cls, entry: dict[str, Any]) -> Question:
        expected = tuple(str(s) for s in entry.get("expect_any") or ())
        if entry.get("refuse") and not expected:
            expected = REFUSALS  # a set that leaves a refusal's wording open: any of the usual ones
        return cls(say=str(entry.get("say") or entry.get("q") or ""),
                   expect_any=expected,
                   refuse=bool(entry.get("refuse")), follow_up=bool(entry.get("follow_up")),
                   signup=bool(entry.get("signup")))


@dataclass
class Outcome:
    notice: str
    question: Question
    reply: str
    correct: bool


@dataclass
class SetResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    ingest: dict[str, str] = field(default_factory=dict)  # notice → status or the error that stopped it

    def share(self, kind: str) -> tuple[int, int]:
        """(correct, asked) over all questions, or the non-refuse, refuse or sign-up ones."""
        chosen = [o for o in self.outcomes if {
            "all": True, "non-refuse": not o.question.refuse, "refuse": o.question.refuse,
            "signup": o.question.signup}[kind]]
        return sum(o.correct for o in chosen), len(chosen)


_SPACES = re.compile(r"\s+")


def _comparable(text: str) -> str:
    return _SPACES.sub("", to_simplified(text))


def is_correct(reply: str, expect_any: Sequence[str]) -> bool:
    """The reply contains one of the expected strings (simplified script, spaces ignored)."""
    said = _comparable(reply)
    return any(_comparable(expected) in said for expected in expect_any if expected.strip())


def ingest_notices(database_url: str, notices: Sequence[Path]) -> dict[str, str]:
    """Prepare the scratch database like `make run` and ingest the set's notices into it."""
    # Imported here: the scoring rules above are usable (and tested) without the extraction rules.
    from services.ingest.loader import NoticeLoader

    services = prepare_database(database_url, today=TODAY)
    loader = NoticeLoader(services.session_factory)
    statuses = {}
    for path in notices:
        try:
            statuses[path.name] = loader.ingest(path).status
        except Exception as error:  # noqa: BLE001 - a notice the loader fails on is a finding; ask the rest
            statuses[path.name] = f"failed: {type(error).__name__}: {error}"
    services.engine.dispose()
    return statuses


def ask_notice(assistant: RunningAssistant, sender: str, notice: str, questions: list[Question]) -> list[Outcome]:
    """One conversation: the notice's questions in order, so follow-ups keep their context."""
    outcomes = []
    for question in questions:
        reply = "\n".join(assistant.say(sender, question.say))
        outcomes.append(Outcome(notice, question, reply, is_correct(reply, question.expect_any)))
    return outcomes


def evaluate_set(folder: Path) -> SetResult:
    pairs = notice_files(folder)
    result = SetResult(folder.name)
    with tempfile.TemporaryDirectory() as scratch:
        database_url = f"sqlite:///{Path(scratch) / 'notices.db'}"
        result.ingest = ingest_notices(database_url, [notice for notice, _ in pairs])
        with running_assistant(database_url, Path(scratch) / "assistant.log", today=TODAY) as assistant:
            assistant.say("notice-eval-warm-up", "你好")
            for notice, gold in pairs:
                questions = [Question.from_gold(q) for q in load_gold(gold).get("questions") or []]
                # A new sender per notice (and set): no context carries over between notices.
                sender = f"notice-eval-{folder.name}-{notice.stem}"
                result.outcomes += ask_notice(assistant, sender, notice.name, questions)
    return result


def _share(result: SetResult, kind: str) -> str:
    correct, asked = result.share(kind)
    return f"{correct / asked:6.1%} {correct:3d}/{asked:<3d}" if asked else f"{'—':>6} {0:3d}/0  "


def report_lines(result: SetResult, verbose: bool = False) -> list[str]:
    failed = {name: status for name, status in result.ingest.items() if status.startswith("failed")}
    statuses = [status for status in result.ingest.values() if not status.startswith("failed")]
    lines = [f"{result.name}: {len(result.ingest)} notices ingested "
             f"({', '.join(f'{statuses.count(s)} {s}' for s in sorted(set(statuses))) or 'none stored'})"]
    lines += [f"  ! {name}: {status}" for name, status in failed.items()]
    lines.append(f"  answered  all {_share(result, 'all')}   non-refuse {_share(result, 'non-refuse')}"
                 f"   refuse {_share(result, 'refuse')}   sign-up {_share(result, 'signup')}")
    if verbose:
        for notice in dict.fromkeys(o.notice for o in result.outcomes):
            mine = [o for o in result.outcomes if o.notice == notice]
            lines.append(f"  {Path(notice).stem}: {sum(o.correct for o in mine)}/{len(mine)}")
            for outcome in mine:
                if outcome.correct:
                    continue
                question = outcome.question
                tags = "".join(f" [{t}]" for t, on in (("follow-up", question.follow_up),
                                                       ("refuse", question.refuse),
                                                       ("sign-up", question.signup)) if on)
                lines.append(f"    MISS {question.say}{tags}")
                lines.append(f"         expected one of {'、'.join(question.expect_any[:6])}"
                             f"{'…' if len(question.expect_any) > 6 else ''}")
                lines.append(f"         reply: {outcome.reply[:300]!r}")
    return lines


def as_json(result: SetResult) -> dict[str, Any]:
    return {
        "ingest": result.ingest,
        "shares": {kind: dict(zip(("correct", "asked"), result.share(kind), strict=True))
                   for kind in ("all", "non-refuse", "refuse", "signup")},
        "outcomes": [{"notice": o.notice, **asdict(o.question), "reply": o.reply, "correct": o.correct}
                     for o in result.outcomes],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", help="set folders under evaluation/notices/ (default: all, dev first)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--verbose", action="store_true", help="per notice, every missed question and its reply")
    args = parser.parse_args(argv)
    folders = set_folders(args.sets)
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        parser.error(f"no such set: {', '.join(missing)}")
    print(f"The whole assistant on the notice sets' questions (today {TODAY}):")
    results = {}
    for folder in folders:
        result = evaluate_set(folder)
        results[folder.name] = as_json(result)
        print("\n".join(report_lines(result, args.verbose)), flush=True)
    write_details(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
