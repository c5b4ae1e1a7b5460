"""Time the weekly chart: N renders of realistic four-week data, one thread, after a warm-up.

Run by hand from the repository root:

    .venv/bin/python benchmarks/chart_render.py [--n 200] [--seed 1] [--save out.png]

Prints the median, p90 and p99 render time in milliseconds and how many charts one core draws per
second. Numbers and the machine they came from go in benchmarks/README.md; tests never time things.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import matplotlib

from nudgebot.charts import render_stress_chart
from nudgebot.domain.summary import CHART_DAYS, ChartDay

WARM_UP = 20


def fake_month(rng: random.Random, end: date) -> list[ChartDay]:
    """Four weeks shaped like a real user's: a drifting mood, 1-4 ratings a day, skipped days,
    movement on about three days a week, and now and then a quiet stretch with nothing at all."""
    level = rng.uniform(1.8, 3.8)
    gap_left = 0
    days: list[ChartDay] = []
    for offset in range(CHART_DAYS):
        day = end - timedelta(days=CHART_DAYS - 1 - offset)
        level = min(5.0, max(1.0, level + rng.gauss(0, 0.45)))
        if gap_left == 0 and rng.random() < 0.04:
            gap_left = rng.randint(2, 5)
        if gap_left > 0:
            gap_left -= 1
            days.append(ChartDay(day, None, False))
            continue
        ratings = [
            min(5, max(1, round(level + rng.gauss(0, 0.7)))) for _ in range(rng.randint(0, 4))
        ]
        avg = sum(ratings) / len(ratings) if ratings else None
        days.append(ChartDay(day, avg, rng.random() < 0.42))
    return days


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile: with 200 samples p99 is the second slowest render."""
    rank = max(1, round(p / 100 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="timed renders (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, help="also write the first chart to this file")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    end = date(2024, 3, 31)
    # Data is made before the clock starts so only rendering is timed.
    inputs = [fake_month(rng, end - timedelta(days=i % 60)) for i in range(WARM_UP + args.n)]
    title = "Your stress, last four weeks"

    started = time.perf_counter()
    first = render_stress_chart(inputs[0], title)
    first_ms = (time.perf_counter() - started) * 1000
    if args.save:
        args.save.write_bytes(first)
    for days in inputs[1:WARM_UP]:
        render_stress_chart(days, title)

    times_ms: list[float] = []
    sizes: list[int] = []
    for days in inputs[WARM_UP:]:
        t0 = time.perf_counter()
        png = render_stress_chart(days, title)
        times_ms.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(png))

    times_ms.sort()
    median = statistics.median(times_ms)
    mean = statistics.fmean(times_ms)
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}")
    print(f"first chart (builds the template): {first_ms:.1f} ms")
    print(f"renders: {args.n} after {WARM_UP} warm-up")
    print(f"median: {median:.2f} ms")
    print(f"p90:    {percentile(times_ms, 90):.2f} ms")
    print(f"p99:    {percentile(times_ms, 99):.2f} ms")
    print(f"charts/second on one core: {1000 / mean:.0f}")
    print(f"PNG size: median {statistics.median(sizes) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
