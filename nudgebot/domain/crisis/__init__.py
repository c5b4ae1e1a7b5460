"""Screening free text for crisis language.

Pure domain code: the phrase lists and frames (config/crisis.toml), the shipped classifier's
weights and the helplines (config/helplines.toml) are passed in already parsed. The pattern
syntax is documented at the top of config/crisis.toml.

One module per job: normalise (text to tokens), patterns (the pattern language), screen (the
layered screen behind `CrisisScreen.screen`). Who to call lives in nudgebot.domain.helplines.
"""

from nudgebot.domain.crisis.screen import CrisisScreen, Finding
from nudgebot.domain.crisis.tiers import (
    Assessment,
    Concern,
    CrisisConfigError,
    ScreenContext,
    Tier,
)

__all__ = [
    "Assessment",
    "Concern",
    "CrisisConfigError",
    "CrisisScreen",
    "Finding",
    "ScreenContext",
    "Tier",
]
