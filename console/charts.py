"""The overview's charts: each a Chart.js configuration, drawn by static/console.js (no inline
script under the content security policy)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request

from console.pages import text
from core.categories import Category
from storage.queries import Stats

Config = dict[str, Any]
Label = Callable[[str], str]
COLOURS = {"phone": "#2f6fde", "internet": "#2e8b57", "tv": "#d08a1f", "pc": "#8a4fd0", "none": "#9aa1b1"}
BLUE, GREEN, AMBER, RED = "#2f6fde", "#2e8b57", "#d08a1f", "#c2413b"


def charts(stats: Stats, request: Request) -> list[tuple[str, str]]:
    """(title key, Chart.js config as JSON) for each chart."""

    def label(key: str) -> str:
        return text(request, key)

    configs = [
        ("chart_requests", requests(stats, label)),
        ("chart_minutes", minutes(stats, label)),
        ("chart_funnel", funnel(stats, label)),
        ("chart_revenue", revenue(stats, label)),
        ("chart_ratings", ratings(stats, label)),
        ("chart_unsure", unsure(stats, label)),
    ]
    return [(title, json.dumps(config, ensure_ascii=False)) for title, config in configs]


def line(data: list[Any], name: str, colour: str) -> Config:
    return {"label": name, "data": data, "borderColor": colour, "backgroundColor": colour, "spanGaps": True}


def bar(data: list[Any], name: str, colour: str) -> Config:
    return {"label": name, "data": data, "backgroundColor": colour}


def requests(stats: Stats, label: Label) -> Config:
    datasets = [
        bar(v, label(f"category.{Category(c)}"), COLOURS.get(c, "#9aa1b1"))
        for c, v in sorted(stats.requests_by_category.items())
    ]
    stacked = {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}
    return {
        "type": "bar",
        "data": {"labels": stats.days, "datasets": datasets},
        "options": {"scales": stacked},
    }


def minutes(stats: Stats, label: Label) -> Config:
    datasets = [
        line(stats.minutes_to_first_offer, label("to_first_offer"), BLUE),
        line(stats.minutes_to_acceptance, label("to_acceptance"), GREEN),
    ]
    options = {"scales": {"y": {"beginAtZero": True}}}
    return {"type": "line", "data": {"labels": stats.days, "datasets": datasets}, "options": options}


def funnel(stats: Stats, label: Label) -> Config:
    steps = [label("funnel_requests"), label("funnel_booked"), label("funnel_paid")]
    options = {"indexAxis": "y", "plugins": {"legend": {"display": False}}}
    data = {"labels": steps, "datasets": [bar(list(stats.funnel), label("count"), BLUE)]}
    return {"type": "bar", "data": data, "options": options}


def revenue(stats: Stats, label: Label) -> Config:
    euros = [round(c / 100, 2) for c in stats.revenue_cents]
    fees = [round(c / 100, 2) for c in stats.fee_cents]
    datasets = [bar(euros, label("revenue"), BLUE), bar(fees, label("platform_fee"), GREEN)]
    return {"type": "bar", "data": {"labels": stats.days, "datasets": datasets}}


def ratings(stats: Stats, label: Label) -> Config:
    data = {
        "labels": ["1★", "2★", "3★", "4★", "5★"],
        "datasets": [bar(stats.ratings, label("ratings"), AMBER)],
    }
    return {"type": "bar", "data": data, "options": {"plugins": {"legend": {"display": False}}}}


def unsure(stats: Stats, label: Label) -> Config:
    """The NLU chart: messages it was unsure about, and requests whose area the customer changed
    with a button (the model's reading was wrong), per day in percent."""

    def percent(shares: list[float | None]) -> list[float | None]:
        return [None if v is None else round(v * 100, 1) for v in shares]

    datasets = [
        line(percent(stats.unsure_share), label("unsure_percent"), RED),
        line(percent(stats.corrected_share), label("corrected_percent"), AMBER),
    ]
    options = {"scales": {"y": {"beginAtZero": True, "max": 100}}}
    return {"type": "line", "data": {"labels": stats.days, "datasets": datasets}, "options": options}
