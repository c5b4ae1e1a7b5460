"""Tests for the crisis-language screen and the helpline data, against the shipped config files.

The screen is measured on a labelled list: `python -m tests.domain.test_crisis` prints recall on
the crisis phrases and the false-positive rate on the ordinary ones.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.crisis import Concern, CrisisConfigError, CrisisScreen
from nudgebot.domain.helplines import (
    Helpline,
    HelplineConfigError,
    Helplines,
    country_from_language,
)

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def _load(name: str) -> dict[str, Any]:
    with (CONFIG_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


# Built once at import: hypothesis tests must not rebuild it per example.
SCREEN = CrisisScreen.from_config(_load("crisis.toml"))
HELPLINES = Helplines.from_config(_load("helplines.toml"), _load("emergency.toml"))

DIR, IND, COD = Concern.DIRECT, Concern.INDIRECT, Concern.CODED

# What people might write when they are in danger. The category is what a careful reader would
# call it; the screen must catch every phrase, and every direct one as DIRECT.
CRISIS: list[tuple[str, Concern]] = [
    # Direct: explicit intent, plans, wishes to die, self-harm.
    ("I want to kill myself", DIR),
    ("i really want to kill myself", DIR),
    ("I'm going to end my life", DIR),
    ("I’m going to end my life", DIR),
    ("I want to die", DIR),
    ("i just want to die", DIR),
    ("I WANT TO DIE!!!", DIR),
    ("i want to diee", DIR),
    ("i wanna die", DIR),
    ("I want to die so badly", DIR),
    ("I've been cutting myself again", DIR),
    ("I have a plan to end it", DIR),
    ("I'm thinking about suicide", DIR),
    ("I feel suicidal tonight", DIR),
    ("I am suicidal", DIR),
    ("I keep having suicidal thoughts", DIR),
    ("I'm going to take my own life", DIR),
    ("I keep thinking about killing myself", DIR),
    ("Im gonna kill myself", DIR),
    ("im gonna kms fr. no im going to kill myself", DIR),
    ("I dont want to live anymore", DIR),
    ("I don't want to be alive anymore", DIR),
    ("I wish I was dead", DIR),
    ("I'd be better off dead", DIR),
    ("I want to hurt myself", DIR),
    ("I've been self-harming", DIR),
    ("I cut myself on purpose last night", DIR),
    ("I'm going to overdose on my meds", DIR),
    ("I'm going to jump off the bridge tonight", DIR),
    ("I'm going to hang myself", DIR),
    ("I want to shoot myself", DIR),
    ("I wrote a suicide note", DIR),
    ("I want to end it all", DIR),
    ("Today I'm planning to end my life", DIR),
    ("thinking of ending my life", DIR),
    ("I've decided to kill myself", DIR),
    ("I tried to kill myself last year and I feel like that again", DIR),
    ("Honestly I think I'm going to kill myself after the run", DIR),
    ("i   want    to   die", DIR),
    # Indirect: hopelessness, being a burden, farewells, wishing not to wake up.
    ("I don't want to wake up tomorrow", IND),
    ("I honestly don't want to wake up tomorrow", IND),
    ("Everyone would be better off without me", IND),
    ("I can't go on like this", IND),
    ("There's no point in living", IND),
    ("I want to disappear forever", IND),
    ("I'm a burden to everyone", IND),
    ("I'm saying goodbye to everyone", IND),
    ("Nobody would even notice if I was gone", IND),
    ("I have nothing left to live for", IND),
    ("I'm so tired of being alive", IND),
    ("I wish I could go to sleep and never wake up", IND),
    ("What's the point of living anymore", IND),
    ("I can't do this anymore", IND),
    ("I won't be around much longer", IND),
    ("I wish I'd never been born", IND),
    ("I've been giving away my things", IND),
    ("There's no way out for me", IND),
    ("My family would be happier without me", IND),
    ("I just want it all to end", IND),
    ("I don't see a reason to keep living", IND),
    ("I hope I don't wake up", IND),
    ("nobody would care if I died", IND),
    ("I'm done with life", IND),
    ("life isn't worth living", IND),
    ("I don't want to exist anymore", IND),
    # Coded: slang that stands in for suicide or self-harm.
    ("kms", COD),
    ("ugh kms", COD),
    ("i want to unalive myself", COD),
    ("thinking about unaliving", COD),
    ("sewerslide", COD),
    ("sewer slide is looking good rn", COD),
    ("kys", COD),
    ("I want to self delete", COD),
    ("relapsed on sh last night", COD),
    ("I think it's time to ctb", COD),
    # Written after the first patterns as held-out checks, kept as regression cases.
    ("i think about killing myself every day", DIR),
    ("tonight is the night i end it", DIR),
    ("ive got the pills saved up", DIR),
    ("I'm going to swallow all my sleeping pills", DIR),
    ("i cant stop thinking about dying", IND),
    ("i want to be dead", DIR),
    ("i dont wanna be here anymore", IND),
    ("I have been burning myself with a lighter", DIR),
    ("I relapsed and cut again", DIR),
    ("I hate myself and want to die", DIR),
    ("why should i keep living", IND),
    ("I don't think I'll be alive next week", IND),
    ("it would be easier if i was dead", DIR),
    ("i keep thinking everyone would be happier if i was gone", IND),
    ("the world would be better without me", IND),
    ("i've written letters to my family for when i'm gone", IND),
    ("I'm going to step in front of a train", DIR),
    ("Ill just end it tonight", DIR),
    ("I'm planning my suicide", DIR),
    ("i want to unalive", COD),
    ("thinking of kms tbh", COD),
    ("i don't want to be alive", DIR),
    ("Sometimes I wish I could just not exist", IND),
    ("i have nothing to live for", IND),
    ("i'm so tired. i want it to be over. all of it.", IND),
    ("i'm not gonna be around for much longer", IND),
    ("i want to die lol", DIR),
    ("wanna kill myself ngl", DIR),
    ("I feel like ending it", DIR),
    ("im going to end my own life", DIR),
    ("ending it tonight", DIR),
    ("I want to hurt myself again", DIR),
    ("life is pointless and I want out", IND),
    ("I can't keep going", IND),
    ("no one would miss me if I died", IND),
    ("nobody cares whether i live or die", IND),
    ("I'm thinking of jumping off my balcony", DIR),
    ("i'd rather be dead than feel like this", DIR),
    ("I feel like I'm a burden on my family", IND),
    ("i wish i was never born", IND),
    ("i keep googling ways to die", DIR),
    ("I'm scared I'm going to hurt myself tonight", DIR),
    ("been self harming again, sorry", DIR),
    ("i want to end everything", DIR),
    ("i'm gonna do it. i'm going to kill my self", DIR),
    ("honestly i just wanna die rn", DIR),
    ("I want my life to be over", IND),
    ("I'm thinking about taking all my pills", DIR),
    ("I keep imagining my own funeral and feeling relief", IND),
    ("there's no reason for me to be here", IND),
    ("i'm a waste of space and everyone knows it", IND),
    ("I feel like I'd be doing everyone a favour by disappearing", IND),
    ("I've been looking up how to overdose", DIR),
    ("i'm done. goodbye everyone", IND),
    ("I'm not going to be here much longer", IND),
    ("i cant do life anymore", IND),
    ("suicide seems like the only option", DIR),
    ("I just want to go to sleep forever", IND),
    ("i want to drive my car off the road", DIR),
    ("I feel like dying", DIR),
    ("i don't want to be here any more", IND),
    ("I hate my life and I want it to end", IND),
    ("unaliving myself sounds nice", COD),
    ("considering sewerslide ngl", COD),
    ("I wanna kms so bad", COD),
    ("what's the point of anything, I want to die", DIR),
    ("I'm going to slit my wrists", DIR),
    ("I'm tired of fighting to stay alive", IND),
]

# Ordinary notes, running slang and everyday hyperbole, none of which should raise the alarm.
ORDINARY: list[str] = [
    # Running talk.
    "this hill is killing me",
    "dying for a run",
    "killed my 5k",
    "my legs are dead",
    "killing it today",
    "dead tired",
    "the workout killed me",
    "murdered that interval session",
    "these hill repeats are going to be the death of me",
    "I was dying on the last mile",
    "that tempo run nearly killed me",
    "ran 10 kms this morning",
    "did 5 kms easy, felt good",
    "my calves are killing me",
    "I smashed my 10k PB",
    "coach made us run suicides",
    "the last interval destroyed me",
    "I hit the wall at mile 20",
    "I'm dead after that long run",
    "legs feel like lead",
    "I'm not going to kill myself on every run, easy pace today",
    "I want to end the run early today",
    "I hurt myself running yesterday, twisted my ankle",
    "that was a suicidal pace for the first km",
    "I'm dying to try the new trail",
    "my watch died halfway through",
    "dead last in my age group but happy",
    "I could sleep forever after that run",
    "this is the hill I'll die on",
    "I don't want to die before I run a marathon",
    # Everyday hyperbole and hard days that are not a crisis.
    "I could kill for a coffee",
    "I'm dying of laughter",
    "I'd die for pizza",
    "work was brutal",
    "I'm so tired of this traffic",
    "I want to quit my job",
    "My boss is killing me",
    "I could just die of embarrassment",
    "I'm dead serious",
    "This meeting is going to kill me",
    "I can't go on the run tomorrow, I have a dentist appointment",
    "I want to disappear for a week on a beach",
    "I'm done with this week",
    "my phone is dead",
    "I'm so done with winter",
    "the deadline is killing me",
    "I'm sick of the rain",
    "I've been killing myself at work this month",
    "That joke killed me",
    "the suspense is killing me",
    "I nearly died when I saw the price",
    "I can't take this heat anymore",
    "I can't do this commute anymore",
    "stressful day but I'm okay",
    "had a rough day, need a walk",
    "I feel overwhelmed with work",
    "everything went wrong today",
    "I'm exhausted",
    "kill the lights please",
    "we killed time at the airport",
    "my grandmother died last year and I miss her",
    "I almost died laughing",
    "I'm drowning in emails",
    "kill me now, another meeting",
    "I cut myself shaving",
    "I'm saying goodbye to everyone at work on Friday, new job!",
    "I don't want to live in this city forever",
    "I want to end it with my boyfriend",
    "overdosed on coffee again lol",
    "I'd rather die than miss the parkrun",
    "can't wait to disappear into the woods on my trail run",
    "watched Suicide Squad last night",
    "nobody would notice if I skipped the meeting",
    "I won't be around tomorrow, I'm travelling",
    # Written after the first patterns as held-out checks, kept as regression cases.
    "legs are toast after the long run",
    "the humidity was killing me today",
    "I'm dying to know my race result",
    "I totally died on that last hill",
    "intervals almost killed me but I finished",
    "I'm so done with this cold",
    "my boss wants me dead lol, so many deadlines",
    "I could murder a burger",
    "brutal tempo, dead legs",
    "pretty stressed but went for a walk",
    "I feel like giving up on this diet",
    "I hate running in the rain",
    "I'm over this week",
    "the kids are driving me crazy",
    "tired of being stuck inside",
    "I'm sick of my commute",
    "this heat will be the end of me",
    "so tired I could die",
    "ran 12 kms with the club",
    "went out for a short jog, felt better",
    "my knee is killing me after the half",
    "I want to end my streak of skipping runs",
    "I'm going to kill it at the race tomorrow",
    "ended the day with a walk",
    "argh my laptop died again",
    "exam stress is real",
    "I'm burnt out at work",
    "I'm dead inside after this meeting haha",
    "the new shoes are killing my feet",
    "I want to take my life in a new direction",
    "that was the best run of my life",
    "I'm afraid of dying young so I run",
    "I'll be gone for the weekend, hiking",
    "saying goodbye to my old running shoes",
    "my grandad passed away last week",
    "I'm drained",
    "I can't do this workout anymore, switching plans",
    "need to stop killing myself over small stuff",
    "no way out of this meeting lol",
    "I'm dying to get out for a run after work",
    "the last km killed me but I'm proud",
    "rough morning, everything hurts after leg day",
    "I'm so over this rain",
    "my headphones died on the run",
    "I'm fed up with my manager",
    "that hill climb was suicide",
    "I felt like dying on the last rep haha",
    "the sun is murdering me out here",
    "please kill this meeting",
    "I want to end the week on a good note",
    "I don't want to go to work tomorrow",
    "I can't do mornings",
    "give up on dessert for a month? never",
    "I'm a bit of a burden on the group runs because I'm slow",
    "no reason to skip the run today",
    "I want to sleep in forever on Sundays",
    "feeling hopeless about my marathon time",
    "I nearly dropped dead at the finish line lol",
    "went for a walk, saw a dead bird",
    "my plants are dying",
    "killing two birds with one stone, I walked to work",
    "I'd kill to run a sub-20 5k",
    "this cold is killing my motivation",
    "I'm not suicidal, just stressed about money",
    # Flagged, knowingly: "can't go on like this" is too common a warning sign to give up.
    "can't go on like this with no sleep, need a nap",
]

# German, checked with language "de" (English patterns always run as well).
CRISIS_DE: list[tuple[str, Concern]] = [
    ("Ich will mich umbringen", DIR),
    ("ich bring mich um", DIR),
    ("Ich will nicht mehr leben", DIR),
    ("ich möchte einfach nur sterben", DIR),
    ("Ich habe mich wieder geritzt", DIR),
    ("Ich denke an Selbstmord", DIR),
    ("Ich will morgen nicht mehr aufwachen", IND),
    ("Alle wären besser dran ohne mich", IND),
    ("Es hat alles keinen Sinn mehr", IND),
    ("Ich bin nur eine Last für alle", IND),
    ("ich will sterben", DIR),
    ("ich will einfach nicht mehr", IND),
]

ORDINARY_DE: list[str] = [
    "Dieser Berg bringt mich um",
    "Ich sterbe vor Lachen",
    "Meine Beine sind tot",
    "Ich bin todmüde",
    "Die Arbeit war heute brutal",
    "Ich will nicht sterben, bevor ich einen Marathon laufe",
    "Ich habe mich beim Laufen verletzt",
    "Nach dem Intervall konnte ich nicht mehr",
    "Ich will meinen Job kündigen",
    "5 kms locker gelaufen",
    "Ich bin heute völlig fertig",
    "Der Lauf hat mich gekillt",
    "Ich will heute nicht mehr laufen",
    "Die Hitze bringt mich noch um",
    "Ich könnte sterben vor Müdigkeit",
]

# A running phrase or everyday hyperbole next to a real statement: the statement must win.
MIXED: list[tuple[str, Concern]] = [
    ("This hill is killing me and honestly I want to die", DIR),
    ("killed my 5k but I still want to kill myself", DIR),
    ("dying for a run, but everyone would be better off without me", IND),
    ("My legs are dead. I don't want to wake up tomorrow.", IND),
    ("dead tired. I have a plan to end it", DIR),
    ("ran 10 kms, kms", COD),
    ("I could just die of embarrassment. Actually I want to die.", DIR),
    ("murdered that interval session, still thinking about suicide", DIR),
]


@dataclass(frozen=True)
class Measurement:
    caught: int
    crisis: int
    flagged_ordinary: int
    ordinary: int
    direct_missed: list[str]
    missed: list[str]
    false_positives: list[str]

    @property
    def recall(self) -> float:
        return self.caught / self.crisis

    @property
    def false_positive_rate(self) -> float:
        return self.flagged_ordinary / self.ordinary

    def summary(self) -> str:
        return (
            f"crisis screen: recall {self.recall:.3f} ({self.caught}/{self.crisis}), "
            f"false positives {self.false_positive_rate:.3f} "
            f"({self.flagged_ordinary}/{self.ordinary}), direct missed {len(self.direct_missed)}"
        )


def measure(screen: CrisisScreen = SCREEN) -> Measurement:
    crisis = [(text, want, "en") for text, want in CRISIS] + [
        (text, want, "de") for text, want in CRISIS_DE
    ]
    ordinary = [(text, "en") for text in ORDINARY] + [(text, "de") for text in ORDINARY_DE]
    missed = [text for text, _, lang in crisis if screen.check(text, lang) is Concern.NONE]
    direct_missed = [
        text
        for text, want, lang in crisis
        if want is Concern.DIRECT and screen.check(text, lang) is not Concern.DIRECT
    ]
    flagged = [text for text, lang in ordinary if screen.check(text, lang) is not Concern.NONE]
    return Measurement(
        caught=len(crisis) - len(missed),
        crisis=len(crisis),
        flagged_ordinary=len(flagged),
        ordinary=len(ordinary),
        direct_missed=direct_missed,
        missed=missed,
        false_positives=flagged,
    )


def test_labelled_list_is_big_enough() -> None:
    assert len(CRISIS) >= 50
    assert sum(1 for _, want in CRISIS if want is Concern.DIRECT) >= 20
    assert len(ORDINARY) >= 50
    assert len({text for text, _ in CRISIS}) == len(CRISIS)
    assert len(set(ORDINARY)) == len(ORDINARY)


def test_recall_and_false_positive_rate() -> None:
    result = measure()
    print(result.summary())
    assert not result.direct_missed, f"{result.summary()}; direct missed: {result.direct_missed}"
    assert result.recall >= 0.95, f"{result.summary()}; missed: {result.missed}"
    assert result.false_positive_rate <= 0.05, (
        f"{result.summary()}; flagged: {result.false_positives}"
    )


@pytest.mark.parametrize(("text", "want"), CRISIS)
def test_crisis_phrase_is_caught(text: str, want: Concern) -> None:
    got = SCREEN.check(text)
    assert got is not Concern.NONE, text
    if want is Concern.DIRECT:
        assert got is Concern.DIRECT, (text, SCREEN.explain(text))


@pytest.mark.parametrize(("text", "want"), CRISIS_DE)
def test_german_crisis_phrase_is_caught(text: str, want: Concern) -> None:
    got = SCREEN.check(text, "de-AT")
    assert got is not Concern.NONE, text
    if want is Concern.DIRECT:
        assert got is Concern.DIRECT, (text, SCREEN.explain(text, "de"))


@pytest.mark.parametrize("text", ORDINARY_DE)
def test_german_ordinary_phrase_is_not_flagged(text: str) -> None:
    assert SCREEN.check(text, "de") is Concern.NONE, SCREEN.explain(text, "de")


@pytest.mark.parametrize(("text", "want"), MIXED)
def test_crisis_next_to_running_talk_is_still_flagged(text: str, want: Concern) -> None:
    assert SCREEN.check(text) is want, SCREEN.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "I really want to kill myself",
        "i REALLY really want to kill myself",
        "I don’t want to wake up",
        "I dont want to wake up",
        "I do not want to wake up",
        "i dont   want to wake up.",
        "I don't want to wake up!!!",
        "I don't... want to wake up",
        "I’m a burden to everyone",
        "im a burden to everyone",
        "I am a burden to everyone",
        "I'm a burden to everyone",
        "I'M A BURDEN TO EVERYONE",
        "i want to kill my self",
        "i want to kiiiill myself",
        "I want to ｋｉｌｌ myself",
        "I honestly, truly want to die",
        "un-alive",
        "self-harm",
    ],
)
def test_common_variations_are_caught(text: str) -> None:
    assert SCREEN.check(text) is not Concern.NONE, text


def test_concern_orders_by_severity_and_none_is_falsy() -> None:
    assert Concern.NONE < Concern.INDIRECT < Concern.CODED < Concern.DIRECT
    assert not Concern.NONE
    assert all((Concern.INDIRECT, Concern.CODED, Concern.DIRECT))


def test_explain_names_the_pattern_and_hides_nothing_else() -> None:
    finding = SCREEN.explain("this hill is killing me and I want to die")
    assert finding is not None
    assert finding.concern is Concern.DIRECT
    assert finding.language == "en"
    assert "die" in finding.pattern
    assert SCREEN.explain("lovely easy run today") is None


def test_every_language_is_screened_whatever_the_app_language() -> None:
    # People in distress may write in another language than their Telegram app is set to.
    assert SCREEN.check("I want to die", None) is Concern.DIRECT
    assert SCREEN.check("I want to die", "xx") is Concern.DIRECT
    assert SCREEN.check("I want to die", "de") is Concern.DIRECT
    assert SCREEN.check("Ich will mich umbringen", "en") is Concern.DIRECT
    assert SCREEN.check("Ich will mich umbringen", None) is Concern.DIRECT
    assert SCREEN.check("Ich will mich umbringen", "de_CH") is Concern.DIRECT
    assert {"en", "de"} <= set(SCREEN.languages)


def test_empty_and_odd_text_is_not_flagged() -> None:
    for text in ("", " ", "\n\n", "!!!", "🙂", "5", "...", "'", "*", "(", "|"):
        assert SCREEN.check(text) is Concern.NONE


def test_screen_is_fast_enough_for_every_message() -> None:
    texts = [text for text, _ in CRISIS] + ORDINARY
    start = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for text in texts:
            SCREEN.check(text, "de")
    per_message = (time.perf_counter() - start) / (rounds * len(texts))
    # Generous bound so a loaded CI machine passes; typical figures are far lower.
    assert per_message < 0.002, f"{per_message * 1e6:.0f} µs per message"


def test_long_text_is_screened_quickly() -> None:
    text = ("easy run along the river, legs fine, " * 120) + "I want to die"
    start = time.perf_counter()
    assert SCREEN.check(text) is Concern.DIRECT
    assert time.perf_counter() - start < 0.05


@given(st.text(max_size=400), st.one_of(st.none(), st.text(max_size=12)))
def test_check_never_raises(text: str, language: str | None) -> None:
    assert isinstance(SCREEN.check(text, language), Concern)


_ASCII = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("\n\t’"),
    max_size=200,
)


def _flip_case(text: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flips[i % len(flips)] else c for i, c in enumerate(text))


@given(_ASCII, st.lists(st.booleans(), min_size=1, max_size=16))
def test_check_is_case_insensitive_on_any_text(text: str, flips: list[bool]) -> None:
    assert SCREEN.check(_flip_case(text, flips)) is SCREEN.check(text)


@given(
    st.sampled_from([text for text, _ in CRISIS] + ORDINARY),
    st.lists(st.booleans(), min_size=1, max_size=16),
)
def test_check_is_case_insensitive_on_labelled_phrases(text: str, flips: list[bool]) -> None:
    assert SCREEN.check(_flip_case(text, flips)) is SCREEN.check(text)


@given(
    st.sampled_from([text for text, want in CRISIS if want is Concern.DIRECT]),
    st.sampled_from(["", "ok. ", "run done, 5k. ", "the hill was killing me. "]),
    st.sampled_from(["", " sorry", ". legs are dead", " :("]),
)
def test_direct_statements_survive_surrounding_text(text: str, before: str, after: str) -> None:
    assert SCREEN.check(before + text + after) is Concern.DIRECT


# Configuration errors name the language and pattern so operators can fix their copy.


@pytest.mark.parametrize(
    "pattern",
    ["want to (die", "want to die)", "* die", "die *", "", "   ", "(|)", "die *0", "die *99 x"],
)
def test_malformed_patterns_are_rejected(pattern: str) -> None:
    with pytest.raises(CrisisConfigError, match="en"):
        CrisisScreen.from_config({"en": {"direct": [pattern]}})


def test_a_filler_alone_in_a_group_is_rejected_rather_than_made_optional() -> None:
    with pytest.raises(CrisisConfigError, match="seriously"):
        CrisisScreen.from_config(
            {"en": {"fillers": ["seriously"], "not_crisis": ["my life (seriously|back)"]}}
        )


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(CrisisConfigError, match="indrect"):
        CrisisScreen.from_config({"en": {"indrect": ["want to die"]}})


def test_a_minimal_config_works() -> None:
    screen = CrisisScreen.from_config(
        {
            "en": {
                "direct": ["want to * die", "(end|take) my (own|) life"],
                "coded": ["unaliv*", "#"],
                "not_crisis": ["die (of|from) (laughter|laughing)"],
                "fillers": ["really"],
                "rewrite": {"wanna": "want to", "im": "i am"},
            }
        }
    )
    assert screen.check("i wanna REALLY die") is Concern.DIRECT
    assert screen.check("I want to go and die") is Concern.DIRECT
    assert screen.check("I want to end my own life") is Concern.DIRECT
    assert screen.check("I want to take my life") is Concern.DIRECT
    assert screen.check("want to die of laughter") is Concern.NONE
    assert screen.check("unaliving") is Concern.CODED
    assert screen.check("ran 5k") is Concern.CODED
    assert screen.check("I want to go out and then maybe die") is Concern.NONE


def test_anchors_mark_the_end_of_a_sentence() -> None:
    screen = CrisisScreen.from_config(
        {"en": {"indirect": ["can not go on $", "^ whatever"], "rewrite": {"cant": "can not"}}}
    )
    assert screen.check("I can't go on.") is Concern.INDIRECT
    assert screen.check("I can't go on. Really.") is Concern.INDIRECT
    assert screen.check("I can't go on") is Concern.INDIRECT
    assert screen.check("I can't go on the run") is Concern.NONE
    assert screen.check("Whatever") is Concern.INDIRECT
    assert screen.check("ok. whatever") is Concern.INDIRECT
    assert screen.check("ok whatever") is Concern.NONE


# Helplines.


def test_us_gets_988_and_911() -> None:
    found = HELPLINES.for_country("US")
    assert found.country == "US"
    assert found.emergency_number == "911"
    assert found.emergency == "911"
    assert any(line.phone == "988" for line in found.lines)
    assert found.lines[-1].url == "https://findahelpline.com"


@pytest.mark.parametrize(
    ("country", "phone", "emergency"),
    [
        ("CA", "988", "911"),
        ("GB", "116 123", "999"),
        ("IE", "116 123", "112"),
        ("DE", "0800 111 0 111", "112"),
        ("AT", "142", "112"),
        ("CH", "143", "112"),
        ("FR", "3114", "112"),
        ("ES", "024", "112"),
        ("IT", "02 2327 2327", "112"),
        ("NL", "113", "112"),
        ("AU", "13 11 14", "000"),
        ("NZ", "1737", "111"),
        ("IN", "14416", "112"),
    ],
)
def test_every_listed_country_has_its_line_and_emergency_number(
    country: str, phone: str, emergency: str
) -> None:
    found = HELPLINES.for_country(country.lower())
    assert found.emergency_number is not None
    assert emergency in found.emergency_number
    assert any(line.phone == phone for line in found.lines), found.lines
    assert found.lines[-1].url == "https://findahelpline.com"
    assert len(found.lines) >= 2


@pytest.mark.parametrize("country", ["ZZ", "AQ", None, "", "not a country"])
def test_unknown_country_gets_the_fallback_and_a_hint(country: str | None) -> None:
    found = HELPLINES.for_country(country)
    assert found.country is None
    assert found.emergency_number is None
    assert found.emergency == "your local emergency number"
    assert [line.url for line in found.lines] == ["https://findahelpline.com"]


def test_uk_is_an_alias_for_gb() -> None:
    assert HELPLINES.for_country("UK") == HELPLINES.for_country("GB")


def test_every_line_can_be_reached_somehow() -> None:
    for code in HELPLINES.countries:
        for line in HELPLINES.for_country(code).lines:
            assert isinstance(line, Helpline)
            assert line.name
            assert line.phone or line.text or line.url


def test_helpline_config_errors_are_clear() -> None:
    with pytest.raises(HelplineConfigError, match="default"):
        Helplines.from_config({"countries": {}}, {})
    good_default = {"lines": [{"name": "Find A Helpline", "url": "https://findahelpline.com"}]}
    with pytest.raises(HelplineConfigError, match="USA"):
        Helplines.from_config({"default": good_default, "countries": {"USA": {}}}, {})
    with pytest.raises(HelplineConfigError, match="fone"):
        Helplines.from_config(
            {
                "default": good_default,
                "countries": {"US": {"lines": [{"name": "x", "fone": "1"}]}},
            },
            {},
        )


@pytest.mark.parametrize(
    ("language", "country"),
    [
        ("en-GB", "GB"),
        ("en_gb", "GB"),
        ("en-US", "US"),
        ("de", "DE"),
        ("de-AT", "AT"),
        ("de-CH", "CH"),
        ("fr", "FR"),
        ("fr-CA", "CA"),
        ("it", "IT"),
        ("nl", "NL"),
        ("pt-BR", "BR"),
        ("zh-Hant-TW", "TW"),
        ("en", None),
        ("es", None),
        ("pt", None),
        ("es-419", None),
        ("uk", "UA"),
        ("", None),
        (None, None),
        ("x-klingon", None),
        ("EN-gb", "GB"),
    ],
)
def test_country_from_language(language: str | None, country: str | None) -> None:
    assert country_from_language(language) == country


if __name__ == "__main__":
    result = measure()
    print(result.summary())
    for label, texts in (
        ("direct missed", result.direct_missed),
        ("missed", result.missed),
        ("false positives", result.false_positives),
    ):
        for text in texts:
            print(f"  {label}: {text}")
