"""What handlers need, held in bot_data by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from telegram.ext import ContextTypes

from nudgebot.content import Content, Texts
from nudgebot.domain.crisis import CrisisScreen
from nudgebot.domain.helplines import Helplines
from nudgebot.services.accounts import AccountService
from nudgebot.services.checkins import CheckinService
from nudgebot.services.nudges import NudgeService
from nudgebot.services.privacy import PrivacyService
from nudgebot.services.safety import SafetyService
from nudgebot.services.summaries import SummaryService
from nudgebot.services.updates import UpdateLog

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class BotDeps:
    accounts: AccountService
    checkins: CheckinService
    nudges: NudgeService
    privacy: PrivacyService
    safety: SafetyService
    summaries: SummaryService
    updates: UpdateLog
    content: Content
    texts: Texts
    nudge_texts: Texts
    zone_aliases: dict[str, str]
    crisis: CrisisScreen
    helplines: Helplines
    clock: Clock


def deps(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    found = context.bot_data["deps"]
    assert isinstance(found, BotDeps)
    return found
