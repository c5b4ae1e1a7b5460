"""Where a person is, and the helplines and emergency number to show them there.

Pure domain code: helplines.toml and emergency.toml come in parsed, and the time-zone tables
(zone.tab and the links of tzdata.zi, shipped by the `tzdata` package) come in as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Helpline",
    "HelplineConfigError",
    "HelplineSet",
    "Helplines",
    "ZoneCountries",
    "country_code",
    "country_from_language",
    "where",
]


class HelplineConfigError(ValueError):
    """helplines.toml or emergency.toml holds something unusable; names the table and key."""


@dataclass(frozen=True)
class Helpline:
    name: str
    phone: str | None = None
    # How to reach it by text message, ready to show: "text HOME to 741741".
    text: str | None = None
    url: str | None = None
    hours: str | None = None


@dataclass(frozen=True)
class HelplineSet:
    """What to show one person: their country's lines, then the international fallback."""

    country: str | None
    emergency_number: str | None
    lines: list[Helpline]
    # Fits where a number would go: "call {emergency}" reads well either way.
    emergency_hint: str

    @property
    def emergency(self) -> str:
        return self.emergency_number or self.emergency_hint


_LINE_KEYS = frozenset({"name", "phone", "text", "url", "hours"})
_COUNTRY_KEYS = frozenset({"emergency", "lines"})
_DEFAULT_KEYS = frozenset({"emergency_hint", "lines"})
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# Codes people use that are not the ISO 3166 code.
_COUNTRY_ALIASES: Mapping[str, str] = {"UK": "GB"}
_DEFAULT_HINT = "your local emergency number"


def _check_keys(table: Any, allowed: frozenset[str], where: str) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise HelplineConfigError(f"{where} must be a table")
    unknown = set(table) - allowed
    if unknown:
        raise HelplineConfigError(f"{where}: unknown keys {sorted(unknown)}")
    return table


def _optional_text(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise HelplineConfigError(f"{where}: {key} must be non-empty text")
    return value.strip()


def _lines(raw: Any, where: str, *, required: bool) -> list[Helpline]:
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or not raw:
        raise HelplineConfigError(f"{where}: needs at least one [[...lines]] entry")
    lines: list[Helpline] = []
    for index, entry in enumerate(raw):
        at = f"{where} line {index + 1}"
        table = _check_keys(entry, _LINE_KEYS, at)
        name = _optional_text(table, "name", at)
        if name is None:
            raise HelplineConfigError(f"{at}: name is required")
        line = Helpline(
            name=name,
            phone=_optional_text(table, "phone", at),
            text=_optional_text(table, "text", at),
            url=_optional_text(table, "url", at),
            hours=_optional_text(table, "hours", at),
        )
        if not (line.phone or line.text or line.url):
            raise HelplineConfigError(f"{at}: give at least one of phone, text or url")
        lines.append(line)
    return lines


def country_code(code: str | None) -> str | None:
    """ "gb", " UK " -> "GB"; None for anything that is not two letters."""
    if not code:
        return None
    upper = code.strip().upper()
    upper = _COUNTRY_ALIASES.get(upper, upper)
    return upper if _COUNTRY_CODE.fullmatch(upper) else None


class Helplines:
    """Helplines and emergency numbers per country (ISO 3166 alpha-2), with an international
    fallback line for everyone."""

    def __init__(
        self,
        fallback: Sequence[Helpline],
        lines: Mapping[str, Sequence[Helpline]],
        emergency: Mapping[str, str],
        names: Mapping[str, str] | None = None,
        emergency_hint: str = _DEFAULT_HINT,
    ) -> None:
        self._fallback = tuple(fallback)
        self._lines = {code: tuple(found) for code, found in lines.items()}
        self._emergency = dict(emergency)
        self._names = dict(names or {})
        # Country names as people type them ("spain", "united states") to codes.
        self._by_name = {name.casefold(): code for code, name in self._names.items()}
        self._hint = emergency_hint

    @classmethod
    def from_config(
        cls,
        helplines: Mapping[str, Any],
        emergency: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
    ) -> Helplines:
        """Build from parsed helplines.toml and emergency.toml; `names` from iso3166.tab.

        An `emergency` key in a helplines.toml country table wins over emergency.toml, so an
        operator's older copy of helplines.toml keeps working.
        """
        unknown = {k for k, v in helplines.items() if isinstance(v, Mapping)} - {
            "default",
            "countries",
        }
        if unknown:
            raise HelplineConfigError(f"helplines.toml: unknown tables {sorted(unknown)}")
        if "default" not in helplines:
            raise HelplineConfigError("helplines.toml: [default] with the fallback is missing")
        default = _check_keys(helplines["default"], _DEFAULT_KEYS, "[default]")
        fallback = _lines(default.get("lines"), "[default]", required=True)
        hint = _optional_text(default, "emergency_hint", "[default]") or _DEFAULT_HINT
        numbers = _emergency_numbers(emergency)
        raw_countries = helplines.get("countries", {})
        if not isinstance(raw_countries, Mapping):
            raise HelplineConfigError("[countries] must be a table of [countries.XX] tables")
        lines: dict[str, list[Helpline]] = {}
        for code, raw in raw_countries.items():
            where = f"[countries.{code}]"
            if not _COUNTRY_CODE.fullmatch(code):
                raise HelplineConfigError(f"{where}: use the two-letter ISO code, like US or GB")
            table = _check_keys(raw, _COUNTRY_KEYS, where)
            own = _optional_text(table, "emergency", where)
            if own is not None:
                numbers[code] = own
            lines[code] = _lines(table.get("lines"), where, required=own is None)
        return cls(fallback, lines, numbers, names, hint)

    @property
    def countries(self) -> tuple[str, ...]:
        """Every country with its own helplines or emergency number."""
        return tuple(sorted(set(self._lines) | set(self._emergency)))

    @property
    def with_lines(self) -> tuple[str, ...]:
        return tuple(sorted(code for code, lines in self._lines.items() if lines))

    def name_of(self, code: str) -> str:
        return self._names.get(code, code)

    def find(self, typed: str) -> str | None:
        """A country someone typed, as a code ("us", "UK") or a name ("Spain"); None if unknown."""
        code = country_code(typed)
        if code is not None and code in self.countries:
            return code
        found = self._by_name.get(" ".join(typed.split()).casefold())
        return found if found in self.countries else None

    def for_country(self, code: str | None) -> HelplineSet:
        code = country_code(code)
        if code is None or code not in self.countries:
            return HelplineSet(None, None, list(self._fallback), self._hint)
        return HelplineSet(
            code,
            self._emergency.get(code),
            [*self._lines.get(code, ()), *self._fallback],
            self._hint,
        )


def _emergency_numbers(config: Mapping[str, Any]) -> dict[str, str]:
    table = config.get("numbers", {})
    if not isinstance(table, Mapping):
        raise HelplineConfigError("emergency.toml: [numbers] must map country codes to numbers")
    numbers: dict[str, str] = {}
    for code, number in table.items():
        if not _COUNTRY_CODE.fullmatch(code):
            raise HelplineConfigError(f"emergency.toml: {code!r} is not a two-letter ISO code")
        if not isinstance(number, str) or not number.strip():
            raise HelplineConfigError(f"emergency.toml: {code} needs a number, as text")
        numbers[code] = number.strip()
    return numbers


# --------------------------------------------------------------------------------------------
# Which country a time zone is in.

# Zone names that say nothing about a country: UTC and its spellings, fixed offsets, and the
# old POSIX-style names (CET, EST5EDT...) that newer tzdata links to one city of many countries.
_NO_COUNTRY = re.compile(
    r"(?:Etc/.*|UTC|UCT|GMT.*|Universal|Zulu|Greenwich|Factory|[CEMW]ET|EST|MST|HST"
    r"|[ECMP]ST\d[ECMP]DT)",
    re.IGNORECASE,
)


class ZoneCountries:
    """IANA zone -> ISO 3166 country, aliases (Europe/Kiev, US/Eastern) included."""

    def __init__(self, countries: Mapping[str, str]) -> None:
        self._countries = dict(countries)

    @classmethod
    def from_tables(cls, zone_tab: str, links: Iterable[str] = ()) -> ZoneCountries:
        """`zone_tab`: the text of tzdata's zone.tab (country, coordinates, zone per line);
        `links`: lines of tzdata.zi, whose "L TARGET ALIAS" lines name the aliases."""
        countries: dict[str, str] = {}
        for line in zone_tab.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) >= 3 and _COUNTRY_CODE.fullmatch(fields[0]):
                countries[fields[2].strip()] = fields[0]
        aliases: dict[str, str] = {}
        for line in links:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "L":
                aliases[parts[2]] = parts[1]
        for alias, target in aliases.items():
            if alias in countries or _NO_COUNTRY.fullmatch(alias):
                continue
            # Links can chain in older data; follow a few steps at most.
            for _ in range(4):
                if target in countries:
                    countries[alias] = countries[target]
                    break
                if target not in aliases:
                    break
                target = aliases[target]
        return cls(countries)

    def __len__(self) -> int:
        return len(self._countries)

    def country_of(self, zone: str | None) -> str | None:
        if not zone or _NO_COUNTRY.fullmatch(zone):
            return None
        return self._countries.get(zone)


# Languages spoken mostly in one country. Languages spread over many countries (English,
# Spanish, Portuguese, Arabic, Russian, Chinese...) are left out: a wrong country's emergency
# number is worse than the international fallback.
_LANGUAGE_COUNTRY: Mapping[str, str] = {
    "bg": "BG",
    "ca": "ES",
    "cs": "CZ",
    "cy": "GB",
    "da": "DK",
    "de": "DE",
    "el": "GR",
    "et": "EE",
    "eu": "ES",
    "fi": "FI",
    "fr": "FR",
    "ga": "IE",
    "gl": "ES",
    "he": "IL",
    "hi": "IN",
    "hr": "HR",
    "hu": "HU",
    "id": "ID",
    "is": "IS",
    "it": "IT",
    "iw": "IL",
    "ja": "JP",
    "ka": "GE",
    "ko": "KR",
    "lt": "LT",
    "lv": "LV",
    "mr": "IN",
    "nb": "NO",
    "nl": "NL",
    "nn": "NO",
    "no": "NO",
    "pl": "PL",
    "ro": "RO",
    "sk": "SK",
    "sl": "SI",
    "sv": "SE",
    "th": "TH",
    "tr": "TR",
    "uk": "UA",
    "vi": "VN",
}


def country_from_language(language_code: str | None) -> str | None:
    """Best-effort ISO 3166 country from an IETF language tag: "en-GB" -> "GB", "de" -> "DE".

    A region subtag wins; a bare language maps only where one country clearly dominates, so
    "en", "es" and "pt" give None.
    """
    if not language_code:
        return None
    parts = re.split(r"[-_]", language_code.strip())
    language = parts[0].lower()
    if not language.isalpha() or len(language) not in (2, 3):
        return None
    for subtag in parts[1:]:
        if subtag.lower() == "x":
            break  # private-use subtags follow
        if len(subtag) == 2 and subtag.isalpha():
            return _COUNTRY_ALIASES.get(subtag.upper(), subtag.upper())
        if len(subtag) == 3 and subtag.isdigit():
            return None  # a UN M.49 area such as 419 (Latin America): several countries
    return _LANGUAGE_COUNTRY.get(language)


def where(
    chosen: str | None, zone: str | None, language: str | None, zones: ZoneCountries
) -> str | None:
    """The country whose help to show: the one chosen in /sos, else the time zone's, else (only
    when the zone names no country, or there is none) a guess from the app language."""
    return country_code(chosen) or zones.country_of(zone) or country_from_language(language)
