"""The weekly chart: four weeks of daily stress with movement days marked, as PNG bytes.

Drawn with matplotlib's Agg canvas directly (no pyplot), so nothing here selects a backend or
changes rcParams for anyone else. Building a figure costs far more than drawing one, so a single
figure is built once and only its data and labels change per chart; a lock serialises renders
because matplotlib objects are not thread-safe.
"""

from __future__ import annotations

import asyncio
import math
import struct
import threading
import zlib
from collections.abc import Sequence
from datetime import date
from typing import Protocol, cast

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import BboxBase
from PIL import Image

from nudgebot.chart_labels import DEFAULT_LABELS, ChartLabels
from nudgebot.domain.ratings import RATING_MAX, RATING_MIN
from nudgebot.domain.summary import ChartDay

__all__ = [
    "CHART_HEIGHT_PX",
    "CHART_WIDTH_PX",
    "DEFAULT_LABELS",
    "ChartLabels",
    "render_stress_chart",
    "render_stress_chart_async",
]

# About 1000×600 px: sharp on a phone once Telegram scales it to the screen, and small to send.
_DPI = 100
CHART_WIDTH_PX = 1000
CHART_HEIGHT_PX = 600

# Okabe–Ito: distinguishable with the common forms of colour blindness, and dark enough on white.
_STRESS_COLOUR = "#0072B2"  # blue
_MOVED_COLOUR = "#D55E00"  # vermillion
_INK = "#1A1A1A"
_GRID = "#C8C8C8"

# Telegram shows the photo about a third of its width on a phone; these stay legible there.
_TITLE_PT = 28
_LABEL_PT = 22
_LEGEND_PT = 20

# Where the "moved" markers sit: below the 1-5 scale, so they never hide a stress point.
_MOVED_Y = 0.35
_Y_BOTTOM = 0.0
_Y_TOP = RATING_MAX + 0.45
_MAX_DAYS_AT_WEEKLY_LABELS = 42


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# 8-bit RGB, no interlace: the chart has no transparency, so alpha would only add bytes to squeeze.
_PNG_RGB8 = (8, 2, 0, 0, 0)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class _AggCanvas(Protocol):
    """The parts of FigureCanvasAgg used here; matplotlib's backend_agg has no annotations."""

    def draw(self) -> None: ...
    def buffer_rgba(self) -> memoryview: ...
    def get_width_height(self) -> tuple[int, int]: ...
    def copy_from_bbox(self, bbox: BboxBase) -> object: ...
    def restore_region(self, region: object) -> None: ...


def _encode_png(canvas: _AggCanvas) -> bytes:
    """The canvas as a PNG, written directly with zlib.

    Pillow's encoder tries every row filter on every row, which cost more than drawing the chart.
    A flat-colour chart compresses about as well unfiltered, at the fastest zlib level.
    """
    width, height = canvas.get_width_height()
    # Pillow drops the alpha channel several times faster than a strided numpy copy.
    rgba = Image.fromarray(np.asarray(canvas.buffer_rgba()))
    rgb = np.frombuffer(rgba.convert("RGB").tobytes(), dtype=np.uint8)
    # Each scanline starts with its filter type; 0 means "none".
    scanlines = np.zeros((height, 1 + 3 * width), dtype=np.uint8)
    scanlines[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">II5B", width, height, *_PNG_RGB8)
    return b"".join(
        (
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(scanlines.data, 1)),
            _png_chunk(b"IEND", b""),
        )
    )


class _Template:
    """One figure, built once; render() swaps in the data and returns a PNG.

    Everything that never changes (axes, grid, scale, legend) is drawn once into a background
    image. A render pastes that back and draws only the few data-dependent artists on top, which
    skips most of the text layout that dominates a full matplotlib draw.
    """

    def __init__(self) -> None:
        self.figure = Figure(
            figsize=(CHART_WIDTH_PX / _DPI, CHART_HEIGHT_PX / _DPI), dpi=_DPI, facecolor="white"
        )
        self.canvas = cast(_AggCanvas, FigureCanvasAgg(self.figure))
        # Fixed margins instead of tight_layout: measuring text every render would double the cost.
        self.figure.subplots_adjust(left=0.085, right=0.945, top=0.72, bottom=0.11)
        ax = self.figure.add_subplot()
        self.axes = ax
        ax.set_facecolor("white")
        ax.set_autoscale_on(False)
        ax.set_ylim(_Y_BOTTOM, _Y_TOP)
        ax.set_yticks(range(RATING_MIN, RATING_MAX + 1))
        # Date labels are our own texts (below), so the background does not depend on the dates.
        ax.set_xticks([])
        ax.tick_params(axis="y", labelsize=_LABEL_PT, colors=_INK, length=0, pad=8, width=0)
        ax.yaxis.grid(True, color=_GRID, linewidth=1.2)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(_INK)
        ax.spines["bottom"].set_linewidth(1.5)

        (self.stress_line,) = ax.plot(
            [],
            [],
            color=_STRESS_COLOUR,
            linewidth=3.5,
            marker="o",
            markersize=9,
            solid_capstyle="round",
            label=DEFAULT_LABELS.stress,
            animated=True,
        )
        # One Line2D of markers rather than a bar per day: fewer artists, faster draws.
        (self.moved_marks,) = ax.plot(
            [],
            [],
            linestyle="none",
            color=_MOVED_COLOUR,
            marker="^",
            markersize=17,
            label=DEFAULT_LABELS.moved,
            animated=True,
        )
        self.title: Text = self.figure.text(
            0.03,
            0.955,
            "",
            fontsize=_TITLE_PT,
            fontweight="bold",
            color=_INK,
            va="top",
            animated=True,
        )
        self.scale: Text = self.figure.text(
            0.03, 0.865, DEFAULT_LABELS.scale, fontsize=_LEGEND_PT, color=_INK, va="center"
        )
        legend = ax.legend(
            handles=[self.stress_line, self.moved_marks],
            loc="center left",
            bbox_to_anchor=(0.03, 0.785),
            bbox_transform=self.figure.transFigure,
            ncols=2,
            frameon=False,
            fontsize=_LEGEND_PT,
            handlelength=1.6,
            borderaxespad=0.3,
            labelcolor=_INK,
        )
        self.legend_texts = legend.get_texts()
        self.no_data: Text = ax.text(
            0.5,
            0.55,
            DEFAULT_LABELS.no_data,
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=_LABEL_PT,
            color=_INK,
            animated=True,
        )
        self.date_labels: list[Text] = []
        self.labels = DEFAULT_LABELS
        self.background = self._draw_background()

    def _draw_background(self) -> object:
        # Artists marked animated are left out of a full draw: exactly the per-chart ones.
        self.canvas.draw()
        return self.canvas.copy_from_bbox(self.figure.bbox)

    def _set_labels(self, labels: ChartLabels) -> None:
        if labels == self.labels:
            return
        self.legend_texts[0].set_text(labels.stress)
        self.legend_texts[1].set_text(labels.moved)
        self.scale.set_text(labels.scale)
        self.no_data.set_text(labels.no_data)
        self.labels = labels
        self.background = self._draw_background()

    def _date_label(self, index: int) -> Text:
        while len(self.date_labels) <= index:
            self.date_labels.append(
                self.axes.text(
                    0,
                    -0.04,
                    "",
                    # x in days, y relative to the axes: the label follows its day, under the axis.
                    transform=self.axes.get_xaxis_transform(),
                    ha="center",
                    va="top",
                    fontsize=_LABEL_PT,
                    color=_INK,
                    animated=True,
                )
            )
        return self.date_labels[index]

    def render(self, days: Sequence[ChartDay], title: str, labels: ChartLabels) -> bytes:
        self._set_labels(labels)
        n = len(days)
        self.axes.set_xlim(-0.6, max(n, 1) - 0.4)
        self.title.set_text(title)
        # NaN breaks the line, so a day without a rating shows as a gap rather than a guess.
        ys = [math.nan if d.avg_rating is None else d.avg_rating for d in days]
        self.stress_line.set_data(range(n), ys)
        moved = [i for i, d in enumerate(days) if d.moved]
        self.moved_marks.set_data(moved, [_MOVED_Y] * len(moved))

        self.canvas.restore_region(self.background)
        draw = self.figure.draw_artist
        draw(self.title)
        if all(d.avg_rating is None for d in days):
            draw(self.no_data)
        draw(self.stress_line)
        draw(self.moved_marks)
        # A label on the last day and every seven days back: four labels for four weeks. Longer
        # series skip weeks so labels never collide.
        step = 7 * max(1, math.ceil(n / _MAX_DAYS_AT_WEEKLY_LABELS))
        for slot, index in enumerate(range(n - 1, -1, -step)):
            label = self._date_label(slot)
            label.set_x(index)
            label.set_text(_day_label(days[index].local_date))
            draw(label)
        return _encode_png(self.canvas)


_lock = threading.Lock()
_template: _Template | None = None


def render_stress_chart(
    days: Sequence[ChartDay], title: str, labels: ChartLabels = DEFAULT_LABELS
) -> bytes:
    """A PNG of daily average stress (gaps where none was given) with movement days marked."""
    global _template
    with _lock:
        if _template is None:
            _template = _Template()
        return _template.render(days, title, labels)


async def render_stress_chart_async(
    days: Sequence[ChartDay], title: str, labels: ChartLabels = DEFAULT_LABELS
) -> bytes:
    """render_stress_chart in a worker thread, so the event loop keeps serving updates."""
    return await asyncio.to_thread(render_stress_chart, days, title, labels)
