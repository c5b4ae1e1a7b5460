"""Tests for reading a stress rating from a reply."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.ratings import RATING_MAX, RATING_MIN, parse_rating


def test_bounds() -> None:
    assert (RATING_MIN, RATING_MAX) == (1, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("3", 3),
        ("5", 5),
        (" 3 ", 3),
        ("\n4\n", 4),
        ("03", 3),
        ("3.", 3),
        ("3!", 3),
        ("3!!", 3),
        ("3/5", 3),
        ("3 / 5", 3),
        ("3 of 5", 3),
        ("3 OF 5", 3),
        ("3 out of 5", 3),
        ("3/5!", 3),
        ("one", 1),
        ("Two", 2),
        ("THREE", 3),
        ("four.", 4),
        ("five!", 5),
        ("three of five", 3),
        ("3\ufe0f\u20e3", 3),
        ("3\u20e3", 3),
    ],
)
def test_parse_rating_accepts(text: str, expected: int) -> None:
    assert parse_rating(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "0",
        "6",
        "13",
        "-3",
        "+3",
        "3.5",
        "3,5",
        "2-3",
        "3/10",
        "3 of 10",
        "6/5",
        "zero",
        "six",
        "I feel 3 today",
        "3 today",
        "about 3",
        "3?",
        "three point five",
        "３",
        "٣",
        "3 3",
        "/5",
    ],
)
def test_parse_rating_rejects(text: str) -> None:
    assert parse_rating(text) is None


@given(st.integers(RATING_MIN, RATING_MAX), st.sampled_from(["{}", " {} ", "{}.", "{}/5"]))
def test_every_rating_round_trips(value: int, template: str) -> None:
    assert parse_rating(template.format(value)) == value


@given(st.text(max_size=20))
def test_parse_rating_never_raises_and_stays_in_range(text: str) -> None:
    result = parse_rating(text)
    assert result is None or RATING_MIN <= result <= RATING_MAX


@given(st.integers().filter(lambda n: not RATING_MIN <= n <= RATING_MAX))
def test_out_of_range_numbers_are_rejected(value: int) -> None:
    assert parse_rating(str(value)) is None
