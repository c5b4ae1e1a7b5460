"""The pattern language of crisis.toml, compiled to regular expressions over normalised text.

A normalised text looks like "i am so tired . i do not want to wake up " and each pattern
element consumes whole words together with the space after them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nudgebot.domain.crisis.normalise import BREAK, Rewriter, bare, base_tokens
from nudgebot.domain.crisis.tiers import CrisisConfigError

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
    def __init__(self, source: str, rewriter: Rewriter, where: str) -> None:
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
                tokens = [t for t in base_tokens(text) if t != BREAK]
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
                stem = [t for t in base_tokens(value) if t != BREAK]
                if len(stem) != 1:
                    raise self._error(f"{value}* must be a single word before the *")
                elements.append(_Element("word", re.escape(bare(stem[0])) + r"\w* ", True))
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
class PatternList:
    """One category's patterns: a combined regex for speed, and each one for explanations."""

    combined: re.Pattern[str]
    each: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def build(cls, sources: Sequence[str], rewriter: Rewriter, where: str) -> PatternList:
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
