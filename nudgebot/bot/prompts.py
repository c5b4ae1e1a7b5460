"""Messages the bot sends on its own initiative, rendered for Telegram."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from nudgebot.bot import keyboards
from nudgebot.content import Content, Texts
from nudgebot.domain.nudges import format_minutes, pick
from nudgebot.services.nudges import Offer
from nudgebot.services.views import Outgoing

Rendered = tuple[str, InlineKeyboardMarkup]


class UnknownKind(ValueError):
    """A delivery kind this version cannot render (a newer process scheduled it)."""


def checkin_prompt(texts: Texts, checkin_id: int, late: bool) -> Rendered:
    text = texts("checkin.prompt_late" if late else "checkin.prompt")
    return text, keyboards.rating(checkin_id)


def suggestion(nudges: Texts, offer: Offer, *, again: bool = False) -> Rendered:
    """A run or walk in words that vary from day to day, with one practical tip."""
    key = f"kinds.{offer.kind}"
    options = (
        nudges.items(f"{key}.gentle")
        if offer.gentle and f"{key}.gentle" in nudges.entries
        else nudges.items(f"{key}.texts")
    )
    text = pick(options, offer.seed).format(minutes=format_minutes(offer.minutes))
    body = nudges("suggestion.layout", text=text, tip=pick(nudges.items("tips"), offer.seed))
    if again:
        body = nudges("snooze.again") + "\n\n" + body
    return body, keyboards.suggestion(nudges, offer.suggestion_id, offer.kind)


def followup(nudges: Texts, suggestion_id: int) -> Rendered:
    return nudges("followup.question"), keyboards.followup(nudges, suggestion_id)


def render(content: Content, item: Outgoing) -> Rendered:
    match item.kind:
        case "checkin":
            return checkin_prompt(content.texts, item.ref_id, item.late)
        case "followup":
            return followup(content.nudges, item.ref_id)
        case "snooze":
            offer = item.details.get("offer")
            if not isinstance(offer, Offer):
                raise UnknownKind("snooze without an offer")
            return suggestion(content.nudges, offer, again=True)
    raise UnknownKind(item.kind)
