"""A calibrated linear model as a second opinion beside DIET, averaged into one intent ranking.

Runs inside the Rasa process (.venv-rasa), after DIETClassifier in config.yml. A LogisticRegression
over TF-IDF word 1–2-grams and character 2–5-grams of the text, plus the features DIET reads
(log-scaled and L2-normalised, among them the lookup-table flags of the RegexFeaturizer); its
probabilities are averaged with DIET's ranking. The two make different mistakes (docs/NLU.md):
DIET reads word order, the linear model trusts product names and rare word pairs.
"""

from __future__ import annotations

import pickle
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "max_iter": 1000,
            "C": 20.0,
            "char_features": 40000,
            "weight": 0.5,  # the linear model's share of the averaged ranking
        }

    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.clf = LogisticRegression(
            C=self.config["C"], max_iter=self.config["max_iter"], random_state=self.config["random_state"]
        )
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            max_features=self.config["char_features"],
        )

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        texts = [m.get("text") or "" for m in messages]
        pipeline = normalize(csr_matrix(super()._create_X(messages)).log1p())
        return hstack([self.words.transform(texts), self.chars.transform(texts), pipeline]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get("intent") and e.get("text")]
        texts = [e.get("text") for e in examples]
        self.words.fit(texts)
        self.chars.fit(texts)
        self.clf.fit(self._create_X(examples), [e.get("intent") for e in examples])
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if not messages:
            return messages
        probabilities = self.clf.predict_proba(self._create_X(messages))
        weight = float(self.config["weight"])
        for message, row in zip(messages, probabilities, strict=True):
            first = {r["name"]: float(r["confidence"]) for r in message.get("intent_ranking") or []}
            linear = {str(name): float(p) for name, p in zip(self.clf.classes_, row, strict=True)}
            merged = {name: (1 - weight) * first.get(name, 0.0) + weight * p for name, p in linear.items()}
            ranking = [
                {"name": name, "confidence": confidence}
                for name, confidence in sorted(merged.items(), key=lambda item: -item[1])
            ]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            # Both opinions, for support and for measuring each one alone (docs/NLU.md).
            opinions = {"diet": first, "linear": linear}
            rounded = {k: {n: round(c, 4) for n, c in v.items()} for k, v in opinions.items()}
            message.set("opinions", rounded, add_to_output=True)
        return messages

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / "second_opinion.pkl").write_bytes(pickle.dumps((self.words, self.chars, self.clf)))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondOpinion:
        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:  # our own model file, written by train
            component.words, component.chars, component.clf = pickle.loads(
                (model_dir / "second_opinion.pkl").read_bytes()
            )
        return component
