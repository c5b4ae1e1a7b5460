"""Train the crisis screen's classifier from the labelled dev set and write its weights as JSON.

    pip install -e '.[train]'
    python scripts/train_crisis_model.py            # the shipped model, from all of dev
    python scripts/train_crisis_model.py --holdout  # internal validation: without 1 line in 5

Deterministic: the same data and the pinned scikit-learn give the same file byte for byte
(liblinear with a fixed seed, folds and split by text hash, weights rounded, keys sorted).
The bot reads the JSON with plain Python (nudgebot/domain/crisis/classifier.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.crisis_data import Line, combined_sha256, held_out, read_lines, set_files  # noqa: E402
from nudgebot.domain.crisis.classifier import FORMAT, features  # noqa: E402

SHIPPED = REPO / "nudgebot" / "domain" / "crisis" / "model.json"
HOLDOUT_MODEL = REPO / "benchmarks" / "crisis_sets" / "holdout_model.json"
SEED = 0
C = 8.0
FOLDS = 5
# Out-of-fold false-positive rates the two thresholds are set to: the classifier alone sends
# the direct question (never the crisis reply), so it may flag a little; context lowers the bar.
TARGET_FP = 0.03
TARGET_FP_CONTEXT = 0.08
MIN_DF = 2
DIGITS = 5


def _fold(line: Line) -> int:
    return hashlib.sha256(f"fold\0{line.language}\0{line.text}".encode()).digest()[1] % FOLDS


def _fit(lines: list[Line], vocabulary: dict[str, int]):  # type: ignore[no-untyped-def]
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows, cols, vals = [], [], []
    for i, line in enumerate(lines):
        found = features(line.text)
        scale = 1.0 / max(len(found), 1) ** 0.5
        for f in sorted(found):
            j = vocabulary.get(f)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(scale)
    x = csr_matrix((vals, (rows, cols)), shape=(len(lines), len(vocabulary)), dtype=np.float64)
    y = np.array([1 if line.crisis else 0 for line in lines])
    model = LogisticRegression(
        C=C, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=1000
    )
    model.fit(x, y)
    return model, x


def _vocabulary(lines: list[Line]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        for f in features(line.text):
            counts[f] = counts.get(f, 0) + 1
    kept = sorted(f for f, n in counts.items() if n >= MIN_DF)
    return {f: i for i, f in enumerate(kept)}


def _threshold(scores: list[tuple[float, bool]], target_fp: float) -> float:
    ordinary = sorted((s for s, crisis in scores if not crisis), reverse=True)
    allowed = int(target_fp * len(ordinary))
    # Just above the (allowed+1)-th highest ordinary score.
    bar = ordinary[allowed] if allowed < len(ordinary) else 0.0
    return round(min(max(bar + 1e-4, 0.05), 0.95), 4)


def train(lines: list[Line], data_sha256: str) -> dict[str, object]:
    import sklearn

    out_of_fold: list[tuple[float, bool]] = []
    for k in range(FOLDS):
        train_part = [line for line in lines if _fold(line) != k]
        test_part = [line for line in lines if _fold(line) == k]
        vocabulary = _vocabulary(train_part)
        model, _ = _fit(train_part, vocabulary)
        weights = dict(zip(vocabulary, model.coef_[0], strict=True))
        bias = float(model.intercept_[0])
        for line in test_part:
            found = features(line.text)
            z = bias + sum(weights.get(f, 0.0) for f in found) / max(len(found), 1) ** 0.5
            out_of_fold.append((1 / (1 + pow(2.718281828459045, -z)), line.crisis))
    vocabulary = _vocabulary(lines)
    model, _ = _fit(lines, vocabulary)
    weights = {
        f: round(float(w), DIGITS)
        for f, w in zip(vocabulary, model.coef_[0], strict=True)
        if abs(w) >= 10**-DIGITS
    }
    return {
        "format": FORMAT,
        "trained_on": {"set": "dev", "lines": len(lines), "sha256": data_sha256},
        "library": f"scikit-learn {sklearn.__version__}",
        "seed": SEED,
        "C": C,
        "bias": round(float(model.intercept_[0]), DIGITS),
        "threshold": _threshold(out_of_fold, TARGET_FP),
        "context_threshold": _threshold(out_of_fold, TARGET_FP_CONTEXT),
        "weights": dict(sorted(weights.items())),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", action="store_true", help="leave out 1 dev line in 5")
    parser.add_argument("--out", type=Path, help="where to write the model")
    args = parser.parse_args(argv)
    files = set_files("dev")
    lines = read_lines(files)
    if args.holdout:
        lines = [line for line in lines if not held_out(line)]
    model = train(lines, combined_sha256(files) + ("-holdout" if args.holdout else ""))
    out = args.out or (HOLDOUT_MODEL if args.holdout else SHIPPED)
    out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = out.stat().st_size
    print(
        f"{out.relative_to(REPO) if out.is_relative_to(REPO) else out}: {len(lines)} lines, "
        f"{len(model['weights'])} weights, {size / 1024:.0f} KiB, "  # type: ignore[arg-type]
        f"threshold {model['threshold']}, context {model['context_threshold']}"
    )


if __name__ == "__main__":
    main()
