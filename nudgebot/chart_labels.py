"""The chart's words, apart from the chart: importing matplotlib costs 0.4 s and 40 MB at
start-up, so nudgebot.charts is only imported when the first chart is drawn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words, so operators can change them with the rest of the content."""

    stress: str = "Daily average stress"
    moved: str = "Moved (run or walk)"
    scale: str = "1 calm … 5 overwhelmed"
    no_data: str = "No ratings in these weeks yet"


DEFAULT_LABELS = ChartLabels()
