"""Screening free text for crisis language, and the helplines to offer when it is found.

Pure domain code: the phrase lists (config/crisis.toml) and helplines (config/helplines.toml) are
passed in already parsed. The pattern syntax is documented at the top of config/crisis.toml.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

__all__ = [
    "Assessment",
    "Concern",
    "CrisisConfigError",
    "CrisisScreen",
    "Finding",
    "Helpline",
    "HelplineConfigError",
    "HelplineSet",
    "Helplines",
    "ScreenContext",
    "Tier",
    "country_from_language",
]


class Concern(IntEnum):
    """How worrying a text is. Ordered by severity; NONE is falsy, so `if screen.check(t):` works.

    CODED ranks above INDIRECT because slang such as "kms" stands in for an explicit statement,
    while indirect phrases ("I can't go on") only suggest one.
    """

    NONE = 0
    INDIRECT = 1
    CODED = 2
    DIRECT = 3


class Tier(IntEnum):
    """What the bot does about a message: nothing, ask directly, or answer with help."""

    NONE = 0
    # Worrying but not clear: the bot asks "Are you having thoughts of ending your life?".
    UNCERTAIN = 1
    # Clear risk: the crisis reply (helplines, emergency number, grounding, /sos).
    CLEAR = 2


@dataclass(frozen=True)
class ScreenContext:
    """What the bot knows around a message that makes the same words more worrying."""

    # The text is a note written right after a rating at or above the person's threshold.
    after_high_rating: bool = False
    # The bot sent a crisis reply or the safety question recently (within a day).
    after_crisis_reply: bool = False


@dataclass(frozen=True)
class Assessment:
    """The screen's verdict on one message. Holds no user text, so it is safe to log."""

    tier: Tier
    # Which layer decided ("lexicon", "classifier", "context") and what it saw ("direct", ...).
    layer: str | None = None
    category: str | None = None

    def __bool__(self) -> bool:
        return self.tier is not Tier.NONE


NO_CONCERN = Assessment(Tier.NONE)


class CrisisConfigError(ValueError):
    """crisis.toml holds something the screen cannot use; the message names language and entry."""


class HelplineConfigError(ValueError):
    """helplines.toml holds something unusable; the message names the table and key."""


# --------------------------------------------------------------------------------------------
# Normalising text. Messages and patterns go through the same steps, so whatever a pattern says
# ("don't", "I'm", "self-harm") matches the many ways people type it.

# Typographic apostrophes and look-alikes that phones substitute for "'".
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201b\u02bc\u02bb\u02b9\u0060\u00b4\u2032\uff07", "'"),
        # German speakers without an umlaut key write "ae"; folding both spellings to one lets a
        # single pattern ("moechte") match "möchte" and "moechte".
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
    }
)
# An ellipsis is a pause inside a thought ("I just want to... die"), not a sentence break.
_ELLIPSIS = re.compile(r"\.{2,}")
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
# Any run of a repeated character counts once ("dieeee", "soooo"); patterns are folded alike, so
# "kill" in a pattern still matches "kill" (both become "kil").
_REPEAT = re.compile(r"(.)\1+")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[.!?;\r\n]")
_BREAK = "."
# Stands in for words hidden by a not_crisis match: no pattern element matches it.
_MASK = "~ "


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def _base_tokens(text: str) -> list[str]:
    """Lowercase, folded word tokens with sentence breaks as ".", before any language rewrite."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    if not folded.isascii():
        folded = _strip_marks(folded)
    folded = _DECIMAL.sub(" ", folded)
    folded = _ELLIPSIS.sub(" ", folded)
    folded = _REPEAT.sub(r"\1", folded)
    tokens: list[str] = []
    for match in _TOKEN.finditer(folded):
        token = match.group()
        if token.isalnum() or "'" in token:
            tokens.append(token)
        elif tokens and tokens[-1] != _BREAK:
            tokens.append(_BREAK)
    return tokens


def _bare(token: str) -> str:
    return token.replace("'", "")


@dataclass(frozen=True)
class _Rewriter:
    """One language's contractions, spelling variants and filler words."""

    single: Mapping[str, tuple[str, ...]]
    phrases: Mapping[str, str]
    phrase_re: re.Pattern[str] | None

    @classmethod
    def build(cls, fillers: Iterable[str], rewrite: Mapping[str, str], where: str) -> _Rewriter:
        entries: dict[str, str] = dict.fromkeys(fillers, "")
        entries.update(rewrite)
        single: dict[str, tuple[str, ...]] = {}
        multi: list[tuple[list[str], list[str]]] = []
        for key, value in entries.items():
            key_tokens = [t for t in _base_tokens(key) if t != _BREAK]
            value_tokens = tuple(_bare(t) for t in _base_tokens(value) if t != _BREAK)
            if not key_tokens:
                raise CrisisConfigError(f"{where}: {key!r} has no words to replace")
            if len(key_tokens) == 1:
                single[key_tokens[0]] = value_tokens
            else:
                multi.append(([_bare(t) for t in key_tokens], list(value_tokens)))
        base = cls(single=single, phrases={}, phrase_re=None)
        if not multi:
            return base
        # Phrase keys are matched after single-word rewrites, so they are rewritten the same way.
        phrases = {base.rewrite(key): base.rewrite(value) if value else "" for key, value in multi}
        alternatives = "|".join(re.escape(k) for k in sorted(phrases, key=len, reverse=True))
        return cls(
            single=single, phrases=phrases, phrase_re=re.compile(rf"(?<![^ ])(?:{alternatives})")
        )

    def rewrite(self, tokens: Sequence[str]) -> str:
        """Tokens joined as "w1 w2 ... " (each word followed by one space)."""
        out: list[str] = []
        for token in tokens:
            replacement = self.single.get(token)
            if replacement is None and "'" in token:
                token = _bare(token)
                replacement = self.single.get(token)
            if replacement is None:
                if token:
                    out.append(token)
            else:
                out.extend(replacement)
        joined = " ".join(out) + " " if out else ""
        if self.phrase_re is not None and joined:
            joined = self.phrase_re.sub(self._phrase, joined)
        return joined

    def _phrase(self, match: re.Match[str]) -> str:
        return self.phrases[match.group()]


# --------------------------------------------------------------------------------------------
# Patterns. A normalised text looks like "i am so tired . i do not want to wake up " and each
# pattern element consumes whole words together with the space after them.

_MAX_GAP = 9
_DEFAULT_GAP = 3
_SYNTAX = re.compile(
    r"(?P<space>\s+)|(?P<open>\()|(?P<close>\))|(?P<bar>\|)|(?P<num>#)|(?P<start>\^)|(?P<end>\$)"
    r"|\*(?P<gap>\d*)|(?P<word>[^\s()|*#^$]+)(?P<prefix>\*(?!\d))?"
)
_WORD_RE = r"\w+ "
_START_RE = r"(?:^|(?<=\. ))"
_END_RE = r"(?=\. |$)"
_PATTERN_START = r"(?<![^ ])"


@dataclass(frozen=True)
class _Element:
    kind: str  # "word", "gap", "anchor" or "group"
    regex: str
    has_word: bool


class _PatternCompiler:
    def __init__(self, source: str, rewriter: _Rewriter, where: str) -> None:
        self._source = source
        self._rewriter = rewriter
        self._where = where
        self._tokens = self._lex()
        self._pos = 0

    def _error(self, problem: str) -> CrisisConfigError:
        return CrisisConfigError(f"{self._where}: pattern {self._source!r}: {problem}")

    def _lex(self) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(self._source):
            match = _SYNTAX.match(self._source, pos)
            if match is None:  # pragma: no cover - every character is covered by one branch
                raise self._error(f"cannot read from position {pos}")
            pos = match.end()
            kind = match.lastgroup
            if kind == "space" or kind is None:
                continue
            if kind == "prefix":
                tokens.append(("prefix", match.group("word")))
            else:
                tokens.append((kind, match.group(kind)))
        return tokens

    def compile(self) -> str:
        elements = self._sequence()
        if self._pos < len(self._tokens):
            raise self._error("'|' and ')' belong inside a group: (a|b)")
        if not any(e.has_word for e in elements):
            raise self._error("it needs at least one word")
        ends = [e for e in elements if e.kind != "anchor"]
        if ends[0].kind == "gap" or ends[-1].kind == "gap":
            raise self._error("a gap at the start or end adds nothing; remove it")
        return _PATTERN_START + "".join(e.regex for e in elements)

    def _sequence(self) -> list[_Element]:
        elements: list[_Element] = []
        words: list[str] = []

        def flush() -> None:
            if words:
                text = " ".join(words)
                tokens = [t for t in _base_tokens(text) if t != _BREAK]
                rewritten = self._rewriter.rewrite(tokens).split()
                if not rewritten:
                    # Left in, "(seriously|more)" would quietly become "(|more)": optional.
                    raise self._error(
                        f"{text!r} is removed from every message (fillers or rewrite), "
                        "so it can never match; leave it out"
                    )
                elements.extend(_Element("word", re.escape(t) + " ", True) for t in rewritten)
                words.clear()

        while self._pos < len(self._tokens):
            kind, value = self._tokens[self._pos]
            if kind in ("close", "bar"):
                break
            self._pos += 1
            if kind == "word":
                words.append(value)
                continue
            flush()
            if kind == "prefix":
                stem = [t for t in _base_tokens(value) if t != _BREAK]
                if len(stem) != 1:
                    raise self._error(f"{value}* must be a single word before the *")
                elements.append(_Element("word", re.escape(_bare(stem[0])) + r"\w* ", True))
            elif kind == "gap":
                size = int(value) if value else _DEFAULT_GAP
                if not 1 <= size <= _MAX_GAP:
                    raise self._error(f"a gap must allow 1 to {_MAX_GAP} words, not {size}")
                elements.append(_Element("gap", rf"(?:{_WORD_RE}){{0,{size}}}", False))
            elif kind == "num":
                elements.append(_Element("word", r"\d\w* ", True))
            elif kind == "start":
                elements.append(_Element("anchor", _START_RE, False))
            elif kind == "end":
                elements.append(_Element("anchor", _END_RE, False))
            else:  # "open"
                elements.append(self._group())
        flush()
        return elements

    def _group(self) -> _Element:
        alternatives: list[list[_Element]] = []
        while True:
            alternatives.append(self._sequence())
            if self._pos >= len(self._tokens):
                raise self._error("'(' is never closed")
            kind, _ = self._tokens[self._pos]
            self._pos += 1
            if kind == "close":
                break
        regex = "|".join("".join(e.regex for e in alt) for alt in alternatives)
        has_word = any(e.has_word for alt in alternatives for e in alt)
        return _Element("group", f"(?:{regex})", has_word)


@dataclass(frozen=True)
class _PatternList:
    """One category's patterns: a combined regex for speed, and each one for explanations."""

    combined: re.Pattern[str]
    each: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def build(cls, sources: Sequence[str], rewriter: _Rewriter, where: str) -> _PatternList:
        compiled = [(s, _PatternCompiler(s, rewriter, where).compile()) for s in sources]
        combined = "|".join(f"(?:{regex})" for _, regex in compiled)
        return cls(
            combined=re.compile(combined),
            each=tuple((source, re.compile(regex)) for source, regex in compiled),
        )

    def first(self, text: str) -> str | None:
        for source, regex in self.each:
            if regex.search(text):
                return source
        return None  # pragma: no cover - only called after the combined regex matched


# crisis.toml keys inside a language table, the categories in the order they are checked.
_CATEGORIES: tuple[tuple[str, Concern], ...] = (
    ("direct", Concern.DIRECT),
    ("coded", Concern.CODED),
    ("indirect", Concern.INDIRECT),
)
_LANGUAGE_KEYS = frozenset({"direct", "coded", "indirect", "not_crisis", "fillers", "rewrite"})
_FALLBACK_LANGUAGE = "en"
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def _primary_language(language: str | None) -> str | None:
    if not language:
        return None
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower() or None


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CrisisConfigError(f"{where} must be a list of strings")
    return list(value)


@dataclass(frozen=True)
class _LanguageScreen:
    code: str
    rewriter: _Rewriter
    exclusions: _PatternList | None
    categories: tuple[tuple[Concern, _PatternList], ...]

    @classmethod
    def build(cls, code: str, table: Any) -> _LanguageScreen:
        if not isinstance(table, Mapping):
            raise CrisisConfigError(f"[{code}] must be a table")
        unknown = set(table) - _LANGUAGE_KEYS
        if unknown:
            raise CrisisConfigError(
                f"[{code}]: unknown keys {sorted(unknown)}; expected {sorted(_LANGUAGE_KEYS)}"
            )
        rewrite = table.get("rewrite", {})
        if not isinstance(rewrite, Mapping) or not all(
            isinstance(v, str) for v in rewrite.values()
        ):
            raise CrisisConfigError(f"[{code}.rewrite] must map words to replacement strings")
        rewriter = _Rewriter.build(
            _strings(table.get("fillers", []), f"[{code}] fillers"), rewrite, f"[{code}]"
        )

        def patterns(key: str) -> _PatternList | None:
            sources = _strings(table.get(key, []), f"[{code}] {key}")
            return _PatternList.build(sources, rewriter, f"[{code}] {key}") if sources else None

        categories = tuple(
            (concern, found) for key, concern in _CATEGORIES if (found := patterns(key))
        )
        return cls(code, rewriter, patterns("not_crisis"), categories)

    def find(self, tokens: Sequence[str], *, explain: bool) -> tuple[Concern, str] | None:
        text = self.rewriter.rewrite(tokens)
        if self.exclusions is not None:
            text = self.exclusions.combined.sub(_mask, text)
        for concern, patterns in self.categories:
            if patterns.combined.search(text):
                # Finding the single pattern costs a pass per pattern: only when asked.
                return concern, (patterns.first(text) or "") if explain else ""
        return None


def _mask(match: re.Match[str]) -> str:
    return _MASK * match.group().count(" ")


@dataclass(frozen=True)
class Finding:
    """Why a text was flagged: for operators tuning patterns and for tests. Holds no user text."""

    concern: Concern
    language: str
    pattern: str


class CrisisScreen:
    """Checks a message against the phrase lists of the user's language and always English."""

    def __init__(self, languages: Mapping[str, _LanguageScreen]) -> None:
        self._languages = dict(languages)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CrisisScreen:
        """Build from parsed crisis.toml. Non-table top-level values are metadata and ignored."""
        languages: dict[str, _LanguageScreen] = {}
        for code, table in config.items():
            if not isinstance(table, Mapping):
                continue
            if not _LANGUAGE_CODE.fullmatch(code):
                raise CrisisConfigError(f"[{code}]: tables are named by language code, like [en]")
            languages[code] = _LanguageScreen.build(code, table)
        if not languages:
            raise CrisisConfigError("crisis config has no language tables such as [en]")
        return cls(languages)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._languages)

    def _order(self, language: str | None) -> list[_LanguageScreen]:
        # Every language is checked: the app's language says little about what a person writes
        # in a hard moment, and a few more milliseconds are cheap next to a missed message.
        codes = [_primary_language(language), _FALLBACK_LANGUAGE, *sorted(self._languages)]
        chosen: list[_LanguageScreen] = []
        for code in codes:
            screen = self._languages.get(code) if code else None
            if screen is not None and all(screen.code != c.code for c in chosen):
                chosen.append(screen)
        return chosen

    def _screen(self, text: str, language: str | None, *, explain: bool) -> Finding | None:
        tokens = _base_tokens(text)
        if not tokens:
            return None
        best: Finding | None = None
        for screen in self._order(language):
            found = screen.find(tokens, explain=explain)
            if found is not None and (best is None or found[0] > best.concern):
                best = Finding(found[0], screen.code, found[1])
                if best.concern is Concern.DIRECT:
                    break
        return best

    def check(self, text: str, language: str | None = None) -> Concern:
        """The most severe concern in `text`; `language` is an IETF tag such as "de-AT" or None."""
        finding = self._screen(text, language, explain=False)
        return Concern.NONE if finding is None else finding.concern

    def explain(self, text: str, language: str | None = None) -> Finding | None:
        """Like check, with the language and pattern behind the result; None for ordinary text."""
        return self._screen(text, language, explain=True)

    def screen(
        self, text: str, language: str | None = None, context: ScreenContext | None = None
    ) -> Assessment:
        """The tier of `text`: what the bot should do about it."""
        context = context or ScreenContext()
        concern = self.check(text, language)
        if concern >= Concern.CODED:
            return Assessment(Tier.CLEAR, "lexicon", concern.name.lower())
        if concern is Concern.INDIRECT:
            worrying = context.after_high_rating or context.after_crisis_reply
            return Assessment(
                Tier.CLEAR if worrying else Tier.UNCERTAIN,
                "context" if worrying else "lexicon",
                "indirect",
            )
        return NO_CONCERN


# --------------------------------------------------------------------------------------------
# Helplines.


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
