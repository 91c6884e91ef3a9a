"""Scores the trained NLU model on the held-out test set, in both scripts.

    python -m bot.evaluation [--model models/assistant.tar.gz] [--data tests/nlu/heldout.yml]

tests/nlu/heldout.yml is never trained on. It is scored as written
(simplified) and converted to traditional script with OpenCC, since members
write both. Prints intent accuracy, macro-F1 and entity F1 and writes
results/nlu-eval.json with the per-intent figures and every error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from bot.training import MODEL_PATH
from services.settings import PROJECT_ROOT
from services.textnorm import match_key

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
RESULTS = PROJECT_ROOT / "results"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[tuple[str, str], ...]  # (entity type, surface text as a match key)


def load_examples(path: Path) -> list[Example]:
    data = load_data(str(path))
    return [
        Example(
            text=message.get("text"),
            intent=message.get("intent"),
            entities=tuple(sorted(
                (e["entity"], match_key(message.get("text")[e["start"]:e["end"]]))
                for e in message.get("entities") or []
            )),
        )
        for message in data.intent_examples
    ]


def to_traditional(examples: list[Example]) -> list[Example]:
    converter = opencc.OpenCC("s2t")
    return [Example(converter.convert(e.text), e.intent, e.entities) for e in examples]


async def parse_all(agent: Agent, examples: list[Example]) -> list[dict[str, Any]]:
    return [await agent.parse_message(example.text) for example in examples]


def entity_counts(examples: list[Example], parses: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(true positives, predicted, gold) over (type, text) pairs; texts compared
    after normalisation, so a traditional-script span matches its simplified gold."""
    true_positive = predicted_total = gold_total = 0
    for example, parse in zip(examples, parses, strict=True):
        gold = Counter(example.entities)
        # DIET and the regex extractor may both report one span: count it once.
        spans = {(e["entity"], e["start"], e["end"]) for e in parse.get("entities") or []}
        predicted = Counter((kind, match_key(parse["text"][start:end])) for kind, start, end in spans)
        true_positive += sum((gold & predicted).values())
        predicted_total += sum(predicted.values())
        gold_total += sum(gold.values())
    return true_positive, predicted_total, gold_total


def entity_errors(examples: list[Example], parses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for example, parse in zip(examples, parses, strict=True):
        spans = {(e["entity"], match_key(parse["text"][e["start"]:e["end"]]))
                 for e in parse.get("entities") or []}
        if set(example.entities) != spans:
            found.append({"text": example.text, "expected": sorted(example.entities),
                          "predicted": sorted(spans)})
    return found


def score(examples: list[Example], parses: list[dict[str, Any]]) -> dict[str, Any]:
    gold = [e.intent for e in examples]
    predicted = [p["intent"]["name"] for p in parses]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    tp, n_predicted, n_gold = entity_counts(examples, parses)
    entity_precision = tp / n_predicted if n_predicted else 0.0
    entity_recall = tp / n_gold if n_gold else 0.0
    entity_f1 = (2 * entity_precision * entity_recall / (entity_precision + entity_recall)
                 if entity_precision + entity_recall else 0.0)
    errors = [
        {"text": e.text, "expected": e.intent, "predicted": p["intent"]["name"],
         "confidence": round(p["intent"].get("confidence", 0.0), 3)}
        for e, p in zip(examples, parses, strict=True) if e.intent != p["intent"]["name"]
    ]
    return {
        "examples": len(examples),
        "intent_accuracy": accuracy_score(gold, predicted),
        "intent_macro_f1": f1_score(gold, predicted, labels=labels, average="macro", zero_division=0),
        "entity_precision": entity_precision,
        "entity_recall": entity_recall,
        "entity_f1": entity_f1,
        "per_intent": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusions": Counter(f"{e['expected']} → {e['predicted']}" for e in errors).most_common(15),
        "errors": errors,
        "entity_errors": entity_errors(examples, parses),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--data", type=Path, default=HELDOUT)
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"no model at {args.model}; run `make train`", file=sys.stderr)
        return 2
    # Rasa's structured debug log would print (and time) every parse.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(args.model))
    examples = load_examples(args.data)
    traditional = to_traditional(examples)
    simplified_scores = score(examples, asyncio.run(parse_all(agent, examples)))
    traditional_scores = score(traditional, asyncio.run(parse_all(agent, traditional)))
    report = {"model": str(args.model), "data": str(args.data),
              "simplified": simplified_scores, "traditional": traditional_scores}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "nlu-eval.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))

    print(f"\nHeld-out NLU evaluation ({len(examples)} utterances, {args.data.name})")
    print(f"{'':14}{'intent acc':>12}{'macro-F1':>10}{'entity F1':>11}")
    for name, figures in (("simplified", simplified_scores), ("traditional", traditional_scores)):
        print(f"{name:14}{figures['intent_accuracy']:>12.3f}{figures['intent_macro_f1']:>10.3f}"
              f"{figures['entity_f1']:>11.3f}")
    drop = simplified_scores["intent_macro_f1"] - traditional_scores["intent_macro_f1"]
    print(f"traditional-script drop in macro-F1: {drop * 100:.1f} points")
    print("most frequent confusions:", simplified_scores["confusions"][:6])
    print(f"report: {out.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
