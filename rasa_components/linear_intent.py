"""The intent classifier: a calibrated linear model over the text and the pipeline's features.

Runs inside the Rasa process (.venv-rasa), in config.yml. A LogisticRegression over TF-IDF word
1–2-grams and character 2–5-grams of the text, plus the sentence features of the featurisers
before it (log-scaled and L2-normalised: the lookup-table flags of the RegexFeaturizer). It
replaced DIET and the DIET + linear ensemble: better on the development sets, at a fraction of
the parse and training time (docs/NLU.md).

When another intent classifier runs before it, the two rankings are averaged (`weight` is this
model's share) and both opinions are in the parse output (`opinions`), for measuring ensembles.
"""

from __future__ import annotations

import pickle
from collections import Counter
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize


def sentence_parts(message: Message) -> list[Features]:
    """The sparse sentence features of the text, one per featuriser, in pipeline order."""
    return [
        f
        for f in message.features
        if f.attribute == TEXT and f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE
    ]


def sentence_features(message: Message) -> csr_matrix:
    """What Rasa's `get_sparse_features(TEXT)[1]` gives, without also combining the sequence
    features (which nothing here reads)."""
    parts = [f.features for f in sentence_parts(message)]
    return csr_matrix(hstack(parts)) if parts else csr_matrix((1, 0))


def unit(values: np.ndarray) -> np.ndarray:
    norm = float(np.sqrt(values @ values))
    return values / norm if norm else values


class Scorer:
    """The fitted model's class scores for one text, computed as `_create_X` + `predict_proba`
    would, but from plain dictionaries and one small dense product: the scipy and sklearn calls
    per message (fitted-checks, sparse constructors, a copy of the coefficient matrix) cost more
    than the arithmetic (docs/NLU.md, where a parse spends its time)."""

    def __init__(self, words: TfidfVectorizer, chars: TfidfVectorizer, clf: LogisticRegression) -> None:
        self.parts = []
        offset = 0
        for vectorizer in (words, chars):
            vocabulary = vectorizer.vocabulary_
            self.parts.append((vectorizer.build_analyzer(), vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)
        self.pipeline_offset = offset
        self.pipeline_width = clf.coef_.shape[1] - offset
        self.coef_t = np.ascontiguousarray(clf.coef_.T)
        self.intercept = clf.intercept_

    def probabilities(self, message: Message) -> np.ndarray:
        text = message.get("text") or ""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for analyze, vocabulary, idf, offset in self.parts:
            counts = Counter(t for t in analyze(text) if t in vocabulary)
            ids = np.fromiter((vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
            tf = np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0
            columns.append(ids + offset)
            values.append(unit(tf * idf[ids]))
        pipeline = [f.features.tocoo() for f in sentence_parts(message)]
        if pipeline and sum(p.shape[1] for p in pipeline) == self.pipeline_width:  # else an empty text
            widths = np.cumsum([self.pipeline_offset] + [p.shape[1] for p in pipeline])
            columns += [p.col.astype(np.int64) + start for p, start in zip(pipeline, widths, strict=False)]
            values.append(unit(np.log1p(np.concatenate([p.data for p in pipeline]).astype(np.float64))))
        scores = np.concatenate(values) @ self.coef_t[np.concatenate(columns)] + self.intercept
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "max_iter": 1000,
            "C": 20.0,
            "char_features": 40000,
            "weight": 1.0,  # this model's share when averaged with a classifier before it
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
        self.scorer: Scorer  # once trained or loaded

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """The training matrix; `Scorer` computes the same row for one message at parse time."""
        texts = [m.get("text") or "" for m in messages]
        pipeline = normalize(vstack([sentence_features(m) for m in messages]).tocsr().log1p())
        return hstack([self.words.transform(texts), self.chars.transform(texts), pipeline]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get("intent") and e.get("text")]
        texts = [e.get("text") for e in examples]
        self.words.fit(texts)
        self.chars.fit(texts)
        self.clf.fit(self._create_X(examples), [e.get("intent") for e in examples])
        self._fitted()
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        weight = float(self.config["weight"])
        for message in messages:
            row = self.scorer.probabilities(message)
            linear = {str(name): float(p) for name, p in zip(self.clf.classes_, row, strict=True)}
            first = {r["name"]: float(r["confidence"]) for r in message.get("intent_ranking") or []}
            merged = linear
            if first and weight < 1.0:
                merged = {
                    name: (1 - weight) * first.get(name, 0.0) + weight * p for name, p in linear.items()
                }
                opinions = {"first": first, "linear": linear}
                rounded = {k: {n: round(c, 4) for n, c in v.items()} for k, v in opinions.items()}
                message.set("opinions", rounded, add_to_output=True)
            ranking = [
                {"name": name, "confidence": confidence}
                for name, confidence in sorted(merged.items(), key=lambda item: -item[1])
            ]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def _fitted(self) -> None:
        self.scorer = Scorer(self.words, self.chars, self.clf)

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / "linear_intent.pkl").write_bytes(pickle.dumps((self.words, self.chars, self.clf)))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:  # our own model file, written by train
            component.words, component.chars, component.clf = pickle.loads(
                (model_dir / "linear_intent.pkl").read_bytes()
            )
        component._fitted()
        return component
