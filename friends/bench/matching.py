"""`friends bench matching`: top-3 latency over random Berlin requests, as the helper count grows."""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from core.categories import SERVICE_CATEGORIES
from core.geo import Location, Place, PlaceIndex
from core.language import Language
from core.ports import UnitOfWork
from core.services.matching import propose
from friends.bench.nlu import percentile
from friends.wiring import uow_factory
from storage.seed import seed_helpers

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def prepared_database(url: str, places: PlaceIndex, helpers: int) -> Callable[[], UnitOfWork]:
    """A database holding exactly the first `helpers` demo helpers (seeded once, then reused)."""
    uow = uow_factory(url)
    with uow() as u:
        present = u.helpers.count()
    if present > helpers:
        raise SystemExit(f"{url} holds {present} helpers, more than {helpers}: use another database")
    if present < helpers:
        started = time.perf_counter()

        def progress(done: int) -> None:
            print(f"\r  seeding {present + done:,}/{helpers:,} helpers", end="", file=sys.stderr, flush=True)

        seed_helpers(uow, places, helpers, now=NOW, progress=progress, batch=5000)
        print(f" ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return uow


def random_requests(places: PlaceIndex, count: int, seed: int = 11) -> list[tuple[Place, object, Language]]:
    rng = random.Random(seed)
    codes = sorted(places.postcodes)
    requests = []
    for _ in range(count):
        centre = places.by_postcode(rng.choice(codes))
        where = Location(
            centre.location.lat + rng.uniform(-0.005, 0.005), centre.location.lon + rng.uniform(-0.008, 0.008)
        )
        place = Place(centre.label, centre.district, where, centre.postcode)
        requests.append(
            (place, rng.choice(SERVICE_CATEGORIES), rng.choice((Language.DE, Language.DE, Language.EN)))
        )
    return requests


def measure(uow: Callable[[], UnitOfWork], places: PlaceIndex, requests: int) -> dict[str, float]:
    """Wall-clock latencies, and this thread's CPU time per match: on a shared machine the
    wall clock also counts waiting for a core, the CPU time does not (with SQLite it is the
    whole work of a match; with PostgreSQL only the client's part)."""
    latencies, cpu, empty = [], [], 0
    for place, category, language in random_requests(places, requests):
        started, started_cpu = time.perf_counter(), time.thread_time()
        found, _ = propose(uow(), category=category, language=language, place=place, now=NOW)  # type: ignore[arg-type]
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        empty += not found
    return {
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 95), 2),
        "requests": requests,
        "without_candidates": empty,
    }


def database_url(engine: str, helpers: int, folder: Path, postgres_url: str | None) -> str:
    if engine == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / f'matching-{helpers}.db'}"
    assert postgres_url is not None
    return postgres_url
