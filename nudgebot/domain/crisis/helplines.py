"""Helplines to offer when crisis language is found, per country, and a country from a language.

Pure domain code: helplines.toml is passed in already parsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class HelplineConfigError(ValueError):
    """helplines.toml holds something unusable; the message names the table and key."""


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
    """What to show one user: their country's lines, then the international fallback."""

    country: str | None
    emergency_number: str | None
    lines: list[Helpline]
    # Fits where a number would go: "call {emergency}" reads well either way.
    emergency_hint: str

    @property
    def emergency(self) -> str:
        return self.emergency_number or self.emergency_hint

    @property
    def known_country(self) -> bool:
        return self.country is not None


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


def _lines(raw: Any, where: str) -> list[Helpline]:
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


def _country_code(code: str | None) -> str | None:
    if not code:
        return None
    upper = code.strip().upper()
    return _COUNTRY_ALIASES.get(upper, upper)


@dataclass(frozen=True)
class _Country:
    emergency: str | None
    lines: tuple[Helpline, ...]


class Helplines:
    """Helplines per country (ISO 3166 alpha-2) with an international fallback for everyone."""

    def __init__(
        self,
        fallback: Sequence[Helpline],
        countries: Mapping[str, _Country],
        emergency_hint: str = _DEFAULT_HINT,
    ) -> None:
        self._fallback = tuple(fallback)
        self._countries = dict(countries)
        self._hint = emergency_hint

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Helplines:
        """Build from parsed helplines.toml. Non-table top-level values are metadata."""
        unknown = {k for k, v in config.items() if isinstance(v, Mapping)} - {
            "default",
            "countries",
        }
        if unknown:
            raise HelplineConfigError(f"unknown tables {sorted(unknown)}")
        if "default" not in config:
            raise HelplineConfigError("[default] with the international fallback is missing")
        default = _check_keys(config["default"], _DEFAULT_KEYS, "[default]")
        fallback = _lines(default.get("lines"), "[default]")
        hint = _optional_text(default, "emergency_hint", "[default]") or _DEFAULT_HINT
        raw_countries = config.get("countries", {})
        if not isinstance(raw_countries, Mapping):
            raise HelplineConfigError("[countries] must be a table of [countries.XX] tables")
        countries: dict[str, _Country] = {}
        for code, raw in raw_countries.items():
            where = f"[countries.{code}]"
            if not _COUNTRY_CODE.fullmatch(code):
                raise HelplineConfigError(f"{where}: use the two-letter ISO code, like US or GB")
            table = _check_keys(raw, _COUNTRY_KEYS, where)
            countries[code] = _Country(
                emergency=_optional_text(table, "emergency", where),
                lines=tuple(_lines(table.get("lines"), where)),
            )
        return cls(fallback, countries, hint)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(self._countries)

    def for_country(self, country_code: str | None) -> HelplineSet:
        code = _country_code(country_code)
        country = self._countries.get(code) if code else None
        if country is None:
            return HelplineSet(None, None, list(self._fallback), self._hint)
        return HelplineSet(code, country.emergency, [*country.lines, *self._fallback], self._hint)


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
    "en", "es" and "pt" give None and the caller falls back to asking or to the default lines.
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
