"""`friends bench nlu`: category accuracy and macro-F1 on the untouched held-out set (per language
and per hard/plain half), parse latency and throughput against the running Rasa, and memory."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

from friends.processes import pid_file
from friends.settings import ROOT
from gateways.rasa_client import RasaClient

SAMPLES = ROOT / "tests" / "rasa" / "heldout.jsonl"
#: Written independently of nlu/ and never tuned on: the figure we report.
UNTOUCHED = ROOT / "tests" / "rasa" / "heldout_c.jsonl"
CATEGORIES = ("phone", "internet", "tv", "pc", "none")


def held_out(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def macro_f1(pairs: Sequence[tuple[str, str]]) -> float:
    """Mean F1 over the five categories (expected, predicted); a category absent from both counts 1."""
    scores = []
    for c in CATEGORIES:
        tp = sum(1 for e, p in pairs if e == c and p == c)
        fp = sum(1 for e, p in pairs if e != c and p == c)
        fn = sum(1 for e, p in pairs if e == c and p != c)
        scores.append(1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def scores(rows: Sequence[Mapping[str, object]], predicted: Sequence[str]) -> dict[str, dict[str, float]]:
    """Accuracy, macro-F1 and size of every slice: all, each language, hard and plain (when the
    set says which messages are hard), and each language's hard and plain half."""
    slices: dict[str, list[tuple[str, str]]] = {}
    for row, category in zip(rows, predicted, strict=True):
        pair = (str(row["category"]), category)
        lang = str(row["language"])
        names = ["all", lang]
        if "hard" in row:
            half = "hard" if row["hard"] else "plain"
            names += [half, f"{lang}_{half}"]
        for name in names:
            slices.setdefault(name, []).append(pair)
    return {
        name: {
            "accuracy": round(sum(e == p for e, p in pairs) / len(pairs), 4),
            "macro_f1": round(macro_f1(pairs), 4),
            "n": len(pairs),
        }
        for name, pairs in sorted(slices.items())
    }


async def classify_rows(rasa: RasaClient, rows: Sequence[Mapping[str, object]]) -> list[str]:
    return [str((await rasa.parse(str(r["text"]))).category) for r in rows]


def misses(rows: Sequence[Mapping[str, object]], predicted: Sequence[str]) -> list[str]:
    return [
        f"  [{r['language']}] {r['category']} → {p}: {str(r['text'])[:90]}"
        for r, p in zip(rows, predicted, strict=True)
        if p != r["category"]
    ]


def kinds_missed(rows: Sequence[Mapping[str, object]], predicted: Sequence[str]) -> dict[str, int]:
    """How many misses per kind (the set's "kind" field), without showing the texts."""
    return dict(
        Counter(str(r.get("kind", "?")) for r, p in zip(rows, predicted, strict=True) if p != r["category"])
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    """Resident memory of one process (not its children: the run command's process is the
    parent of the others, and would count them twice)."""
    return psutil.Process(pid).memory_info().rss / 2**20


def process_memory(names: tuple[str, ...] = ("rasa", "actions", "bot")) -> dict[str, float]:
    found: dict[str, float] = {}
    for name in names:
        path = pid_file(name)
        try:
            found[name] = round(rss_mb(int(path.read_text())), 1)
        except (OSError, ValueError, psutil.Error):
            continue
    return found


def sample_texts(n: int, samples: Path = SAMPLES) -> list[str]:
    """n realistic customer messages (the held-out set, repeated as needed)."""
    texts = [json.loads(line)["text"] for line in samples.read_text("utf-8").splitlines() if line.strip()]
    return (texts * (n // len(texts) + 1))[:n]


async def bench(
    rasa: RasaClient,
    texts: list[str],
    *,
    concurrency: int,
    rows: Sequence[Mapping[str, object]] = (),
    held_out_name: str | None = None,
) -> dict[str, object]:
    """Latency and throughput of parsing `texts`; accuracy on the held-out `rows`."""
    n = len(texts)
    await rasa.parse("warm up")
    latencies = []
    for text in texts:
        start = time.perf_counter()
        await rasa.parse(text)
        latencies.append((time.perf_counter() - start) * 1000)
    gate = asyncio.Semaphore(concurrency)

    async def one(text: str) -> None:
        async with gate:
            await rasa.parse(text)

    start = time.perf_counter()
    await asyncio.gather(*(one(t) for t in texts))
    elapsed = time.perf_counter() - start
    predicted = await classify_rows(rasa, rows)
    return {
        "held_out": held_out_name,
        "scores": scores(rows, predicted) if rows else {},
        "misses_by_kind": kinds_missed(rows, predicted),
        "messages": n,
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "throughput_per_s": round(n / elapsed, 1),
        "concurrency": concurrency,
        "rss_mb": process_memory(),
    }


def report(result: dict[str, object]) -> str:
    rss = result["rss_mb"]
    memory = (
        ", ".join(f"{k} {v} MB" for k, v in rss.items()) if isinstance(rss, dict) and rss else "none found"
    )
    figures = result.get("scores") or {}
    lines = [f"category accuracy / macro-F1 on tests/rasa/{result.get('held_out')}:"] if figures else []
    for name, s in figures.items() if isinstance(figures, dict) else []:
        lines.append(f"  {name:<9} {s['accuracy']:.1%}  F1 {s['macro_f1']:.3f}  ({s['n']} messages)")
    return (
        "\n".join(lines)
        + ("\n" if lines else "")
        + (
            f"NLU parse over {result['messages']} messages (sequential): "
            f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms\n"
            f"throughput with {result['concurrency']} concurrent requests: "
            f"{result['throughput_per_s']} messages/s\n"
            f"resident memory: {memory}"
        )
    )
