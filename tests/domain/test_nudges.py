"""Tests for the suggestion policy, its helpers, and the content file it draws words from."""

from __future__ import annotations

import dataclasses
import itertools
import re
import string
import tomllib
from datetime import UTC, date, time, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.nudges import (
    BACKOFF_AFTER,
    DURATION_CHOICES,
    EVENING_FROM,
    FOLLOWUP_MARGIN,
    NIGHT_UNTIL,
    DayStress,
    NudgeContext,
    Preference,
    QuietHours,
    Suggestion,
    SuggestionKind,
    backoff_bar,
    choose_suggestion,
    followup_delay,
    format_minutes,
    is_night,
    needs_professional_nudge,
    pick,
)

NUDGES_TOML = Path(__file__).resolve().parents[2] / "config" / "nudges.toml"
PREFERENCES: tuple[Preference, ...] = get_args(Preference)
KINDS: tuple[SuggestionKind, ...] = get_args(SuggestionKind)
NOON = time(12, 0)
TODAY = date(2024, 3, 20)


def ctx(**changes: Any) -> NudgeContext:
    """A context that gets a steady run (high rating, midday, nothing held back), then changed."""
    base = NudgeContext(
        rating=4,
        local_time=NOON,
        quiet_hours=None,
        preference="either",
        low_energy=False,
        unsolicited_today=0,
        declines_in_row=0,
        days_since_last_unsolicited=None,
        solicited=False,
    )
    return dataclasses.replace(base, **changes)


def backing_off(**changes: Any) -> NudgeContext:
    return ctx(**{"declines_in_row": BACKOFF_AFTER, "rating": 5, **changes})


# --- quiet hours and night -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "inside"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 59, 59), True),
        (time(0, 0), True),
        (time(3, 0), True),
        (time(6, 59, 59, 999999), True),
        (time(7, 0), False),
        (NOON, False),
    ],
)
def test_quiet_hours_across_midnight(t: time, inside: bool) -> None:
    assert QuietHours(time(22, 0), time(7, 0)).contains(t) is inside


@pytest.mark.parametrize(
    ("t", "inside"),
    [(time(12, 59), False), (time(13, 0), True), (time(14, 30), True), (time(15, 0), False)],
)
def test_quiet_hours_within_a_day(t: time, inside: bool) -> None:
    assert QuietHours(time(13, 0), time(15, 0)).contains(t) is inside


@given(st.times(), st.times())
def test_quiet_hours_with_equal_ends_are_empty(start: time, t: time) -> None:
    assert not QuietHours(start, start).contains(t)


@given(st.times(), st.times(), st.times())
def test_quiet_hours_wrapping_is_the_complement_of_the_reverse(
    start: time, end: time, t: time
) -> None:
    if start != end:
        assert QuietHours(start, end).contains(t) != QuietHours(end, start).contains(t)


def test_aware_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        QuietHours(time(22, 0, tzinfo=UTC), time(7, 0))
    with pytest.raises(ValueError, match="naive"):
        ctx(local_time=time(12, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("t", "night"),
    [
        (time(20, 59, 59), False),
        (EVENING_FROM, True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(5, 29, 59), True),
        (NIGHT_UNTIL, False),
        (time(6, 0), False),
        (NOON, False),
    ],
)
def test_night_bounds(t: time, night: bool) -> None:
    assert is_night(t) is night


# --- whether to suggest ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "threshold", "suggests"),
    [(3, 4, False), (4, 4, True), (5, 4, True), (2, 3, False), (3, 3, True), (4, 5, False)],
)
def test_threshold(rating: int, threshold: int, suggests: bool) -> None:
    assert (choose_suggestion(ctx(rating=rating, threshold=threshold)) is not None) is suggests


def test_default_threshold_is_four_and_default_cap_is_one() -> None:
    assert choose_suggestion(ctx(rating=3)) is None
    assert choose_suggestion(ctx(rating=4, unsolicited_today=1)) is None


@pytest.mark.parametrize(
    ("already", "cap", "suggests"),
    [(0, 1, True), (1, 1, False), (1, 2, True), (2, 2, False), (0, 0, False)],
)
def test_daily_cap(already: int, cap: int, suggests: bool) -> None:
    result = choose_suggestion(ctx(unsolicited_today=already, daily_cap=cap))
    assert (result is not None) is suggests


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_solicited_ignores_threshold_cap_and_backoff(rating: int) -> None:
    asked = ctx(
        rating=rating,
        solicited=True,
        unsolicited_today=5,
        declines_in_row=10,
        days_since_last_unsolicited=0,
    )
    assert choose_suggestion(asked) == Suggestion("steady_run", (10, 15), gentle=False)


@pytest.mark.parametrize("t", [time(21, 30), time(2, 0)])
def test_solicited_is_still_calm_at_night(t: time) -> None:
    assert choose_suggestion(ctx(solicited=True, local_time=t)) == Suggestion(
        "breathing_walk", (5, 10), gentle=False
    )


def test_solicited_is_still_calm_in_quiet_hours() -> None:
    asked = ctx(solicited=True, quiet_hours=QuietHours(time(11, 0), time(13, 0)))
    result = choose_suggestion(asked)
    assert result is not None
    assert result.kind == "breathing_walk"


# --- what to suggest -------------------------------------------------------------------------


@pytest.mark.parametrize("preference", ["run", "either"])
def test_steady_run_by_day(preference: Preference) -> None:
    assert choose_suggestion(ctx(preference=preference)) == Suggestion(
        "steady_run", (10, 15), gentle=False
    )


def test_walk_preference_gives_walk_run() -> None:
    assert choose_suggestion(ctx(preference="walk")) == Suggestion(
        "walk_run", (10, 20), gentle=False
    )


@pytest.mark.parametrize("preference", PREFERENCES)
def test_low_energy_gives_walk_run(preference: Preference) -> None:
    result = choose_suggestion(ctx(preference=preference, low_energy=True))
    assert result == Suggestion("walk_run", (10, 20), gentle=False)


@pytest.mark.parametrize(
    ("t", "kind"),
    [
        (time(5, 29), "breathing_walk"),
        (time(5, 30), "steady_run"),
        (time(20, 59), "steady_run"),
        (time(21, 0), "breathing_walk"),
        (time(23, 45), "breathing_walk"),
        (time(0, 15), "breathing_walk"),
    ],
)
def test_hour_of_day(t: time, kind: SuggestionKind) -> None:
    result = choose_suggestion(ctx(local_time=t, preference="run"))
    assert result is not None
    assert result.kind == kind


@pytest.mark.parametrize(
    ("t", "kind"),
    [(time(19, 59), "steady_run"), (time(20, 0), "breathing_walk"), (time(6, 0), "breathing_walk")],
)
def test_quiet_hours_across_midnight_give_a_breathing_walk(t: time, kind: SuggestionKind) -> None:
    quiet = QuietHours(time(20, 0), time(7, 0))
    result = choose_suggestion(ctx(local_time=t, quiet_hours=quiet))
    assert result is not None
    assert result.kind == kind


def test_quiet_hours_during_the_day_give_a_breathing_walk() -> None:
    result = choose_suggestion(ctx(quiet_hours=QuietHours(time(11, 0), time(14, 0))))
    assert result == Suggestion("breathing_walk", (5, 10), gentle=False)


def test_empty_quiet_hours_change_nothing() -> None:
    result = choose_suggestion(ctx(quiet_hours=QuietHours(NOON, NOON)))
    assert result is not None
    assert result.kind == "steady_run"


# --- back-off --------------------------------------------------------------------------------


def test_backoff_starts_at_the_third_decline() -> None:
    assert choose_suggestion(ctx(rating=4, declines_in_row=BACKOFF_AFTER - 1)) is not None
    assert choose_suggestion(ctx(rating=4, declines_in_row=BACKOFF_AFTER)) is None


@pytest.mark.parametrize(("threshold", "bar"), [(1, 2), (3, 4), (4, 5), (5, 5)])
def test_backoff_bar(threshold: int, bar: int) -> None:
    assert backoff_bar(threshold) == bar
    assert choose_suggestion(backing_off(threshold=threshold, rating=bar)) is not None
    if bar - 1 >= threshold:
        assert choose_suggestion(backing_off(threshold=threshold, rating=bar - 1)) is None


@pytest.mark.parametrize(
    ("days", "suggests"), [(None, True), (0, False), (1, False), (2, True), (9, True)]
)
def test_backoff_every_other_day_at_most(days: int | None, suggests: bool) -> None:
    result = choose_suggestion(backing_off(days_since_last_unsolicited=days))
    assert (result is not None) is suggests


def test_backoff_still_respects_the_daily_cap() -> None:
    assert choose_suggestion(backing_off(unsolicited_today=1)) is None


@pytest.mark.parametrize("preference", PREFERENCES)
def test_backoff_is_gentler_and_shorter(preference: Preference) -> None:
    result = choose_suggestion(backing_off(preference=preference))
    assert result == Suggestion("walk_run", (5, 10), gentle=True)
    normal = choose_suggestion(ctx(rating=5, preference=preference))
    assert normal is not None
    assert result.minutes[1] < normal.minutes[1]


def test_backoff_at_night_is_a_short_gentle_breathing_walk() -> None:
    result = choose_suggestion(backing_off(local_time=time(22, 30)))
    assert result == Suggestion("breathing_walk", (3, 5), gentle=True)


def test_backoff_ends_when_a_suggestion_is_accepted() -> None:
    # Accepting resets the caller's declines_in_row to 0: a 4 then counts again, at full length.
    assert choose_suggestion(backing_off(rating=4, days_since_last_unsolicited=1)) is None
    recovered = backing_off(rating=4, days_since_last_unsolicited=1, declines_in_row=0)
    assert choose_suggestion(recovered) == Suggestion("steady_run", (10, 15), gentle=False)


def test_asking_while_backing_off_gets_the_normal_suggestion() -> None:
    result = choose_suggestion(backing_off(solicited=True, rating=2))
    assert result == Suggestion("steady_run", (10, 15), gentle=False)


# --- properties ------------------------------------------------------------------------------

quiet_hours = st.none() | st.builds(QuietHours, st.times(), st.times())
contexts = st.builds(
    NudgeContext,
    rating=st.integers(1, 5),
    threshold=st.integers(1, 5),
    local_time=st.times(),
    quiet_hours=quiet_hours,
    preference=st.sampled_from(PREFERENCES),
    low_energy=st.booleans(),
    unsolicited_today=st.integers(0, 3),
    daily_cap=st.integers(0, 3),
    declines_in_row=st.integers(0, 6),
    days_since_last_unsolicited=st.none() | st.integers(0, 5),
    solicited=st.booleans(),
)


@given(contexts)
def test_never_a_run_late_or_in_quiet_hours(c: NudgeContext) -> None:
    result = choose_suggestion(c)
    quiet = c.quiet_hours is not None and c.quiet_hours.contains(c.local_time)
    if result is not None and (is_night(c.local_time) or quiet):
        assert result.kind == "breathing_walk"


@given(contexts)
def test_policy_invariants(c: NudgeContext) -> None:
    result = choose_suggestion(c)
    if c.solicited:
        assert result is not None
    if result is None:
        return
    low, high = result.minutes
    assert 0 < low <= high
    if not c.solicited:
        assert c.rating >= c.threshold
        assert c.unsolicited_today < c.daily_cap
    if c.preference == "walk" or c.low_energy or result.gentle:
        assert result.kind != "steady_run"
    assert result.gentle is (c.declines_in_row >= BACKOFF_AFTER and not c.solicited)


@pytest.mark.parametrize(
    "changes",
    [
        {"rating": 0},
        {"rating": 6},
        {"threshold": 0},
        {"threshold": 6},
        {"unsolicited_today": -1},
        {"daily_cap": -1},
        {"declines_in_row": -1},
        {"days_since_last_unsolicited": -1},
        {"preference": "swim"},
    ],
)
def test_context_rejects_nonsense(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ctx(**changes)


# --- follow-up timing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "setting", "expected"),
    [
        (None, 45, 45),
        (10, 45, 45),
        (30, 45, 45),
        (40, 45, 45),
        (41, 45, 46),
        (30, 1, 35),
        (None, 1, 1),
        (0, 0, 5),
    ],
)
def test_followup_delay(chosen: int | None, setting: int, expected: int) -> None:
    assert followup_delay(chosen, setting) == timedelta(minutes=expected)


def test_followup_margin_is_five_minutes() -> None:
    assert timedelta(minutes=5) == FOLLOWUP_MARGIN


@pytest.mark.parametrize(("chosen", "setting"), [(-1, 45), (10, -1)])
def test_followup_delay_rejects_negatives(chosen: int, setting: int) -> None:
    with pytest.raises(ValueError):
        followup_delay(chosen, setting)


# --- wording helpers -------------------------------------------------------------------------


@given(st.lists(st.text(), min_size=1, max_size=20), st.integers())
def test_pick_is_deterministic_and_from_the_options(options: list[str], seed: int) -> None:
    assert pick(options, seed) == pick(list(options), seed)
    assert pick(options, seed) in options


@given(st.integers(2, 20), st.integers(-(10**9), 10**9))
def test_pick_changes_from_one_seed_to_the_next(n: int, seed: int) -> None:
    options = [f"option {i}" for i in range(n)]
    assert pick(options, seed) != pick(options, seed + 1)
    # Over a run of len(options) consecutive days every text appears once.
    assert {pick(options, seed + k) for k in range(n)} == set(options)


def test_pick_with_one_option() -> None:
    assert pick(["only"], 123) == "only"


def test_pick_refuses_empty_and_bare_strings() -> None:
    with pytest.raises(ValueError):
        pick([], 1)
    with pytest.raises(TypeError):
        pick("a single text", 1)


def test_pick_varies_across_a_week_for_a_user() -> None:
    options = ["a", "b", "c", "d"]
    user_id = 987654321
    week = [pick(options, user_id + (TODAY + timedelta(days=d)).toordinal()) for d in range(7)]
    assert all(a != b for a, b in itertools.pairwise(week))


@pytest.mark.parametrize(("minutes", "text"), [((10, 15), "10–15"), ((5, 5), "5")])
def test_format_minutes(minutes: tuple[int, int], text: str) -> None:
    assert format_minutes(minutes) == text


# --- professional help -----------------------------------------------------------------------


def days_with(ratings: dict[int, int]) -> list[DayStress]:
    """DayStress rows keyed by how many days before TODAY they fall."""
    return [DayStress(TODAY - timedelta(days=ago), rating) for ago, rating in ratings.items()]


def test_high_on_most_of_two_weeks() -> None:
    # 10 days answered, 8 of them high.
    ratings = {ago: 4 for ago in range(8)} | {8: 2, 9: 2}
    assert needs_professional_nudge(days_with(ratings), TODAY, 4)


def test_seven_high_days_are_not_enough() -> None:
    ratings = {ago: 5 for ago in range(7)} | {ago: 2 for ago in range(7, 14)}
    assert not needs_professional_nudge(days_with(ratings), TODAY, 4)


def test_too_few_days_answered() -> None:
    # Nine answered days, all high: too little to go on.
    assert not needs_professional_nudge(days_with({ago: 5 for ago in range(9)}), TODAY, 4)


def test_days_outside_the_window_do_not_count() -> None:
    # Seven high days inside the window; high days 14 and 20 days back (outside it) and one
    # dated tomorrow must not make up the eighth, but one 13 days back (the window's edge) does.
    inside = {ago: 4 for ago in range(1, 8)} | {8: 1, 9: 1, 10: 1}
    outside = [*days_with({14: 5, 20: 5}), DayStress(TODAY + timedelta(days=1), 5)]
    assert not needs_professional_nudge(days_with(inside) + outside, TODAY, 4)
    assert needs_professional_nudge(days_with(inside | {13: 4}), TODAY, 4)


def test_the_threshold_is_the_users() -> None:
    ratings = {ago: 3 for ago in range(14)}
    assert needs_professional_nudge(days_with(ratings), TODAY, 3)
    assert not needs_professional_nudge(days_with(ratings), TODAY, 4)


def test_several_rows_for_one_day_count_once_at_their_highest() -> None:
    rows = [DayStress(TODAY - timedelta(days=ago), 2) for ago in range(10)]
    rows += [DayStress(TODAY - timedelta(days=ago), 5) for ago in range(8)]
    rows += [DayStress(TODAY, 1)] * 5
    assert needs_professional_nudge(rows, TODAY, 4)
    # Duplicates of one high day do not make up for missing days.
    assert not needs_professional_nudge([DayStress(TODAY, 5)] * 14, TODAY, 4)


def test_empty_history() -> None:
    assert not needs_professional_nudge([], TODAY, 4)


# --- the content file ------------------------------------------------------------------------

DOCUMENTED = {"minutes", "before", "after", "text", "tip"}
DUMMY = {"minutes": "10–15", "before": 4, "after": 2, "text": "TEXT", "tip": "TIP"}


def load_nudges() -> dict[str, Any]:
    with NUDGES_TOML.open("rb") as fh:
        return tomllib.load(fh)


def all_strings(node: object, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [item for k, v in node.items() for item in all_strings(v, f"{path}.{k}".lstrip("."))]
    if isinstance(node, list):
        return [item for i, v in enumerate(node) for item in all_strings(v, f"{path}[{i}]")]
    return []


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_kind_has_varied_texts() -> None:
    kinds = load_nudges()["kinds"]
    assert set(kinds) == set(KINDS)
    for kind in KINDS:
        texts = kinds[kind]["texts"]
        assert len(texts) >= 4, kind
        assert len(set(texts)) == len(texts), kind


def test_gentle_texts_for_every_kind_the_backoff_can_choose() -> None:
    kinds = load_nudges()["kinds"]
    for kind in ("walk_run", "breathing_walk"):
        assert len(kinds[kind]["gentle"]) >= 4, kind


def test_enough_tips() -> None:
    tips = load_nudges()["tips"]
    assert len(tips) >= 10
    assert len(set(tips)) == len(tips)


def test_placeholders_are_documented_and_format() -> None:
    raw = NUDGES_TOML.read_text(encoding="utf-8")
    header = "\n".join(line for line in raw.splitlines() if line.startswith("#"))
    for name in DOCUMENTED:
        assert "{" + name + "}" in header
    for path, template in all_strings(load_nudges()):
        assert fields(template) <= DOCUMENTED, path
        template.format(**DUMMY)


def test_suggestion_texts_use_minutes_only() -> None:
    for kind, table in load_nudges()["kinds"].items():
        for key in ("texts", "gentle"):
            for text in table.get(key, []):
                assert fields(text) <= {"minutes"}, (kind, text)


def test_breathing_walk_never_mentions_running() -> None:
    table = load_nudges()["kinds"]["breathing_walk"]
    for text in table["texts"] + table["gentle"]:
        assert not re.search(r"\b(run|jog)", text, re.IGNORECASE), text


def test_texts_the_handlers_need() -> None:
    data = load_nudges()
    assert fields(data["suggestion"]["layout"]) == {"text", "tip"}
    for key in ("going_now_button", "in_an_hour_button", "not_today_button"):
        assert data["suggestion"][key]
    assert fields(data["going"]["duration_button"]) == {"minutes"}
    for choice in DURATION_CHOICES:
        data["going"]["duration_button"].format(minutes=choice)
    assert data["going"]["ask_duration"] and data["going"]["ack"]
    assert data["snooze"]["ack"] and data["snooze"]["again"]
    assert len(data["decline"]["ack"]) >= 3
    followup = data["followup"]
    for key in ("question", "ran_button", "walked_button", "didnt_button", "ask_stress_after"):
        assert followup[key]
    for key in ("result_lower", "result_same", "result_higher"):
        assert "{before} → {after}" in followup[key]
    assert len(followup["didnt_make_it"]) >= 3
    professional = data["professional"]["text"].casefold()
    assert "doctor" in professional and "therapist" in professional


def test_plain_text_only() -> None:
    for path, text in all_strings(load_nudges()):
        assert not re.search(r"[*_`<>]|\]\(", text), path
