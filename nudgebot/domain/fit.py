"""Fitting text into Telegram's message limit, counted as Telegram counts: UTF-16 code units."""

from __future__ import annotations

from collections.abc import Sequence

# Telegram's limit for one message's text, in UTF-16 code units (an emoji is often two).
MESSAGE_LIMIT = 4096


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit(parts: Sequence[str], limit: int = MESSAGE_LIMIT, sep: str = "\n\n") -> list[str]:
    """Join `parts` with `sep` into as few messages as fit `limit`, keeping parts whole where
    they fit; a part too long for one message is cut at line breaks, then spaces, then
    anywhere (never inside a character)."""
    messages: list[str] = []
    current = ""
    for part in parts:
        for piece in _pieces(part, limit):
            joined = f"{current}{sep}{piece}" if current else piece
            if utf16_len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _pieces(text: str, limit: int) -> list[str]:
    if utf16_len(text) <= limit:
        return [text] if text else []
    for sep in ("\n", " "):
        if sep in text:
            return [
                p for chunk in _pack(text.split(sep), sep, limit) for p in _pieces(chunk, limit)
            ]
    return _cut(text, limit)


def _pack(words: list[str], sep: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current: str | None = None
    for word in words:
        joined = word if current is None else f"{current}{sep}{word}"
        if current is not None and utf16_len(joined) > limit:
            chunks.append(current)
            current = word
        else:
            current = joined
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def _cut(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        size = utf16_len(char)
        if used + size > limit:
            chunks.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += size
    if current:
        chunks.append("".join(current))
    return chunks
