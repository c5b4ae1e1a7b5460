"""The weekly summary message, worded from config/summary.toml."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgebot.bot.summary_text import (
    SUMMARY_MAX_CHARS,
    chart_labels,
    chart_title,
    render_summary,
)
from nudgebot.content import Texts, _texts
from nudgebot.domain.summary import DayFacts, MoveChange, WeekSummary, summarize

WEEK_END = date(2024, 3, 10)
TIP = "Keep the pace easy enough that you could talk in full sentences."
TELEGRAM_LIMIT = 4096


@pytest.fixture(scope="module")
def texts() -> Texts:
    # Read the way the bot reads its content files, so a broken key fails here too.
    return _texts("summary.toml", None)


def week(**changes: Any) -> WeekSummary:
    """A full week with enough data for every line, then changed."""
    base = WeekSummary(
        week_start=WEEK_END - timedelta(days=6),
        week_end=WEEK_END,
        threshold=4,
        sent=14,
        answered=12,
        days_checked_in=6,
        avg_stress=2.84,
        prev_avg_stress=3.45,
        avg_change=2.84 - 3.45,
        high_stress_days=2,
        moves=4,
        minutes=75,
        runs=3,
        walks=1,
        helped_pairs=4,
        helped_before_avg=3.75,
        helped_after_avg=2.5,
        helped_avg_change=-1.25,
        move_days_rated=3,
        rest_days_rated=3,
        avg_on_move_days=2.4,
        avg_on_rest_days=3.2,
        empty=False,
    )
    return dataclasses.replace(base, **changes)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_full_week_has_every_part(texts: Texts) -> None:
    text = render_summary(week(), texts, TIP)
    for line in (
        "Your week: Mon 4 Mar to Sun 10 Mar",
        "You answered 12 of 14 check-ins.",
        "You checked in on 6 of 7 days.",
        "Your average stress was 2.8 out of 5.",
        "That's down 0.6 from the week before.",
        "Days when your stress reached 4 or more: 2 of 7.",
        "You got moving 4 times: 3 runs and 1 walk.",
        "That's 75 minutes in all.",
        "After moving, your stress went from 3.8 to 2.5 on average: it dropped by 1.3 points.",
        "On days you moved, your average stress was 2.4; on days you didn't, it was 3.2.",
        f"A tip for the coming week: {TIP}",
    ):
        assert line in text
    assert texts("helped.thin") not in text
    assert "streak" not in text.lower()


def test_plain_text_without_markup_or_leftover_placeholders(texts: Texts) -> None:
    text = render_summary(week(), texts, TIP)
    assert not re.search(r"[*_`\[\]<>{}]", text)
    assert len(text) < TELEGRAM_LIMIT


@pytest.mark.parametrize(
    ("avg", "prev", "wording"),
    [
        (3.0, 3.6, "down 0.6 from the week before"),
        (3.0, 3.05, "about the same as the week before"),
        (3.0, 2.88, "about the same as the week before"),  # 0.1 reads as noise
        (3.4, 3.0, "up 0.4 from the week before"),
        (2.0, 1.0, "up 1.0 from the week before"),
    ],
)
def test_change_against_last_week_in_words(
    texts: Texts, avg: float, prev: float, wording: str
) -> None:
    text = render_summary(
        week(avg_stress=avg, prev_avg_stress=prev, avg_change=avg - prev), texts, ""
    )
    assert wording in text


def test_first_week_promises_a_comparison_next_time(texts: Texts) -> None:
    text = render_summary(week(prev_avg_stress=None, avg_change=None), texts, TIP)
    assert texts("stress.no_previous") in text
    assert "from the week before" not in text


@pytest.mark.parametrize(
    ("before", "after", "wording"),
    [
        (4.0, 2.0, "it dropped by 2.0 points"),
        (3.0, 3.0, "stayed about the same on average (3.0 to 3.0)"),
        (2.0, 2.67, "went from 2.0 to 2.7 on average. That happens"),
    ],
)
def test_what_helped_in_words(texts: Texts, before: float, after: float, wording: str) -> None:
    s = week(helped_before_avg=before, helped_after_avg=after, helped_avg_change=after - before)
    assert wording in render_summary(s, texts, TIP)


def test_thin_data_gets_an_encouraging_line_instead(texts: Texts) -> None:
    thin = week(
        helped_pairs=2,
        helped_before_avg=None,
        helped_after_avg=None,
        helped_avg_change=None,
        move_days_rated=2,
        avg_on_move_days=None,
        avg_on_rest_days=None,
    )
    text = render_summary(thin, texts, TIP)
    assert texts("helped.thin") in text
    assert "After moving" not in text and "On days you moved" not in text


def test_only_the_figures_with_enough_data_are_shown(texts: Texts) -> None:
    s = week(helped_before_avg=None, helped_after_avg=None, helped_avg_change=None)
    text = render_summary(s, texts, TIP)
    assert "On days you moved" in text
    assert "After moving" not in text and texts("helped.thin") not in text


def test_empty_week_gets_a_short_kind_note(texts: Texts) -> None:
    text = render_summary(summarize([], [], WEEK_END, 4), texts, TIP)
    assert text.startswith("Your week: Mon 4 Mar to Sun 10 Mar")
    assert texts("week.empty") in text
    assert "average stress" not in text and TIP not in text
    assert len(text) < 600


def test_week_with_movement_but_no_ratings(texts: Texts) -> None:
    walk = DayFacts(WEEK_END, 0, 0, 0, 0, None, 1, 25, 0, 1)
    text = render_summary(summarize([walk], [], WEEK_END, 4), texts, TIP)
    assert texts("checkins.none_sent") in text
    assert "average stress" not in text
    assert "You got moving 1 time: 1 walk." in text and "That's 25 minutes in all." in text


def test_unanswered_check_ins_are_mentioned_without_blame(texts: Texts) -> None:
    s = week(answered=0, days_checked_in=0, avg_stress=None, avg_change=None)
    text = render_summary(s, texts, TIP)
    assert texts("checkins.none_answered") in text
    assert "0 of" not in text


def test_singular_words(texts: Texts) -> None:
    s = week(sent=1, answered=1, days_checked_in=1, moves=1, runs=1, walks=0, minutes=1)
    text = render_summary(s, texts, TIP)
    assert "You answered 1 of 1 check-in." in text
    assert "You checked in on 1 of 7 days." in text
    assert "You got moving 1 time: 1 run." in text
    assert "That's 1 minute in all." in text


def test_every_day_checked_in_is_thanked_not_scored(texts: Texts) -> None:
    assert texts("checkins.days_all") in render_summary(week(days_checked_in=7), texts, TIP)


def test_no_high_stress_day(texts: Texts) -> None:
    text = render_summary(week(high_stress_days=0, threshold=5), texts, TIP)
    assert "No day reached 5 or more." in text


def test_extreme_values_stay_within_one_message(texts: Texts) -> None:
    huge = 10**12
    s = week(sent=huge, answered=huge, moves=huge, runs=huge, walks=huge, minutes=huge)
    for tip in ("", TIP, "x" * 10_000, "🏃‍♀️ " * 3_000, "\n".join(["line"] * 5_000)):
        text = render_summary(s, texts, tip)
        assert utf16_len(text) <= SUMMARY_MAX_CHARS < TELEGRAM_LIMIT
        assert text.startswith("Your week:")


def test_a_cut_message_says_so(texts: Texts) -> None:
    text = render_summary(week(), texts, "🙂" * 5_000)
    assert text.endswith("…")
    assert utf16_len(text) <= SUMMARY_MAX_CHARS
    text.encode("utf-8")  # no half of a surrogate pair left behind


def test_an_operators_long_wording_is_cut_not_refused(texts: Texts) -> None:
    wordy = Texts({**texts.entries, "week.closing": "Take care. " * 1_000})
    assert utf16_len(render_summary(week(), wordy, TIP)) <= SUMMARY_MAX_CHARS


day_facts = st.builds(
    lambda offset, ratings, extra, runs, walks, minutes: DayFacts(
        local_date=WEEK_END - timedelta(days=offset),
        sent=len(ratings) + extra,
        answered=len(ratings),
        rating_sum=sum(ratings),
        rating_count=len(ratings),
        max_rating=max(ratings) if ratings else None,
        moves=runs + walks,
        minutes=minutes * (runs + walks),
        runs=runs,
        walks=walks,
    ),
    st.integers(0, 13),
    st.lists(st.integers(1, 5), max_size=5),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 90),
)


@settings(max_examples=200)
@given(
    days=st.lists(day_facts, max_size=20),
    changes=st.lists(st.builds(MoveChange, st.integers(1, 5), st.integers(1, 5)), max_size=6),
    threshold=st.integers(1, 5),
)
def test_any_week_renders(
    texts: Texts, days: list[DayFacts], changes: list[MoveChange], threshold: int
) -> None:
    text = render_summary(summarize(days, changes, WEEK_END, threshold), texts, TIP)
    assert "{" not in text and "}" not in text
    assert not re.search(r"\d\.\d\d", text), "numbers have one decimal"
    assert 0 < utf16_len(text) <= SUMMARY_MAX_CHARS


def test_chart_words_come_from_the_same_file(texts: Texts) -> None:
    labels = chart_labels(texts)
    assert labels.stress == texts("chart.stress") and labels.no_data == texts("chart.no_data")
    start = WEEK_END - timedelta(days=27)
    assert chart_title(texts, start, WEEK_END) == "Your stress, Mon 12 Feb to Sun 10 Mar"
