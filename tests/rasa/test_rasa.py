"""Real Rasa 3.6 (in .venv-rasa): training data, dialogue rules and held-out accuracy."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from friends.bench.nlu import classify_rows, held_out, kinds_missed, misses, scores
from friends.model import RASA, model_path, rasa_env
from gateways.rasa_client import RasaClient
from tests.conftest import ROOT, NluStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
HERE = Path(__file__).parent
#: Category accuracy each language must reach on each held-out file: a little below what the
#: model measured (docs/NLU.md), so a regression fails and run-to-run noise does not.
FLOORS = {
    "heldout.jsonl": {"de": 0.97, "en": 0.96},
    "heldout_b.jsonl": {"de": 0.96, "en": 0.95},
    "heldout_c.jsonl": {"de": 0.95, "en": 0.94},
}


def rasa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA), *args], cwd=cwd, env=rasa_env(), capture_output=True, text=True, timeout=600
    )


def test_training_data_validates_without_warnings() -> None:
    result = rasa(
        "data",
        "validate",
        "--data",
        "nlu",
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--fail-on-warnings",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_dialogue_stories_with_real_text_pass(tmp_path: Path) -> None:
    result = rasa(
        "test",
        "core",
        "--stories",
        str(HERE / "test_stories.yml"),
        "--model",
        str(model_path()),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = (
        (tmp_path / "failed_test_stories.yml").read_text()
        if (tmp_path / "failed_test_stories.yml").exists()
        else ""
    )
    assert result.returncode == 0, failed or result.stderr[-3000:]


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_category_accuracy_on_held_out_messages(
    nlu_stack: NluStack, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (HERE / name).exists():
        pytest.skip(f"tests/rasa/{name} is not there yet")
    rows = held_out(HERE / name)

    async def parse_all() -> list[str]:
        client = RasaClient(nlu_stack.settings.rasa_url, nlu_stack.token)  # type: ignore[attr-defined]
        try:
            return await classify_rows(client, rows)
        finally:
            await client.aclose()

    predicted = asyncio.run(parse_all())
    figures = scores(rows, predicted)
    with capsys.disabled():
        print(
            f"\nNLU category accuracy on tests/rasa/{name}: "
            + ", ".join(f"{k} {v['accuracy']:.1%}" for k, v in figures.items())
            + f" (macro-F1 {figures['all']['macro_f1']:.3f})"
        )
    # The untouched set's texts are not shown (nobody may tune on them); its kinds are.
    shown = kinds_missed(rows, predicted) if name == "heldout_c.jsonl" else "\n".join(misses(rows, predicted))
    for lang, floor in FLOORS[name].items():
        assert figures[lang]["accuracy"] >= floor, f"{lang} below {floor:.0%}:\n{shown}"


#: Runs in .venv-rasa: the classifier's fast path at parse time against sklearn's own
#: `transform` + `predict_proba` on the same messages (rasa_components/linear_intent.py).
SAME_PROBABILITIES = """
import asyncio, json, sys
import numpy as np
from rasa.core.agent import Agent
from rasa_components.linear_intent import LinearIntentClassifier

seen = []
process = LinearIntentClassifier.process
def spy(self, messages):
    for m in messages:
        seen.append((self.scorer.probabilities(m), self.clf.predict_proba(self._create_X([m]))[0]))
    return process(self, messages)
LinearIntentClassifier.process = spy
agent = Agent.load(sys.argv[1])
async def parse_all():
    for line in sys.stdin:
        await agent.parse_message(json.loads(line)["text"])
asyncio.run(parse_all())
print(len(seen), max(float(np.abs(fast - slow).max()) for fast, slow in seen))
"""


def test_the_classifier_scores_at_parse_time_as_sklearn_would() -> None:
    texts = (HERE / "heldout_b.jsonl").read_text("utf-8")
    texts += '{"text": "🔥🔥"}\n{"text": "?"}\n{"text": "' + "Fritz!Box 7590 AX WLAN weg " * 40 + '"}\n'
    result = subprocess.run(
        [str(RASA.with_name("python")), "-c", SAME_PROBABILITIES, str(model_path())],
        input=texts,
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    n, difference = result.stdout.split()[-2:]
    assert int(n) == 203 and float(difference) < 1e-9
