"""bot.nlu.diet loads DIET by predicting instead of training on one example: the
loaded model must understand exactly what Rasa's own loading gives."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

from bot.nlu.diet import InferenceLoadingDIETClassifier
from bot.training import MODEL_PATH

MESSAGES = ["第三届世界质量论坛什么时候举办？", "市質協電話多少", "我要报名冬季大讲堂", "我叫张伟，手机13912345678",
            "要收费吗", "还有名额吗", "取消报名", "今天天气怎么样"]


def understood(agent: Agent) -> list[tuple[str, float, list[tuple[str, str]]]]:
    async def parse_all() -> list[dict[str, Any]]:
        return [await agent.parse_message(message) for message in MESSAGES]

    return [(parsed["intent"]["name"], round(parsed["intent"]["confidence"], 4),
             [(entity["entity"], entity["value"]) for entity in parsed["entities"]])
            for parsed in asyncio.run(parse_all())]


def test_the_quick_loader_predicts_what_rasas_loader_predicts(monkeypatch: pytest.MonkeyPatch) -> None:
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: `make train` runs before these tests")
    quick = understood(Agent.load(str(MODEL_PATH)))
    # Rasa's own way: build the model by training it on one example.
    monkeypatch.setattr(InferenceLoadingDIETClassifier, "_load_model_class",
                        classmethod(DIETClassifier._load_model_class.__func__))
    assert understood(Agent.load(str(MODEL_PATH))) == quick
