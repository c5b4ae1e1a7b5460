"""A small logistic-regression classifier over word and character n-grams.

It catches crisis messages worded in ways no phrase or frame foresaw (typos, slang, other
languages). Training happens offline (scripts/train_crisis_model.py, with scikit-learn); what
ships is a JSON file of feature weights, and prediction is the few lines below: no scikit-learn,
no numpy and no pickle at run time, so the bot installs small and loading the model cannot run
code.

The feature extraction here is the single definition both training and prediction use, so the
two cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nudgebot.domain.crisis.normalise import BREAK, bare, base_tokens
from nudgebot.domain.crisis.tiers import CrisisConfigError

FORMAT = "nudgebot-crisis-logreg-1"
_CHAR_SIZES = (3, 4, 5)


def features(text: str) -> set[str]:
    """The text's binary features: words, word pairs and character n-grams of each word.

    Character n-grams carry typos ("kil myslf"), inflections (Russian and Ukrainian endings) and
    transliteration; word pairs carry short phrases ("want die", "last message").
    """
    words = [bare(t) for t in base_tokens(text) if t != BREAK]
    found: set[str] = set()
    previous = "^"
    for word in words:
        found.add("w:" + word)
        found.add(f"b:{previous} {word}")
        previous = word
        padded = f" {word} "
        for size in _CHAR_SIZES:
            for start in range(len(padded) - size + 1):
                found.add("c:" + padded[start : start + size])
    if words:
        found.add(f"b:{previous} $")
    return found


@dataclass(frozen=True)
class Classifier:
    """Scores a text from 0 (ordinary) to 1 (crisis)."""

    bias: float
    weights: Mapping[str, float]
    # Probability at or above which a text counts as worrying, and the lower bar used when
    # context makes the same words more worrying.
    threshold: float
    context_threshold: float

    @classmethod
    def from_config(cls, model: Mapping[str, Any]) -> Classifier:
        """Build from the parsed model file (a JSON object written by the training script)."""
        if model.get("format") != FORMAT:
            raise CrisisConfigError(
                f"crisis model: format {model.get('format')!r} is not {FORMAT!r}; retrain it"
            )
        try:
            weights = {str(k): float(v) for k, v in model["weights"].items()}
            bias = float(model["bias"])
            threshold = float(model["threshold"])
            context_threshold = float(model.get("context_threshold", threshold))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CrisisConfigError(f"crisis model: missing or malformed {exc}") from exc
        for name, value in (("threshold", threshold), ("context_threshold", context_threshold)):
            if not 0.0 < value < 1.0:
                raise CrisisConfigError(f"crisis model: {name} must be between 0 and 1")
        return cls(bias, weights, threshold, context_threshold)

    def probability(self, text: str) -> float:
        found = features(text)
        if not found:
            return 0.0
        # Features are binary and the vector is L2-normalised over every feature the text has,
        # known or not, exactly as in training.
        total = sum(self.weights.get(f, 0.0) for f in found)
        z = self.bias + total / math.sqrt(len(found))
        if z < -30.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))
