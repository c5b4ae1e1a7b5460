"""The bot's words and lookup tables, read from TOML files operators can edit."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nudgebot.domain.crisis import CrisisConfigError, CrisisScreen
from nudgebot.domain.helplines import HelplineConfigError, Helplines, ZoneCountries

# Installed wheels carry config/ as nudgebot/_config; a source checkout has it at the top.
_PACKAGED = Path(__file__).parent / "_config"
_SOURCE = Path(__file__).parent.parent / "config"


def builtin_dir() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _SOURCE


class ContentError(Exception):
    """A content file is missing, malformed or lacks a key the bot needs."""


@dataclass(frozen=True)
class Texts:
    """Dotted keys ("checkin.prompt") to message templates and lists."""

    entries: Mapping[str, Any]

    def __call__(self, key: str, /, **values: object) -> str:
        template = self.entries[key]
        if not isinstance(template, str):
            raise ContentError(f"{key} is not a text")
        return template.format(**values) if values else template

    def items(self, key: str) -> list[str]:
        value = self.entries[key]
        if not isinstance(value, list):
            raise ContentError(f"{key} is not a list")
        return [str(v) for v in value]


@dataclass(frozen=True)
class Content:
    texts: Texts
    nudges: Texts
    summary: Texts
    zone_aliases: Mapping[str, str]
    crisis: CrisisScreen
    helplines: Helplines
    zone_countries: ZoneCountries


def _read(name: str, override_dir: Path | None) -> dict[str, Any]:
    for folder in (override_dir, builtin_dir()):
        if folder is not None and (folder / name).is_file():
            try:
                with (folder / name).open("rb") as fh:
                    return tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ContentError(f"{folder / name}: {exc}") from None
    raise ContentError(f"{name} not found in {override_dir or builtin_dir()}")


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _texts(name: str, override_dir: Path | None) -> Texts:
    """An operator's copy wins, key by key, over the built-in file."""
    builtin = _flatten(_read(name, None))
    custom = _flatten(_read(name, override_dir)) if override_dir else {}
    unknown = set(custom) - set(builtin)
    if unknown:
        raise ContentError(f"{name}: unknown keys {sorted(unknown)}")
    return Texts({**builtin, **custom})


def _tz_table(name: str) -> str:
    """A table the `tzdata` package ships beside its zone files (zone.tab, iso3166.tab...)."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise ContentError(f"tzdata's {name} could not be read ({exc}); reinstall tzdata") from None


def _country_names(iso3166: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for line in iso3166.splitlines():
        code, _, name = line.partition("\t")
        if line and not line.startswith("#") and name:
            names[code] = name.strip()
    return names


def load_content(override_dir: Path | None = None) -> Content:
    """Read the bot's words and lookup tables from config/ (or the operator's folder)."""
    aliases = _read("zones.toml", override_dir).get("aliases", {})
    try:
        crisis = CrisisScreen.from_config(_read("crisis.toml", override_dir))
        helplines = Helplines.from_config(
            _read("helplines.toml", override_dir),
            _read("emergency.toml", override_dir),
            _country_names(_tz_table("iso3166.tab")),
        )
    except (CrisisConfigError, HelplineConfigError) as exc:
        raise ContentError(str(exc)) from None
    links = (line for line in _tz_table("tzdata.zi").splitlines() if line.startswith("L "))
    zone_countries = ZoneCountries.from_tables(_tz_table("zone.tab"), links)
    return Content(
        texts=_texts("messages.toml", override_dir),
        nudges=_texts("nudges.toml", override_dir),
        summary=_texts("summary.toml", override_dir),
        zone_aliases={str(k).lower(): str(v) for k, v in aliases.items()},
        crisis=crisis,
        helplines=helplines,
        zone_countries=zone_countries,
    )
