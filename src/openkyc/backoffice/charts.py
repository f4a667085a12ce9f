"""Charts drawn on the server as SVG shapes: bars with their figures, no script, no library.
Each chart is plain geometry the template writes out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    axis: tuple[float, float, float, float] = (0, 0, 0, 0)


def _scale(largest: int) -> int:
    return max(1, largest)


def stacked_columns(
    columns: Sequence[tuple[str, int, int]],
    names: tuple[str, str] = ("automatic", "manual"),
    width: int = 640,
    height: int = 240,
) -> Chart:
    """One column per (label, lower, upper): the lower part and the upper part stacked."""
    chart = Chart(width, height)
    top, bottom, left = 20, height - 30, 36
    room = (width - left - 10) / max(1, len(columns))
    tallest = _scale(max((low + high for _, low, high in columns), default=0))
    chart.axis = (left, bottom, width - 10, bottom)
    chart.labels.append(Label(left - 6, top + 4, str(tallest), "end"))
    chart.labels.append(Label(left - 6, bottom, "0", "end"))
    for i, (label, low, high) in enumerate(columns):
        x = left + i * room + room * 0.15
        bar_width = room * 0.7
        low_height = (bottom - top) * low / tallest
        high_height = (bottom - top) * high / tallest
        chart.bars.append(
            Bar(
                x,
                bottom - low_height,
                bar_width,
                low_height,
                "bar-auto",
                f"{label}: {low} {names[0]}",
            )
        )
        chart.bars.append(
            Bar(
                x,
                bottom - low_height - high_height,
                bar_width,
                high_height,
                "bar-manual",
                f"{label}: {high} {names[1]}",
            )
        )
        chart.labels.append(Label(x + bar_width / 2, height - 12, label))
    return chart


def horizontal_bars(rows: Sequence[tuple[str, int]], width: int = 640) -> Chart:
    """One bar per (label, count), longest first as given."""
    row_height, left = 24, 230
    chart = Chart(width, max(1, len(rows)) * row_height + 10)
    largest = _scale(max((count for _, count in rows), default=0))
    for i, (label, count) in enumerate(rows):
        y = 5 + i * row_height
        length = (width - left - 60) * count / largest
        chart.bars.append(Bar(left, y + 3, length, row_height - 8, "bar", f"{label}: {count}"))
        chart.labels.append(Label(left - 8, y + row_height / 2 + 4, label, "end"))
        chart.labels.append(Label(left + length + 6, y + row_height / 2 + 4, str(count), "start"))
    return chart
