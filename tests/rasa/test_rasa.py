"""Real Rasa 3.6 (in .venv-rasa): training data, dialogue rules and held-out accuracy."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from friends.model import RASA, model_path, rasa_env
from gateways.rasa_client import RasaClient
from tests.conftest import ROOT, NluStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
HERE = Path(__file__).parent
#: Category accuracy each language must reach on each held-out file.
REQUIRED_ACCURACY = 0.92


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


def accuracy(stack: NluStack, path: Path) -> tuple[dict[str, float], list[str]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]

    async def parse_all() -> list[str]:
        client = RasaClient(stack.settings.rasa_url, stack.token)  # type: ignore[attr-defined]
        try:
            return [str((await client.parse(r["text"])).category) for r in rows]
        finally:
            await client.aclose()

    predicted = asyncio.run(parse_all())
    right, total = Counter[str](), Counter[str]()
    misses = []
    for row, category in zip(rows, predicted, strict=True):
        total[row["language"]] += 1
        if category == row["category"]:
            right[row["language"]] += 1
        else:
            misses.append(f"  [{row['language']}] {row['category']} → {category}: {row['text'][:90]}")
    return {lang: right[lang] / total[lang] for lang in sorted(total)}, misses


@pytest.mark.parametrize("name", ["heldout.jsonl", "heldout_b.jsonl"])
def test_category_accuracy_on_held_out_messages(
    nlu_stack: NluStack, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    scores, misses = accuracy(nlu_stack, HERE / name)
    with capsys.disabled():
        print(
            f"\nNLU category accuracy on tests/rasa/{name}: "
            + ", ".join(f"{lang} {score:.1%}" for lang, score in scores.items())
        )
    assert all(score >= REQUIRED_ACCURACY for score in scores.values()), "\n".join(misses)
