"""DIET that loads in seconds, not tens of seconds.

Rasa 3.6 builds a saved DIET model by *training it on one example*
(`RasaModel.load` calls `model.fit`) and then predicting once. Tracing Keras's
training step (the loss, the CRF, the gradients) is most of the model's load
time on two cores, and all of it is thrown away: the trained weights are read
over it the next moment.

`InferenceLoadingDIETClassifier` trains exactly like `DIETClassifier`; only
loading differs. One eager prediction creates the variables prediction needs,
the saved weights are read into them (the optimiser's slots and training-only
layers in the checkpoint are not needed, hence `expect_partial`), the label
embeddings are computed again from the real weights (DIET caches them at the
first prediction), and one more prediction traces the graph used from then on.
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.extractors.extractor import EntityTagSpec
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


def load_for_inference(model_class: type[RasaModel], tf_model_file: str, model_data_example: RasaModelData,
                       label_data: RasaModelData, entity_tag_specs: list[EntityTagSpec],
                       config: dict[str, Any]) -> RasaModel:
    """A saved DIET model, built by predicting instead of by training."""
    predict_data_example = RasaModelData(
        label_key=model_data_example.label_key,
        data={name: features for name, features in model_data_example.items() if TEXT in name},
    )
    model = model_class(data_signature=model_data_example.get_signature(), label_data=label_data,
                        entity_tag_specs=entity_tag_specs, config=copy.deepcopy(config))
    model.run_eagerly = True  # creates the variables without tracing a graph
    model.run_inference(predict_data_example)
    model.load_weights(tf_model_file).expect_partial()
    model.prepare_for_predict()  # label embeddings from the loaded weights
    model.run_eagerly = False
    model.run_inference(predict_data_example)  # traces the prediction graph once, now
    return model


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class InferenceLoadingDIETClassifier(DIETClassifier):
    """DIETClassifier whose saved model loads for prediction without a training step."""

    @classmethod
    def _load_model_class(cls, tf_model_file: str, model_data_example: RasaModelData,
                          label_data: RasaModelData, entity_tag_specs: list[EntityTagSpec],
                          config: dict[str, Any], finetune_mode: bool) -> RasaModel:
        if finetune_mode:  # training goes on: Rasa's own way builds the optimiser too
            return super()._load_model_class(tf_model_file, model_data_example, label_data,
                                             entity_tag_specs, config, finetune_mode)
        return load_for_inference(cls.model_class(), tf_model_file, model_data_example, label_data,
                                  entity_tag_specs, config)
