"""The layered crisis screen: phrase lists, frames, a classifier and context, behind screen()."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nudgebot.domain.crisis.normalise import MASK, Rewriter, base_tokens
from nudgebot.domain.crisis.patterns import PatternList
from nudgebot.domain.crisis.tiers import (
    NO_CONCERN,
    Assessment,
    Concern,
    CrisisConfigError,
    ScreenContext,
    Tier,
)

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
    rewriter: Rewriter
    exclusions: PatternList | None
    categories: tuple[tuple[Concern, PatternList], ...]

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
        rewriter = Rewriter.build(
            _strings(table.get("fillers", []), f"[{code}] fillers"), rewrite, f"[{code}]"
        )

        def patterns(key: str) -> PatternList | None:
            sources = _strings(table.get(key, []), f"[{code}] {key}")
            return PatternList.build(sources, rewriter, f"[{code}] {key}") if sources else None

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
    return MASK * match.group().count(" ")


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
        tokens = base_tokens(text)
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
