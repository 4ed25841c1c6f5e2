"""The overview's charts: each a Chart.js configuration, drawn by static/console.js (no inline
script under the content security policy)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from console.pages import text
from core.categories import Category
from storage.queries import Stats


def charts(stats: Stats, request: Request) -> list[tuple[str, str]]:
    """(title key, Chart.js config as JSON) for each chart; drawn by static/console.js."""
    colours = {
        "phone": "#2f6fde",
        "internet": "#2e8b57",
        "tv": "#d08a1f",
        "pc": "#8a4fd0",
        "none": "#9aa1b1",
    }

    def label(key: str) -> str:
        return text(request, key)

    def line(data: list[Any], name: str, colour: str) -> dict[str, Any]:
        return {
            "label": name,
            "data": data,
            "borderColor": colour,
            "backgroundColor": colour,
            "spanGaps": True,
        }

    euros = [round(c / 100, 2) for c in stats.revenue_cents]
    fees = [round(c / 100, 2) for c in stats.fee_cents]
    unsure = [None if v is None else round(v * 100, 1) for v in stats.unsure_share]
    configs = [
        (
            "chart_requests",
            {
                "type": "bar",
                "data": {
                    "labels": stats.days,
                    "datasets": [
                        {
                            "label": text(request, f"category.{Category(c)}"),
                            "data": v,
                            "backgroundColor": colours.get(c, "#9aa1b1"),
                        }
                        for c, v in sorted(stats.requests_by_category.items())
                    ],
                },
                "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}},
            },
        ),
        (
            "chart_minutes",
            {
                "type": "line",
                "data": {
                    "labels": stats.days,
                    "datasets": [
                        line(stats.minutes_to_first_offer, label("to_first_offer"), "#2f6fde"),
                        line(stats.minutes_to_acceptance, label("to_acceptance"), "#2e8b57"),
                    ],
                },
                "options": {"scales": {"y": {"beginAtZero": True}}},
            },
        ),
        (
            "chart_funnel",
            {
                "type": "bar",
                "data": {
                    "labels": [label("funnel_requests"), label("funnel_booked"), label("funnel_paid")],
                    "datasets": [
                        {
                            "label": label("count"),
                            "data": list(stats.funnel),
                            "backgroundColor": "#2f6fde",
                        }
                    ],
                },
                "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
            },
        ),
        (
            "chart_revenue",
            {
                "type": "bar",
                "data": {
                    "labels": stats.days,
                    "datasets": [
                        {"label": label("revenue"), "data": euros, "backgroundColor": "#2f6fde"},
                        {"label": label("platform_fee"), "data": fees, "backgroundColor": "#2e8b57"},
                    ],
                },
            },
        ),
        (
            "chart_ratings",
            {
                "type": "bar",
                "data": {
                    "labels": ["1★", "2★", "3★", "4★", "5★"],
                    "datasets": [
                        {"label": label("ratings"), "data": stats.ratings, "backgroundColor": "#d08a1f"}
                    ],
                },
                "options": {"plugins": {"legend": {"display": False}}},
            },
        ),
        (
            "chart_unsure",
            {
                "type": "line",
                "data": {
                    "labels": stats.days,
                    "datasets": [line(unsure, label("unsure_percent"), "#c2413b")],
                },
                "options": {"scales": {"y": {"beginAtZero": True, "max": 100}}},
            },
        ),
    ]
    return [(title, json.dumps(config, ensure_ascii=False)) for title, config in configs]
