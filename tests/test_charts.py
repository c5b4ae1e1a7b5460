"""The weekly chart: a valid PNG of the promised size, whatever the data, render after render."""

from __future__ import annotations

import io
import random
import struct
import threading
import zlib
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image

from nudgebot.charts import (
    CHART_HEIGHT_PX,
    CHART_WIDTH_PX,
    ChartLabels,
    render_stress_chart,
    render_stress_chart_async,
)
from nudgebot.domain.summary import CHART_DAYS, ChartDay

END = date(2024, 3, 31)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VERMILLION = (0xD5, 0x5E, 0x00)
BLUE = (0x00, 0x72, 0xB2)
# The plot area in pixels (left, top, right, bottom): inside the axes, clear of title and legend.
PLOT = (90, 175, 940, 530)


def series(values: list[float | None], moved: list[bool] | None = None) -> list[ChartDay]:
    moved = moved or [False] * len(values)
    first = END - timedelta(days=len(values) - 1)
    return [
        ChartDay(first + timedelta(days=i), v, m)
        for i, (v, m) in enumerate(zip(values, moved, strict=True))
    ]


def empty_month() -> list[ChartDay]:
    return series([None] * CHART_DAYS)


def full_month(seed: int = 7) -> list[ChartDay]:
    rng = random.Random(seed)
    return series(
        [round(rng.uniform(1, 5), 2) for _ in range(CHART_DAYS)],
        [rng.random() < 0.4 for _ in range(CHART_DAYS)],
    )


def gappy_month() -> list[ChartDay]:
    values: list[float | None] = [None if i % 4 == 1 or 10 <= i < 15 else 3.0 for i in range(28)]
    return series(values, [i % 3 == 0 for i in range(CHART_DAYS)])


def ihdr_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first and carry a valid CRC."""
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    data = png[16 : 16 + length]
    (crc,) = struct.unpack(">I", png[16 + length : 20 + length])
    assert crc == zlib.crc32(kind + data)
    width, height = struct.unpack(">II", data[:8])
    return width, height


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


def has_colour(png: bytes, colour: tuple[int, int, int], box: tuple[int, int, int, int]) -> bool:
    left, top, right, bottom = box
    area = pixels(png)[top:bottom, left:right]
    return bool(np.all(area == colour, axis=-1).any())


def assert_valid_png(png: bytes) -> None:
    assert png.startswith(PNG_SIGNATURE)
    assert ihdr_size(png) == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
    assert png.endswith(b"IEND\xae\x42\x60\x82")
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
        image.load()


def test_expected_size_is_about_a_phone_friendly_1000_by_600() -> None:
    assert (CHART_WIDTH_PX, CHART_HEIGHT_PX) == (1000, 600)


@pytest.mark.parametrize(
    "days",
    [empty_month(), gappy_month(), full_month(), series([2.0, None, 4.0]), []],
    ids=["empty", "gaps", "full", "three-days", "no-days"],
)
def test_renders_a_valid_png_of_the_expected_size(days: list[ChartDay]) -> None:
    assert_valid_png(render_stress_chart(days, "Your stress, 4 Mar to 31 Mar"))


def test_empty_month_draws_no_stress_line_and_no_movement() -> None:
    png = render_stress_chart(empty_month(), "Nothing yet")
    assert not has_colour(png, BLUE, PLOT)
    assert not has_colour(png, VERMILLION, PLOT)


def test_movement_days_are_marked_in_their_own_colour() -> None:
    still = series([3.0] * CHART_DAYS)
    moving = series([3.0] * CHART_DAYS, [i == 20 for i in range(CHART_DAYS)])
    assert has_colour(render_stress_chart(still, "t"), BLUE, PLOT)
    assert not has_colour(render_stress_chart(still, "t"), VERMILLION, PLOT)
    assert has_colour(render_stress_chart(moving, "t"), VERMILLION, PLOT)


def test_rendering_again_gives_independent_images() -> None:
    a, b = full_month(1), gappy_month()
    first_a = render_stress_chart(a, "Four weeks")
    first_b = render_stress_chart(b, "Four weeks")
    assert first_a != first_b
    # Nothing of b may linger when a is drawn again on the shared figure.
    assert render_stress_chart(a, "Four weeks") == first_a
    assert render_stress_chart(empty_month(), "Four weeks") != first_a
    assert render_stress_chart(b, "Four weeks") == first_b


def test_title_and_labels_are_per_chart() -> None:
    days = full_month(2)
    plain = render_stress_chart(days, "One title")
    assert render_stress_chart(days, "Another title") != plain
    labels = ChartLabels(stress="Stress", moved="Bewegt", scale="1 ruhig … 5 überfordert")
    relabelled = render_stress_chart(days, "One title", labels)
    assert relabelled != plain
    assert_valid_png(relabelled)
    assert render_stress_chart(days, "One title") == plain


def test_threads_get_their_own_correct_chart() -> None:
    inputs = [full_month(seed) for seed in range(6)]
    expected = [render_stress_chart(days, f"chart {i}") for i, days in enumerate(inputs)]
    results: dict[int, bytes] = {}

    def work(i: int) -> None:
        for _ in range(3):
            results[i] = render_stress_chart(inputs[i], f"chart {i}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(inputs))] == expected


async def test_async_render_matches_the_sync_one() -> None:
    days = gappy_month()
    assert await render_stress_chart_async(days, "async") == render_stress_chart(days, "async")
