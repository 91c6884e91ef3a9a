"""概览 (/console/dashboard): the last 30 days at a glance, and the console's home.

The charts are SVG drawn by the template from the geometry computed here: no
JavaScript, no chart library, nothing from another site (the pages' CSP allows
neither inline script nor other origins). Colours and text sizes are SVG
attributes and classes in console.css, never style attributes, which the CSP
would block.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from bot.console.pages import render
from bot.gateway import keys as gateway_keys
from services.dashboard import DashboardService

DAYS = 30
CHART_WIDTH, CHART_HEIGHT = 720, 180
AXIS = 28  # room under the bars for the day labels, and on the left for the scale
BAR_ROW = 24  # height of one row of a horizontal bar chart
LABEL_WIDTH = 260  # room for the names beside horizontal bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # the tooltip (SVG <title>)
    text: str  # what is written beside or under the bar (when shown)
    show_label: bool = False


@dataclass(frozen=True)
class Columns:
    """A vertical bar chart: one column per day."""

    bars: list[Bar]
    width: int
    height: int
    top: int  # the scale's largest value
    base: float  # y of the baseline


@dataclass(frozen=True)
class Rows:
    """A horizontal bar chart: one row per name."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int


def _nice_top(value: int) -> int:
    """A round number at or above the largest value, for the scale."""
    if value <= 5:
        return 5
    step = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return value


def columns(values: list[tuple[str, int]], every: int = 5) -> Columns:
    """Columns for (label, value) pairs; every `every`-th label (and the last) under the axis."""
    top = _nice_top(max((value for _, value in values), default=0))
    plot_height = CHART_HEIGHT - AXIS
    slot = (CHART_WIDTH - AXIS) / max(len(values), 1)
    bars = []
    for n, (label, value) in enumerate(values):
        height = plot_height * value / top
        bars.append(Bar(x=AXIS + n * slot + slot * 0.15, y=plot_height - height, width=slot * 0.7,
                        height=height, value=value, label=label, text=label,
                        show_label=n % every == 0 or n == len(values) - 1))
    return Columns(bars=bars, width=CHART_WIDTH, height=CHART_HEIGHT, top=top, base=plot_height)


def rows(values: list[tuple[str, int]]) -> Rows:
    largest = max((value for _, value in values), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60  # and the number after the bar
    bars = [Bar(x=LABEL_WIDTH, y=n * BAR_ROW + 4, width=max(room * value / largest, 1 if value else 0),
                height=BAR_ROW - 8, value=value, label=label, text=_short(label))
            for n, (label, value) in enumerate(values)]
    return Rows(bars=bars, width=CHART_WIDTH, height=max(len(values), 1) * BAR_ROW, label_width=LABEL_WIDTH)


def duration(ms: int | None) -> str:
    """How long a reply took, as staff read it: 850 毫秒, 2.4 秒."""
    if ms is None:
        return "—"
    return f"{ms} 毫秒" if ms < 1000 else f"{ms / 1000:.1f} 秒"


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


async def dashboard(request: web.Request) -> web.Response:
    # The real Shanghai date (not ASSISTANT_TODAY): the figures are of real traffic.
    service = DashboardService(request.config_dict[gateway_keys.SESSIONS], request.config_dict[gateway_keys.ENGINE])
    figures = await asyncio.to_thread(service.build, DAYS)
    return await render(request, "dashboard.html", {
        "d": figures,
        "p95": duration(figures.reply_p95_ms),
        "p50": duration(figures.reply_p50_ms),
        "messages_chart": columns([(f"{day.day:%m-%d}", day.messages) for day in figures.days]),
        "users_chart": columns([(f"{day.day:%m-%d}", day.users) for day in figures.days]),
        "intents_chart": rows([(intent.intent, intent.count) for intent in figures.intents]),
        "signups_chart": rows([(s.name, s.signups) for s in figures.signups]),
        "signup_links": [str(request.app.router["signups"].url_for(activity_id=str(s.activity_id)))
                         for s in figures.signups],
    })


async def home(request: web.Request) -> web.Response:
    """The console's start page after logging in: the dashboard."""
    raise web.HTTPFound(str(request.app.router["dashboard"].url_for()))
