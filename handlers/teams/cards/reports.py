"""The leads' daily brief and the weekly digest as Adaptive Cards, and the burn-up chart.

A report is a list of sections (a heading and its lines), the same sections in the same order
as in Slack, split into as many cards as it needs, each well inside Teams' 28 KB a message and
40 body elements: nothing is cut, and each card of several says which part it is and that the
next one continues it. The digest's first card is the spend; the chart goes separately, as an
image (see chart_card and chart_image).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence
from dataclasses import replace

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Image,
    ShowCardAction,
    TextInput,
)
from PIL import Image as Picture
from PIL.Image import Resampling

from bot.checkin.blockers import NOTE_MOST
from bot.checkin.blockers_words import ANSWER_CHOICES
from bot.reports.brief import Brief
from bot.reports.digest import Digest
from bot.reports.sections import Section, brief_parts, brief_subtitle, digest_parts, digest_subtitle
from bot.sending.ports import Report
from handlers.teams.cards.base import MAX_TEXT, VERSION, Card, action, card, heading, line, subheading
from handlers.teams.cards.board import BOARD_HINT
from handlers.teams.cards.report_text import CONTINUED, split_text
from handlers.teams.cards.text import MARKDOWN

PART_BYTES = 20_000  # the sections of one card as JSON; the heading, footer and envelope fit in the rest
PART_ELEMENTS = 40  # body elements of a card in all
FRAME_ELEMENTS = 3  # the heading, the subtitle or nothing, the "continued" footer
ALL_FLAGS = "type `spend` to see them all."
CHART_FOLLOWS = "_The burn-up chart follows: spend and commitment against the even pace to the deadline._"
CHART_COLOURS = 32
CHART_URI_CHARS = 24_000  # leaves room in a 28 KB message for the card around it
BREAK = Section("", [])  # a section that starts a new card
BLOCKER_REPLY = "blocker_reply"  # the verb of a blocker's Send (handlers/teams/listeners/card_action.py)


def report_cards(report: Report) -> list[Card]:
    if isinstance(report, Brief):
        huddle = Section("Huddle board", [BOARD_HINT])  # within the cards' limits like any other section
        return paginate(report.title, brief_subtitle(report), [*brief_sections(report), huddle])
    if isinstance(report, Digest):
        return paginate(report.title, digest_subtitle(report), digest_sections(report))
    raise TypeError(f"not a brief or a digest: {type(report).__name__}")


def chart_card(png: bytes, title: str) -> Card:
    """The burn-up chart on a card of its own, for where an image message will not do."""
    return card([heading(title), Image(url=chart_image(png), alt_text=title, size="Stretch")])


def chart_image(png: bytes, colours: int = CHART_COLOURS) -> str:
    """The chart as a data URI small enough for a Teams message (the Bot Connector refuses
    messages much over 28 KB): the same picture with a palette of a few colours, which a
    line chart on white loses nothing to, and narrower in steps while it is still too big (a
    card shows it at the card's width, well under the 1080 px drawn for Slack's preview)."""
    with Picture.open(io.BytesIO(png)) as picture:
        rgb = picture.convert("RGB")
    scale = 1.0
    while True:
        size = (round(rgb.width * scale), round(rgb.height * scale))
        out = io.BytesIO()
        rgb.resize(size, Resampling.LANCZOS).quantize(colours).save(out, format="PNG", optimize=True)
        encoded = base64.b64encode(out.getvalue()).decode("ascii")
        if len(encoded) <= CHART_URI_CHARS or scale < 0.4:
            return "data:image/png;base64," + encoded
        scale *= 0.85


# -- what each report says ----------------------------------------------------------------------


def brief_sections(b: Brief) -> list[Section]:
    return [s for part in brief_parts(b, MARKDOWN, typed) for s in part]


def typed(word: str) -> str:
    """Where a list cut short is shown in full: the command typed to the bot."""
    return f"type `{word}` to see them all."


def digest_sections(d: Digest) -> list[Section]:
    """The spend on a card of its own, saying the burn-up chart follows when there is one."""
    (spend, *first), *rest = digest_parts(d, MARKDOWN, ALL_FLAGS)
    if d.chart_png:
        spend = replace(spend, lines=[*spend.lines, CHART_FOLLOWS])
    return [spend, *first, BREAK, *(s for part in rest for s in part)]


# -- paging -----------------------------------------------------------------------------------------


def paginate(title: str, subtitle: str, sections: Sequence[Section]) -> list[Card]:
    """Sections into cards of at most PART_ELEMENTS elements and PART_BYTES of section JSON;
    a section that does not fit goes on in the next card under its heading, "(continued)"."""
    pages: list[list[CardElement]] = [[]]
    for section in sections:
        if section == BREAK:
            if pages[-1]:
                pages.append([])
            continue
        name = section.heading + (f" {section.aside}" if section.aside else "")
        lines = section.lines
        if not _fits(pages[-1], [subheading(name), *[line(text) for text in lines[:1]]]):
            pages.append([])  # a heading goes with at least its first line
        pages[-1].append(subheading(name))
        for index, text in enumerate(lines):
            answers = section.answers[index] if index < len(section.answers) else ()
            elements: list[CardElement] = [line(piece) for piece in split_text(text, MAX_TEXT)]
            elements += [reply_actions(answers)] if answers else []
            for element in elements:
                if not _fits(pages[-1], [element]):
                    pages.append([subheading(f"{name} {CONTINUED}")])
                pages[-1].append(element)
    pages = [p for p in pages if p] or [[]]
    return [_framed(title, subtitle, page, index, len(pages)) for index, page in enumerate(pages)]


def reply_actions(blocker_ids: Sequence[int]) -> ActionSet:
    """Under a blocker's line in the brief: Reply…, unfolding the words, what to do and Send (one
    for each blocker when several organisations raised the same words). Input ids carry the
    blocker's id, so two unfolded forms on one card never mix their answers."""
    label = "Reply…" if len(blocker_ids) == 1 else "Reply to #{}…"
    return ActionSet(actions=[_reply_form(i, label.format(i)) for i in blocker_ids])


def _reply_form(blocker_id: int, title: str) -> ShowCardAction:
    words = TextInput(
        id=f"note:{blocker_id}",
        label="Your answer",
        is_multiline=True,
        max_length=NOTE_MOST,
        placeholder="What you will do, or why not",
    )
    choice = ChoiceSetInput(
        id=f"action:{blocker_id}",
        label="What to do",
        style="expanded",
        value="reply",
        choices=[Choice(title=label, value=value) for value, label in ANSWER_CHOICES],
    )
    send = action("Send", BLOCKER_REPLY, blocker_id=blocker_id)
    return ShowCardAction(title=title, card=AdaptiveCard(version=VERSION, body=[words, choice], actions=[send]))


def _framed(title: str, subtitle: str, page: list[CardElement], index: int, total: int) -> Card:
    top: list[CardElement] = [heading(title if total == 1 else f"{title} (part {index + 1} of {total})")]
    if index == 0:
        top.append(line(subtitle, subtle=True))
    last = index == total - 1
    bottom = [] if last else [line(f"Continued in the next card (part {index + 2} of {total}).", subtle=True)]
    return card([*top, *page, *bottom])


def _fits(page: list[CardElement], more: list[CardElement]) -> bool:
    """Whether `more` still fits on the page; a page's first elements always do."""
    if not page:
        return True
    if len(page) + len(more) > PART_ELEMENTS - FRAME_ELEMENTS:
        return False
    return sum(_size(e) for e in [*page, *more]) <= PART_BYTES


def _size(element: CardElement) -> int:
    return len(json.dumps(element.model_dump(by_alias=True, exclude_none=True)).encode())
