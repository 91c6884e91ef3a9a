"""First NLU step: make Chinese text uniform before jieba sees it.

Members write in simplified or traditional script, with full-width letters
(ＱＣ), held-down keys (？？？？？) and pasted page text (發(fā)). The tokenizer,
the featurizers and the lookup tables only know simplified, half-width words.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from services.textnorm import normalise, to_half_width, to_simplified


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class ChineseTextNormalizer(GraphComponent):
    """Traditional → simplified (OpenCC), full-width → half-width, repeats trimmed."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseTextNormalizer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not text:
                continue
            entities = example.get(ENTITIES)
            if entities:
                # Entity offsets point into the original text: only changes that
                # keep every character in place are safe here.
                converted = to_half_width(to_simplified(text))
                if len(converted) == len(text):
                    example.set(TEXT, converted)
                    # The values too, or the synonym mapper learns 电话 → 電話.
                    for entity in entities:
                        if isinstance(entity.get("value"), str):
                            entity["value"] = to_half_width(to_simplified(entity["value"]))
            else:
                example.set(TEXT, normalise(text))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(TEXT, normalise(text))
        return messages
