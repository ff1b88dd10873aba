"""Bar charts as plain geometry for a server-rendered SVG: no chart library, no script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    maximum: int
    bars: list[Bar]


def bar_chart(points: list[tuple[str, int]], *, width: int = 720, height: int = 220,
              label_every: int = 1) -> BarChart:
    """Bars scaled to the largest count; labels on every ``label_every``-th bar."""
    top, bottom, left = 20, height - 30, 40
    maximum = max((count for _, count in points), default=0)
    slot = (width - left - 10) / max(len(points), 1)
    bars = []
    for index, (label, count) in enumerate(points):
        bar_height = (bottom - top) * count / maximum if maximum else 0
        bars.append(Bar(
            label=label, count=count, x=round(left + index * slot + slot * 0.1, 1),
            y=round(bottom - bar_height, 1), width=round(slot * 0.8, 1),
            height=round(bar_height, 1), show_label=index % label_every == 0,
        ))
    return BarChart(width=width, height=height, plot_top=top, plot_bottom=bottom,
                    maximum=maximum, bars=bars)
