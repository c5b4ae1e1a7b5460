"""Normalising text. Messages and patterns go through the same steps, so whatever a pattern says
("don't", "I'm", "self-harm") matches the many ways people type it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nudgebot.domain.crisis.tiers import CrisisConfigError

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
BREAK = "."
# Stands in for words hidden by a not_crisis match: no pattern element matches it.
MASK = "~ "


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def base_tokens(text: str) -> list[str]:
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
        elif tokens and tokens[-1] != BREAK:
            tokens.append(BREAK)
    return tokens


def bare(token: str) -> str:
    return token.replace("'", "")


@dataclass(frozen=True)
class Rewriter:
    """One language's contractions, spelling variants and filler words."""

    single: Mapping[str, tuple[str, ...]]
    phrases: Mapping[str, str]
    phrase_re: re.Pattern[str] | None

    @classmethod
    def build(cls, fillers: Iterable[str], rewrite: Mapping[str, str], where: str) -> Rewriter:
        entries: dict[str, str] = dict.fromkeys(fillers, "")
        entries.update(rewrite)
        single: dict[str, tuple[str, ...]] = {}
        multi: list[tuple[list[str], list[str]]] = []
        for key, value in entries.items():
            key_tokens = [t for t in base_tokens(key) if t != BREAK]
            value_tokens = tuple(bare(t) for t in base_tokens(value) if t != BREAK)
            if not key_tokens:
                raise CrisisConfigError(f"{where}: {key!r} has no words to replace")
            if len(key_tokens) == 1:
                single[key_tokens[0]] = value_tokens
            else:
                multi.append(([bare(t) for t in key_tokens], list(value_tokens)))
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
                token = bare(token)
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
