"""Resolving what people type as a time zone into a canonical, storable zone name."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

__all__ = ["UnknownZone", "load_zone", "resolve_zone"]

UTC_NAME = "UTC"
_MIN_OFFSET_MINUTES = -12 * 60
_MAX_OFFSET_MINUTES = 14 * 60
_MAX_SUGGESTIONS = 3


class UnknownZone(ValueError):
    """Text that names no time zone we know, with a few close canonical names to offer."""

    def __init__(self, text: str, suggestions: list[str] | None = None) -> None:
        super().__init__(f"unknown time zone {text!r}")
        self.text = text
        self.suggestions = list(suggestions or [])[:_MAX_SUGGESTIONS]


# Areas whose last component is a place people would name; legacy areas such as "US/" or
# "Canada/" end in regions ("Eastern", "Pacific") that would make misleading city matches.
_CITY_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# Not zones a user can live in: system aliases, pseudo-zones and alternative data trees.
_UNUSABLE = frozenset({"Factory", "localtime", "posixrules"})
_UNUSABLE_PREFIXES = ("SystemV/", "posix/", "right/")

# Every IANA spelling of plain UTC; all are stored as "UTC" so equal zones compare equal.
_UTC_NAMES = frozenset(
    {
        "UTC",
        "GMT",
        "UCT",
        "Zulu",
        "Universal",
        "Greenwich",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Etc/UTC",
        "Etc/GMT",
        "Etc/UCT",
        "Etc/Zulu",
        "Etc/Universal",
        "Etc/Greenwich",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
    }
)
# Lowercase, space-free forms accepted as typed input, plus the ISO 8601 "Z".
_UTC_ALIASES = frozenset({name.casefold() for name in _UTC_NAMES} | {"z", "utc0"})

# Backward-compatibility names from tzdata's "backward" file that were respellings of the same
# city. They are replaced on input and still indexed as city names, so "Kiev" finds Europe/Kyiv.
_RENAMED_CITIES: Mapping[str, str] = {
    "Africa/Asmera": "Africa/Asmara",
    "America/Godthab": "America/Nuuk",
    "Asia/Ashkhabad": "Asia/Ashgabat",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Dacca": "Asia/Dhaka",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Macao": "Asia/Macau",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Thimbu": "Asia/Thimphu",
    "Asia/Ujung_Pandang": "Asia/Makassar",
    "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Truk": "Pacific/Chuuk",
}

# Other deprecated names with a clear modern equivalent for the same place. They are replaced
# on exact input but never indexed as cities: their last component is a duplicate of a
# canonical city ("America/Buenos_Aires"), a region ("US/Eastern", "Australia/Victoria") or a
# country ("Japan").
_LEGACY_NAMES: Mapping[str, str] = {
    "America/Argentina/ComodRivadavia": "America/Argentina/Catamarca",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Catamarca": "America/Argentina/Catamarca",
    "America/Cordoba": "America/Argentina/Cordoba",
    "America/Fort_Wayne": "America/Indiana/Indianapolis",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Jujuy": "America/Argentina/Jujuy",
    "America/Knox_IN": "America/Indiana/Knox",
    "America/Louisville": "America/Kentucky/Louisville",
    "America/Mendoza": "America/Argentina/Mendoza",
    "Asia/Istanbul": "Europe/Istanbul",
    "Europe/Nicosia": "Asia/Nicosia",
    "Australia/ACT": "Australia/Sydney",
    "Australia/Canberra": "Australia/Sydney",
    "Australia/LHI": "Australia/Lord_Howe",
    "Australia/NSW": "Australia/Sydney",
    "Australia/North": "Australia/Darwin",
    "Australia/Queensland": "Australia/Brisbane",
    "Australia/South": "Australia/Adelaide",
    "Australia/Tasmania": "Australia/Hobart",
    "Australia/Victoria": "Australia/Melbourne",
    "Australia/West": "Australia/Perth",
    "Australia/Yancowinna": "Australia/Broken_Hill",
    "Brazil/Acre": "America/Rio_Branco",
    "Brazil/DeNoronha": "America/Noronha",
    "Brazil/East": "America/Sao_Paulo",
    "Brazil/West": "America/Manaus",
    "Canada/Atlantic": "America/Halifax",
    "Canada/Central": "America/Winnipeg",
    "Canada/Eastern": "America/Toronto",
    "Canada/Mountain": "America/Edmonton",
    "Canada/Newfoundland": "America/St_Johns",
    "Canada/Pacific": "America/Vancouver",
    "Canada/Saskatchewan": "America/Regina",
    "Canada/Yukon": "America/Whitehorse",
    "Chile/Continental": "America/Santiago",
    "Chile/EasterIsland": "Pacific/Easter",
    "Mexico/BajaNorte": "America/Tijuana",
    "Mexico/BajaSur": "America/Mazatlan",
    "Mexico/General": "America/Mexico_City",
    "US/Alaska": "America/Anchorage",
    "US/Aleutian": "America/Adak",
    "US/Arizona": "America/Phoenix",
    "US/Central": "America/Chicago",
    "US/East-Indiana": "America/Indiana/Indianapolis",
    "US/Eastern": "America/New_York",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Indiana-Starke": "America/Indiana/Knox",
    "US/Michigan": "America/Detroit",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Samoa": "Pacific/Pago_Pago",
    # American Samoa: "samoa" as a city would send users in Samoa (Apia) a day off.
    "Pacific/Samoa": "Pacific/Pago_Pago",
    "Cuba": "America/Havana",
    "Egypt": "Africa/Cairo",
    "Eire": "Europe/Dublin",
    "GB": "Europe/London",
    "GB-Eire": "Europe/London",
    "Hongkong": "Asia/Hong_Kong",
    "Iceland": "Atlantic/Reykjavik",
    "Iran": "Asia/Tehran",
    "Israel": "Asia/Jerusalem",
    "Jamaica": "America/Jamaica",
    "Japan": "Asia/Tokyo",
    "Kwajalein": "Pacific/Kwajalein",
    "Libya": "Africa/Tripoli",
    "NZ": "Pacific/Auckland",
    "NZ-CHAT": "Pacific/Chatham",
    "Navajo": "America/Denver",
    "PRC": "Asia/Shanghai",
    "Poland": "Europe/Warsaw",
    "Portugal": "Europe/Lisbon",
    "ROC": "Asia/Taipei",
    "ROK": "Asia/Seoul",
    "Singapore": "Asia/Singapore",
    "Turkey": "Europe/Istanbul",
    "W-SU": "Europe/Moscow",
}


@dataclass(frozen=True)
class _Catalogue:
    """Lookup tables derived once from the installed zone database."""

    by_name: Mapping[str, str]
    by_city: Mapping[str, str]
    # Name and city keys that lead to a region-based canonical name, for suggestions.
    suggestible: Mapping[str, str]


@cache
def _zone_names() -> frozenset[str]:
    """All usable IANA names; scanning the tz database is slow, so it happens once."""
    return frozenset(
        name
        for name in available_timezones()
        if name not in _UNUSABLE and not name.startswith(_UNUSABLE_PREFIXES)
    )


@cache
def _catalogue() -> _Catalogue:
    """Build the name and city indexes over the installed zones."""
    names = _zone_names()
    by_name: dict[str, str] = {}
    for name in names:
        by_name[_name_key(name)] = _preferred(name, names)

    city_candidates: dict[str, set[str]] = {}
    for name in names:
        area, _, _ = name.partition("/")
        if area not in _CITY_AREAS or name in _LEGACY_NAMES:
            continue
        city = name.rsplit("/", 1)[1]
        city_candidates.setdefault(_city_key(city), set()).add(_preferred(name, names))
    # No installed city name is shared by two canonical zones today; sorting keeps the choice
    # deterministic should a future tzdata release introduce one.
    by_city = {key: sorted(found)[0] for key, found in city_candidates.items()}

    # Only region-based names are offered as suggestions; "EST5EDT" or "UTC-05:00" would confuse.
    suggestible = {
        key: name for key, name in (*by_name.items(), *by_city.items()) if _is_suggestible(name)
    }
    return _Catalogue(by_name=by_name, by_city=by_city, suggestible=suggestible)


def _is_suggestible(name: str) -> bool:
    """Whether a canonical name is a region-based IANA name worth offering to a user."""
    return name.partition("/")[0] in _CITY_AREAS


_ETC_OFFSET = re.compile(r"Etc/GMT([+-])(\d{1,2})")


def _preferred(name: str, names: frozenset[str]) -> str:
    """Map an installed IANA name to the name we store for it."""
    if name in _UTC_NAMES:
        return UTC_NAME
    etc = _ETC_OFFSET.fullmatch(name)
    if etc is not None:
        # POSIX convention: "Etc/GMT+5" is five hours *behind* UTC, the opposite of its look.
        sign = -1 if etc.group(1) == "+" else 1
        return _offset_name(sign * int(etc.group(2)) * 60)
    replacement = _RENAMED_CITIES.get(name) or _LEGACY_NAMES.get(name)
    if replacement is not None and replacement in names:
        return replacement
    return name


def _fold(text: str) -> str:
    """Casefold and strip accents so "São Paulo" and "sao paulo" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _name_key(text: str) -> str:
    """Lookup key for a full IANA name, tolerant of case, accents and spaces for underscores."""
    parts = (" ".join(part.split()) for part in _fold(text).split("/"))
    return "/".join(parts).replace(" ", "_")


_CITY_NOISE = re.compile(r"[.'’]")


def _city_key(text: str) -> str:
    """Lookup key for a place name: "St. John's", "st_johns" and "St Johns" all agree."""
    spaced = _CITY_NOISE.sub("", _fold(text)).replace("_", " ").replace("-", " ")
    return " ".join(spaced.split())


# Unicode minus and dashes turn up from phones and copy-pasted text.
_MINUS_SIGNS = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-"})
_OFFSET = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")
_CANONICAL_OFFSET = re.compile(r"UTC([+-])(\d{2}):(\d{2})")


def _offset_name(total_minutes: int) -> str:
    """Canonical name for a whole-zone offset: "UTC" for zero, else "UTC+05:30"."""
    if total_minutes == 0:
        return UTC_NAME
    sign = "+" if total_minutes > 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _valid_offset(total_minutes: int) -> bool:
    """Real-world offsets span -12:00..+14:00 in quarter hours."""
    in_range = _MIN_OFFSET_MINUTES <= total_minutes <= _MAX_OFFSET_MINUTES
    return in_range and total_minutes % 15 == 0


def _parse_offset(text: str) -> str | None:
    """Read "UTC+2", "GMT-5", "+05:30" and friends; None if the text is not offset-shaped."""
    compact = "".join(text.translate(_MINUS_SIGNS).casefold().split())
    if compact in _UTC_ALIASES:
        return UTC_NAME
    match = _OFFSET.fullmatch(compact)
    if match is None:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes % 15 != 0 or minutes >= 60:
        raise UnknownZone(text)
    total = (hours * 60 + minutes) * (-1 if match.group(1) == "-" else 1)
    if not _valid_offset(total):
        raise UnknownZone(text)
    return _offset_name(total)


def _lookup(text: str, catalogue: _Catalogue) -> str | None:
    """Resolve offsets, full IANA names and city names, without aliases."""
    offset = _parse_offset(text)
    if offset is not None:
        return offset
    by_name = catalogue.by_name.get(_name_key(text))
    if by_name is not None:
        return by_name
    if "/" in text:
        return None
    return catalogue.by_city.get(_city_key(text))


def _lookup_alias(text: str, aliases: Mapping[str, str], catalogue: _Catalogue) -> str | None:
    """Resolve through operator-supplied aliases, ignoring entries that point nowhere."""
    wanted = _city_key(text)
    for key, target in aliases.items():
        if _city_key(key) != wanted:
            continue
        try:
            resolved = _lookup(target, catalogue)
        except UnknownZone:
            resolved = None
        # A misconfigured alias must not hide a correct city or IANA match further down.
        if resolved is not None:
            return resolved
    return None


def resolve_zone(text: str, aliases: Mapping[str, str] | None = None) -> str:
    """Resolve user input (IANA name, city, alias or UTC offset) to a canonical zone name."""
    stripped = " ".join(text.split())
    if not stripped:
        raise UnknownZone(text)
    catalogue = _catalogue()
    # "Berlin, Germany" is a common way to answer; the part before the comma is the place.
    candidates = [stripped]
    head = stripped.split(",", 1)[0].strip()
    if head and head != stripped:
        candidates.append(head)

    for candidate in candidates:
        # Aliases come first so an operator can override a built-in match (e.g. "EST").
        if aliases:
            found = _lookup_alias(candidate, aliases, catalogue)
            if found is not None:
                return found
        found = _lookup(candidate, catalogue)
        if found is not None:
            return found
    raise UnknownZone(text, _suggest(stripped, aliases or {}, catalogue))


def _suggest(text: str, aliases: Mapping[str, str], catalogue: _Catalogue) -> list[str]:
    """Up to three canonical IANA names whose city or full name is spelled like the input."""
    options = dict(catalogue.suggestible)
    for key, target in aliases.items():
        try:
            resolved = _lookup(target, catalogue)
        except UnknownZone:
            continue
        if resolved is not None and _is_suggestible(resolved):
            options[_city_key(key)] = resolved

    # Compare every way the user might have meant it: as a place, as a full IANA name, and
    # as a mistyped area with a real city ("Germany/Berlin").
    probes = dict.fromkeys([_city_key(text), _name_key(text), _city_key(text.split("/")[-1])])
    best: dict[str, float] = {}
    for probe in probes:
        for key in difflib.get_close_matches(probe, list(options), n=10, cutoff=0.6):
            ratio = difflib.SequenceMatcher(None, probe, key).ratio()
            name = options[key]
            best[name] = max(ratio, best.get(name, 0.0))
    # Closest first; the name breaks ties so the order does not depend on set iteration.
    ranked = sorted(best, key=lambda name: (-best[name], name))
    return ranked[:_MAX_SUGGESTIONS]


def load_zone(name: str) -> tzinfo:
    """Turn a canonical zone name (IANA or "UTC±HH:MM") into a tzinfo."""
    fixed = _CANONICAL_OFFSET.fullmatch(name)
    if fixed is not None:
        total = int(fixed.group(2)) * 60 + int(fixed.group(3))
        total *= -1 if fixed.group(1) == "-" else 1
        if not _valid_offset(total) or int(fixed.group(3)) >= 60:
            raise UnknownZone(name)
        return timezone(timedelta(minutes=total))
    if name not in _zone_names():
        raise UnknownZone(name)
    return ZoneInfo(name)
