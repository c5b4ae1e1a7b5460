"""Tests for resolving typed time zones and loading canonical zone names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.zones import UnknownZone, load_zone, resolve_zone

WINTER = datetime(2025, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2025, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # IANA names in any case, with spaces for underscores.
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("America / New York", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("America/Port-au-Prince", "America/Port-au-Prince"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        # Cities, accent- and punctuation-insensitive.
        ("berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("  New   York  ", "America/New_York"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("são paulo", "America/Sao_Paulo"),
        ("SÃO PAULO", "America/Sao_Paulo"),
        ("Port au Prince", "America/Port-au-Prince"),
        ("St. John's", "America/St_Johns"),
        ("ho chi minh", "Asia/Ho_Chi_Minh"),
        ("Kolkata", "Asia/Kolkata"),
        ("Lord Howe", "Australia/Lord_Howe"),
        ("Berlin, Germany", "Europe/Berlin"),
        # Ambiguous cities prefer the current canonical zone over backward-compatibility links.
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Louisville", "America/Kentucky/Louisville"),
        ("Istanbul", "Europe/Istanbul"),
        ("Nicosia", "Asia/Nicosia"),
        # Renamed cities and deprecated names map to the current spelling.
        ("Calcutta", "Asia/Kolkata"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Kiev", "Europe/Kyiv"),
        ("Saigon", "Asia/Ho_Chi_Minh"),
        ("Rangoon", "Asia/Yangon"),
        ("America/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Asia/Istanbul", "Europe/Istanbul"),
        ("US/Eastern", "America/New_York"),
        ("us/pacific", "America/Los_Angeles"),
        ("Japan", "Asia/Tokyo"),
        ("Singapore", "Asia/Singapore"),
        ("Pacific/Samoa", "Pacific/Pago_Pago"),
        ("Australia/Victoria", "Australia/Melbourne"),
        # Offsets and UTC spellings.
        ("UTC+2", "UTC+02:00"),
        ("utc+2", "UTC+02:00"),
        ("GMT-5", "UTC-05:00"),
        ("gmt -5", "UTC-05:00"),
        ("+2", "UTC+02:00"),
        ("-05:30", "UTC-05:30"),
        ("UTC+5:30", "UTC+05:30"),
        ("UTC +05:30", "UTC+05:30"),
        ("UTC+0530", "UTC+05:30"),
        ("UTC+530", "UTC+05:30"),
        ("UTC+05:45", "UTC+05:45"),
        ("UTC−3", "UTC-03:00"),
        ("UTC–3", "UTC-03:00"),
        ("UTC+14", "UTC+14:00"),
        ("UTC-12", "UTC-12:00"),
        ("UTC+02:00", "UTC+02:00"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("z", "UTC"),
        ("UTC+0", "UTC"),
        ("UTC-0", "UTC"),
        ("+00:00", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Etc/GMT", "UTC"),
        ("Zulu", "UTC"),
        ("Universal", "UTC"),
        # POSIX-style Etc names have inverted signs; the stored name must not.
        ("Etc/GMT+5", "UTC-05:00"),
        ("Etc/GMT-14", "UTC+14:00"),
    ],
)
def test_resolve_zone(text: str, expected: str) -> None:
    assert resolve_zone(text) == expected


ALIASES = {"munich": "Europe/Berlin", "delhi": "Asia/Kolkata", "bombay": "Asia/Kolkata"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("munich", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("MUNICH", "Europe/Berlin"),
        (" Delhi ", "Asia/Kolkata"),
        ("Munich, Bavaria", "Europe/Berlin"),
        # Aliases do not get in the way of everything else.
        ("berlin", "Europe/Berlin"),
        ("UTC+1", "UTC+01:00"),
    ],
)
def test_resolve_zone_with_aliases(text: str, expected: str) -> None:
    assert resolve_zone(text, ALIASES) == expected


def test_aliases_take_precedence_over_built_in_names() -> None:
    aliases = {"est": "America/New_York", "paris": "America/Chicago"}
    assert resolve_zone("EST", aliases) == "America/New_York"
    assert resolve_zone("Paris", aliases) == "America/Chicago"
    assert resolve_zone("EST") == "EST"


def test_alias_keys_match_without_accents_or_case() -> None:
    assert resolve_zone("Zürich", {"zurich": "Europe/Zurich"}) == "Europe/Zurich"
    assert resolve_zone("zurich", {"Zürich": "Europe/Zurich"}) == "Europe/Zurich"


def test_alias_targets_are_canonicalised() -> None:
    aliases = {"calcutta town": "asia/calcutta", "office": "UTC+5:30", "home": "berlin"}
    assert resolve_zone("calcutta town", aliases) == "Asia/Kolkata"
    assert resolve_zone("office", aliases) == "UTC+05:30"
    assert resolve_zone("home", aliases) == "Europe/Berlin"


def test_broken_alias_is_ignored() -> None:
    aliases = {"berlin": "Mars/Olympus_Mons", "oslo": "UTC+99"}
    assert resolve_zone("berlin", aliases) == "Europe/Berlin"
    assert resolve_zone("oslo", aliases) == "Europe/Oslo"
    with pytest.raises(UnknownZone):
        resolve_zone("nowhere", {"nowhere": "Mars/Olympus_Mons"})


def test_aliases_are_not_consulted_without_a_mapping() -> None:
    with pytest.raises(UnknownZone):
        resolve_zone("munich")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Atlantis",
        "Mars/Olympus",
        "xyzzy",
        "Germany/Berlin",
        "Europe",
        "Pacific",
        "Eastern",
        "victoria",
        "UTC+15",
        "UTC-13",
        "UTC+14:15",
        "UTC+5:20",
        "UTC+05:60",
        "UTC+99",
        "+",
        "UTC+",
        "8",
        "Factory",
        "localtime",
        "posixrules",
        "posix/Europe/Berlin",
        "right/UTC",
    ],
)
def test_resolve_zone_rejects(text: str) -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone(text)
    assert caught.value.text == text
    assert len(caught.value.suggestions) <= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlinn", "Europe/Berlin"),
        ("Nwe York", "America/New_York"),
        ("Londn", "Europe/London"),
        ("Europe/Berln", "Europe/Berlin"),
        ("Germany/Berlin", "Europe/Berlin"),
        ("Sidney", "Australia/Sydney"),
        ("US/Easten", "America/New_York"),
    ],
)
def test_unknown_zone_suggests_close_names(text: str, expected: str) -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone(text)
    assert expected in caught.value.suggestions


def test_unknown_zone_suggests_via_aliases() -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone("Munih", {"munich": "Europe/Berlin"})
    assert caught.value.suggestions[0] == "Europe/Berlin"


@pytest.mark.parametrize("text", ["Berlinn", "Pacific", "Eastern", "Sidney", "victoria", "Xyz"])
def test_suggestions_are_at_most_three_distinct_canonical_names(text: str) -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone(text)
    suggestions = caught.value.suggestions
    assert len(suggestions) <= 3
    assert len(set(suggestions)) == len(suggestions)
    for name in suggestions:
        assert resolve_zone(name) == name
        assert not name.startswith(("UTC", "Etc/", "US/"))


def test_unknown_zone_is_a_value_error_and_truncates_suggestions() -> None:
    error = UnknownZone("x", ["A/B", "C/D", "E/F", "G/H"])
    assert isinstance(error, ValueError)
    assert error.suggestions == ["A/B", "C/D", "E/F"]
    assert UnknownZone("x").suggestions == []


ALL_ZONES = sorted(
    name
    for name in available_timezones()
    if name not in {"Factory", "localtime", "posixrules"}
    and not name.startswith(("SystemV/", "posix/", "right/"))
)


def test_every_installed_zone_resolves_to_a_loadable_equivalent() -> None:
    for name in ALL_ZONES:
        resolved = resolve_zone(name)
        loaded = load_zone(resolved)
        # Replacements must keep the same current offset: same place, maybe a new name.
        assert loaded.utcoffset(SUMMER) == ZoneInfo(name).utcoffset(SUMMER), name
        assert loaded.utcoffset(WINTER) == ZoneInfo(name).utcoffset(WINTER), name
        assert resolve_zone(resolved) == resolved, name


def test_every_city_name_resolves_to_a_loadable_zone() -> None:
    for name in ALL_ZONES:
        if "/" not in name or name.startswith(("Etc/", "US/", "Canada/", "Brazil/", "Chile/")):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ")
        try:
            resolved = resolve_zone(city)
        except UnknownZone:
            # Only deprecated region-style names ("Australia/North") are left out on purpose.
            assert resolve_zone(name) != name, name
            continue
        load_zone(resolved)
        assert resolve_zone(resolved) == resolved


offsets = st.builds(
    lambda quarters: quarters * 15, st.integers(-12 * 4, 14 * 4).filter(lambda q: q != 0)
)


@given(offsets, st.sampled_from(["UTC", "GMT", "utc", ""]), st.booleans())
def test_offsets_resolve_and_load_consistently(minutes: int, prefix: str, padded: bool) -> None:
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    hour_text = f"{hours:02d}" if padded else str(hours)
    name = resolve_zone(f"{prefix}{sign}{hour_text}:{rest:02d}")
    assert name == f"UTC{sign}{hours:02d}:{rest:02d}"
    zone = load_zone(name)
    assert zone.utcoffset(None) == timedelta(minutes=minutes)
    assert resolve_zone(name) == name


def test_load_zone_iana() -> None:
    zone = load_zone("Europe/Berlin")
    assert zone == ZoneInfo("Europe/Berlin")
    assert load_zone("UTC") == ZoneInfo("UTC")


def test_load_zone_fixed_offsets() -> None:
    assert load_zone("UTC+05:30") == timezone(timedelta(hours=5, minutes=30))
    assert load_zone("UTC-03:00") == timezone(timedelta(hours=-3))
    assert load_zone("UTC+14:00") == timezone(timedelta(hours=14))
    assert load_zone("UTC-12:00") == timezone(timedelta(hours=-12))


@pytest.mark.parametrize(
    "name",
    [
        "",
        "europe/berlin",
        "Berlin",
        "Mars/Olympus",
        "UTC+2",
        "UTC+5:30",
        "UTC+14:15",
        "UTC-12:30",
        "UTC+05:20",
        "UTC+01:75",
        "utc+02:00",
        "Factory",
        "localtime",
        "posixrules",
        "posix/Europe/Berlin",
    ],
)
def test_load_zone_rejects_non_canonical(name: str) -> None:
    with pytest.raises(UnknownZone):
        load_zone(name)
