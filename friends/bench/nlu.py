"""`friends bench nlu`: parse latency and throughput against the running Rasa, and memory."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

import psutil

from friends.processes import pid_file
from friends.settings import ROOT
from gateways.rasa_client import RasaClient

SAMPLES = ROOT / "tests" / "rasa" / "heldout.jsonl"


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


async def bench(rasa: RasaClient, texts: list[str], *, concurrency: int) -> dict[str, object]:
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
    return {
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
    return (
        f"NLU parse over {result['messages']} messages (sequential): "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms\n"
        f"throughput with {result['concurrency']} concurrent requests: "
        f"{result['throughput_per_s']} messages/s\n"
        f"resident memory: {memory}"
    )
