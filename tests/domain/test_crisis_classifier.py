"""The crisis classifier shipped in the package: it loads offline and tells the plain cases apart.

It is not yet a layer of `CrisisScreen.screen()`; these tests pin the model file and its reader so
the layered screen can build on them.
"""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from nudgebot.domain.crisis import CrisisConfigError
from nudgebot.domain.crisis.classifier import FORMAT, Classifier, features


@pytest.fixture(scope="module")
def model() -> Classifier:
    raw = json.loads(files("nudgebot.domain.crisis").joinpath("model.json").read_text("utf-8"))
    return Classifier.from_config(raw)


def test_the_shipped_model_is_small_and_records_what_it_was_trained_on() -> None:
    text = files("nudgebot.domain.crisis").joinpath("model.json").read_text("utf-8")
    raw = json.loads(text)
    assert raw["format"] == FORMAT
    assert raw["trained_on"]["set"] == "dev"
    assert len(text.encode()) < 3 * 1024 * 1024


@pytest.mark.parametrize(
    "text",
    [
        "i want to kill myself tonight",
        "I wrote letters to everyone and I'm saying goodbye for good",
        "я не хочу больше жить",
    ],
)
def test_plain_crisis_messages_score_above_the_threshold(model: Classifier, text: str) -> None:
    assert model.probability(text) >= model.threshold


@pytest.mark.parametrize(
    "text",
    [
        "Great 5k this morning, legs felt fresh",
        "work was busy but the walk at lunch helped",
        "Took the dog out, nice and sunny",
    ],
)
def test_plain_everyday_messages_score_below_the_threshold(model: Classifier, text: str) -> None:
    assert model.probability(text) < model.threshold


def test_context_lowers_the_bar(model: Classifier) -> None:
    assert 0 < model.context_threshold < model.threshold < 1


def test_features_ignore_case_and_repeated_letters() -> None:
    assert features("I want to DIE") == features("i want to dieeee")


def test_text_with_no_words_scores_zero(model: Classifier) -> None:
    assert model.probability("!!! ...") == 0.0


@pytest.mark.parametrize(
    "raw",
    [
        {"format": "other"},
        {"format": FORMAT, "weights": {}, "bias": 0.0},
        {"format": FORMAT, "weights": {}, "bias": 0.0, "threshold": 1.5},
    ],
)
def test_a_broken_model_file_is_named_not_a_traceback(raw: dict[str, object]) -> None:
    with pytest.raises(CrisisConfigError, match="crisis model"):
        Classifier.from_config(raw)
