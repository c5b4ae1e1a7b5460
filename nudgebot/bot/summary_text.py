"""The weekly summary as a chat message, and the chart's words, from config/summary.toml."""

from __future__ import annotations

from datetime import date

from nudgebot.chart_labels import ChartLabels
from nudgebot.content import Texts
from nudgebot.domain.summary import WeekSummary

__all__ = [
    "SAME_BAND",
    "SUMMARY_MAX_CHARS",
    "chart_labels",
    "chart_title",
    "render_summary",
]

# Telegram allows 4,096 characters (UTF-16 code units) in a message; the margin leaves room for an
# operator's longer wording without a last-minute cut.
SUMMARY_MAX_CHARS = 4000
# A change smaller than this reads as "about the same": at one decimal, 0.1 is noise, not news.
SAME_BAND = 0.2
_ELLIPSIS = "…"


def _one_decimal(value: float) -> str:
    return f"{value:.1f}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _word(texts: Texts, key: str, count: int) -> str:
    singular, plural = texts.items(f"words.{key}")[:2]
    return singular if count == 1 else plural


def _direction(change: float) -> str:
    """Which way a change reads: judged on the figure as shown, so the words match the number."""
    shown = round(abs(change), 1)
    if shown < SAME_BAND:
        return "same"
    return "down" if change < 0 else "up"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int = SUMMARY_MAX_CHARS) -> str:
    """text, cut with an ellipsis if it would not fit in one message."""
    if _utf16_len(text) <= limit:
        return text
    # Cutting the UTF-16 form counts as Telegram counts; a split surrogate pair is dropped whole.
    head = text.encode("utf-16-le")[: 2 * (limit - len(_ELLIPSIS))]
    return head.decode("utf-16-le", errors="ignore").rstrip() + _ELLIPSIS


def _checkins(s: WeekSummary, texts: Texts) -> list[str]:
    lines = [texts("checkins.heading")]
    if s.answered > 0:
        word = _word(texts, "checkins", s.sent)
        lines.append(texts("checkins.answered", answered=s.answered, sent=s.sent, checkins=word))
    elif s.sent > 0:
        lines.append(texts("checkins.none_answered"))
    else:
        lines.append(texts("checkins.none_sent"))
    if s.days_checked_in >= 7:
        lines.append(texts("checkins.days_all"))
    elif s.days_checked_in > 0:
        lines.append(texts("checkins.days", days=s.days_checked_in))
    return lines


def _stress(s: WeekSummary, texts: Texts) -> list[str]:
    if s.avg_stress is None:
        return []
    lines = [texts("stress.heading"), texts("stress.average", avg=_one_decimal(s.avg_stress))]
    if s.avg_change is None:
        lines.append(texts("stress.no_previous"))
    else:
        change = _one_decimal(abs(s.avg_change))
        lines.append(texts(f"stress.{_direction(s.avg_change)}", change=change))
    if s.high_stress_days > 0:
        lines.append(texts("stress.high_days", threshold=s.threshold, count=s.high_stress_days))
    else:
        lines.append(texts("stress.high_none", threshold=s.threshold))
    return lines


def _movement(s: WeekSummary, texts: Texts) -> list[str]:
    lines = [texts("movement.heading")]
    if s.moves == 0:
        return [*lines, texts("movement.none")]
    runs = f"{s.runs} {_word(texts, 'runs', s.runs)}"
    walks = f"{s.walks} {_word(texts, 'walks', s.walks)}"
    times = _word(texts, "times", s.moves)
    if s.runs and s.walks:
        kinds = texts("movement.both", runs=runs, walks=walks)
        lines.append(texts("movement.count", moves=s.moves, times=times, kinds=kinds))
    elif s.runs or s.walks:
        kinds = runs if s.runs else walks
        lines.append(texts("movement.count", moves=s.moves, times=times, kinds=kinds))
    else:
        lines.append(texts("movement.count_plain", moves=s.moves, times=times))
    if s.minutes > 0:
        word = _word(texts, "minutes", s.minutes)
        lines.append(texts("movement.minutes", minutes=s.minutes, minutes_word=word))
    return lines


def _helped(s: WeekSummary, texts: Texts) -> list[str]:
    lines = [texts("helped.heading")]
    if s.helped_before_avg is not None and s.helped_after_avg is not None:
        # The change is taken from the two figures as shown, so the sentence adds up on its own.
        before = round(s.helped_before_avg, 1)
        after = round(s.helped_after_avg, 1)
        change = after - before
        lines.append(
            texts(
                f"helped.{_direction(change)}",
                before=_one_decimal(before),
                after=_one_decimal(after),
                change=_one_decimal(abs(change)),
            )
        )
    if s.avg_on_move_days is not None and s.avg_on_rest_days is not None:
        lines.append(
            texts(
                "helped.days",
                move=_one_decimal(s.avg_on_move_days),
                rest=_one_decimal(s.avg_on_rest_days),
            )
        )
    if len(lines) == 1:
        lines.append(texts("helped.thin"))
    return lines


def render_summary(summary: WeekSummary, texts: Texts, tip: str) -> str:
    """The summary message: plain text, short enough for one Telegram message."""
    title = texts("week.title", start=_day(summary.week_start), end=_day(summary.week_end))
    if summary.empty:
        sections = [[title], [texts("week.empty")]]
    else:
        sections = _sections(summary, texts, tip, title)
    text = _fit("\n\n".join("\n".join(lines) for lines in sections if lines))
    assert _utf16_len(text) <= SUMMARY_MAX_CHARS
    return text


def _sections(summary: WeekSummary, texts: Texts, tip: str, title: str) -> list[list[str]]:
    return [
        [title],
        _checkins(summary, texts),
        _stress(summary, texts),
        _movement(summary, texts),
        _helped(summary, texts),
        [texts("tip.line", tip=tip)] if tip.strip() else [],
        [texts("week.closing")],
    ]


def chart_labels(texts: Texts) -> ChartLabels:
    return ChartLabels(
        stress=texts("chart.stress"),
        moved=texts("chart.moved"),
        scale=texts("chart.scale"),
        no_data=texts("chart.no_data"),
    )


def chart_title(texts: Texts, start: date, end: date) -> str:
    return texts("chart.title", start=_day(start), end=_day(end))
