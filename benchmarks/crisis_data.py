"""The labelled crisis sets (crisis_sets/<set>/<lang>.jsonl): reading, hashing, splitting.

Shared by the evaluation card and the training script, so both read the same lines the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

SETS_DIR = Path(__file__).resolve().parent / "crisis_sets"
CRISIS_CATEGORIES = (
    "direct",
    "plan",
    "preparation",
    "farewell",
    "passive",
    "burden",
    "self_harm",
    "coded",
    "noisy",
)
ORDINARY_CATEGORIES = ("running", "idiom", "stress", "third_person", "negation", "everyday")
# One line in this many of dev is held out of the internal-validation model (by text hash, so
# the split is fixed and does not depend on file order).
HOLDOUT_EVERY = 5


@dataclass(frozen=True)
class Line:
    text: str
    language: str
    crisis: bool
    category: str
    after_high_rating: bool


def set_files(name: str) -> list[Path]:
    files = sorted((SETS_DIR / name).glob("*.jsonl"))
    if not files:
        raise SystemExit(f"no {SETS_DIR / name}/*.jsonl files")
    return files


def sha256_of(files: list[Path]) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def combined_sha256(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def read_lines(files: list[Path]) -> list[Line]:
    lines: list[Line] = []
    for f in files:
        language = f.stem
        for number, raw in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                crisis = {"crisis": True, "ordinary": False}[row["label"]]
                category = str(row["category"])
                text = str(row["text"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(f"{f}:{number}: not a valid line ({exc})") from exc
            known = CRISIS_CATEGORIES if crisis else ORDINARY_CATEGORIES
            if category not in known:
                raise SystemExit(f"{f}:{number}: unknown category {category!r}")
            lines.append(
                Line(text, language, crisis, category, row.get("context") == "after_high_rating")
            )
    return lines


def held_out(line: Line) -> bool:
    digest = hashlib.sha256(f"{line.language}\0{line.text}".encode()).digest()
    return digest[0] % HOLDOUT_EVERY == 0
