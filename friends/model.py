"""The Rasa model: trained only when nlu/, domain.yml or config.yml changed (content hash)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from friends.settings import ROOT

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODELS = ROOT / "models"
INPUTS = ("config.yml", "domain.yml", "nlu", "rasa_components")


def content_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return MODELS / f"nlu-{content_hash(root)}.tar.gz"


def ensure_model(*, force: bool = False) -> Path:
    """Train when the inputs changed; print Rasa's progress as it goes."""
    target = model_path()
    if target.exists() and not force:
        print(f"Rasa model up to date: {target.relative_to(ROOT)}", file=sys.stderr, flush=True)
        return target
    if not RASA.exists():
        raise SystemExit(f"{RASA} is missing: run ./run.sh or ./test.sh once to install it")
    MODELS.mkdir(exist_ok=True)
    print(f"Training the Rasa model ({target.name}); this takes a few minutes…", flush=True)
    cmd = [
        str(RASA),
        "train",
        "--data",
        "nlu",
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    result = subprocess.run(
        cmd, cwd=ROOT, env=rasa_env(), stdout=sys.stdout, check=False
    )  # follows redirects
    if result.returncode != 0 or not target.exists():
        raise SystemExit(f"rasa train failed (exit {result.returncode})")
    for old in MODELS.glob("nlu-*.tar.gz"):
        if old != target:
            old.unlink()
    print(f"Rasa model trained: {target.relative_to(ROOT)}", flush=True)
    return target


def rasa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update(extra or {})
    return env


if __name__ == "__main__":
    ensure_model(force="--force" in sys.argv)
