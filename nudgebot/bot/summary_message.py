"""The weekly summary as Telegram shows it: the text, then the chart."""

from __future__ import annotations

from dataclasses import dataclass

from nudgebot.bot.summary_text import chart_labels, chart_title, render_summary
from nudgebot.content import Content
from nudgebot.domain.nudges import pick
from nudgebot.services.summaries import WeeklyReport


@dataclass(frozen=True)
class SummaryMessage:
    text: str
    chart_png: bytes | None  # no chart for a week with nothing in it
    chart_caption: str


async def compose(content: Content, report: WeeklyReport) -> SummaryMessage:
    tip = pick(content.nudges.items("tips"), report.seed)
    text = render_summary(report.summary, content.summary, tip)
    if report.summary.empty and not any(d.avg_rating for d in report.chart):
        return SummaryMessage(text, None, "")
    title = chart_title(content.summary, report.chart[0].local_date, report.chart[-1].local_date)
    # Imported here: matplotlib costs 0.4 s and 40 MB, which a bot that has drawn no chart yet
    # need not pay at start-up.
    from nudgebot.charts import render_stress_chart_async

    png = await render_stress_chart_async(report.chart, title, chart_labels(content.summary))
    return SummaryMessage(text, png, title)
