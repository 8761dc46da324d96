"""The leads' daily brief and the weekly digest as Adaptive Cards, and the burn-up chart.

A report is a list of sections (a heading and its lines) split into as many cards as it
needs, each well inside Teams' 28 KB a message: nothing is cut, and each card of several says
which part it is. The digest's first card is the spend; the chart follows it as an image.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence

from microsoft_teams.cards import CardElement
from PIL import Image

from bot.brief import Brief, Voice, capacity_sentence, checkins_sentence, money_sentences, risk_sentence
from bot.digest import (
    Digest,
    decision_sentence,
    move_sentence,
    next_sentences,
    sector_sentence,
    service_sentence,
    spend_sentences,
)
from bot.ports import Report
from bot.spend import forecast_lines
from handlers.teams.cards.base import Card, card, heading, line, plain, subheading

PART_BYTES = 20_000  # a card's JSON, well inside Teams' 28 KB a message with room for the envelope
PART_ELEMENTS = 40
PIECE_CHARS = 3_000  # a very long comment goes on in another block
FLAGS_SHOWN = 5
CHART_COLOURS = 32
BREAK = ("", ())  # a section that starts a new card

Section = tuple[str, Sequence[str]]


def report_cards(report: Report) -> list[Card]:
    if isinstance(report, Brief):
        return paginate(report.title, _subtitle_brief(report), brief_sections(report))
    if isinstance(report, Digest):
        return paginate(report.title, _subtitle_digest(report), digest_sections(report))
    raise TypeError(f"not a brief or a digest: {type(report).__name__}")


def chart_image(png: bytes, colours: int = CHART_COLOURS) -> str:
    """The chart as a data URI small enough for a Teams message (the Bot Connector refuses
    messages much over 28 KB): the same picture with a palette of a few colours, which a
    line chart on white loses nothing to."""
    with Image.open(io.BytesIO(png)) as picture:
        out = io.BytesIO()
        picture.convert("RGB").quantize(colours).save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# -- what each report says ----------------------------------------------------------------------


def _subtitle_brief(b: Brief) -> str:
    return f"{b.today:%a %d %b %Y} · covering {b.day:%a %d %b}, the last working day"


def brief_sections(b: Brief) -> list[Section]:
    c = b.checkins
    checkins = [plain(checkins_sentence(c))]
    if c.not_heard_from:
        checkins.append("Not heard from: " + ", ".join(plain(n) for n in c.not_heard_from) + ".")
    money = [plain(s) for s in money_sentences(b.money)] + flag_lines([f.message for f in b.money.flags])
    return [
        (f"Check-ins on {b.day:%a %d %b}", checkins),
        (f"Money (to the end of {b.day:%a %d %b})", money),
        ("Capacity changes", [("▲ " if x.worse else "▼ ") + plain(capacity_sentence(x)) for x in b.capacity]
         or ["No service changed level."]),
        ("Risks new or changed", [("**New**: " if r.new else "") + plain(risk_sentence(r)) for r in b.risks] or ["None."]),
        ("Partner voice", voice_lines(b.voice, b.voice_left_out)),
    ]


def _subtitle_digest(d: Digest) -> str:
    n = d.next
    days = f"{n.working_days_left} working day{'' if n.working_days_left == 1 else 's'}"
    return f"The week {d.week_from:%a %d %b} to {d.today:%a %d %b %Y} · {days} left to {n.deadline:%a %d %b %Y}"


def digest_sections(d: Digest) -> list[Section]:
    spend = [plain(s) for s in spend_sentences(d)] + [plain(s) for s in forecast_lines(d.position)[1:2]]
    spend += flag_lines([flag.message for flag in d.position.flags])
    if d.chart_png:
        spend.append("_The burn-up chart follows: spend and commitment against the even pace to the deadline._")
    return [
        ("Spend against the trajectory", spend),
        BREAK,
        ("Capacity by service this week", [plain(service_sentence(s)) for s in d.capacity]
         or ["No service is reported on."]),
        ("Risks opened this week", [plain(move_sentence(m)) for m in d.opened] or ["None."]),
        ("Risks closed this week", [plain(move_sentence(m)) for m in d.closed] or ["None."]),
        ("Decisions this week", [plain(decision_sentence(x)) for x in d.decisions]
         or ["No decision was recorded this week."]),
        ("Partner voice", voice_lines(d.voice, d.voice_left_out)),
        ("Engagement by sector (check-ins, last five working days)", [plain(sector_sentence(s)) for s in d.engagement]),
        ("What is next", [plain(s) for s in next_sentences(d.next)]),
    ]


def flag_lines(messages: Sequence[str]) -> list[str]:
    lines = [f"⚠ {plain(m)}" for m in messages[:FLAGS_SHOWN]]
    if len(messages) > FLAGS_SHOWN:
        left = len(messages) - FLAGS_SHOWN
        lines.append(f"{left} more flag{'' if left == 1 else 's'}: type `spend` to see them all.")
    return lines


def voice_lines(voice: Sequence[Voice], left_out: int) -> list[str]:
    """Each blocker or comment in the partner's own words, attributed to the organisation;
    a very long one in several pieces, the attribution under the last."""
    if not voice:
        return ["No blockers or comments from community partners."]
    lines: list[str] = []
    for v in voice:
        for label, text in (("blockers", v.blockers), ("comment", v.comment)):
            if not text:
                continue
            pieces = _pieces(plain(text))
            for index, piece in enumerate(pieces):
                quoted = f"“{piece}”" + (f" ({index + 1} of {len(pieces)})" if len(pieces) > 1 else "")
                if index == len(pieces) - 1:
                    quoted += f"\n\n— **{plain(v.organisation)}**, {label}, {v.day:%a %d %b}"
                lines.append(quoted)
    if left_out:
        lines.append(f"{left_out} more not shown here.")
    return lines


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    while len(text) > PIECE_CHARS:
        cut = text.rfind(" ", 0, PIECE_CHARS)
        cut = cut if cut > PIECE_CHARS // 2 else PIECE_CHARS
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text]


# -- paging -----------------------------------------------------------------------------------------


def paginate(title: str, subtitle: str, sections: Sequence[Section]) -> list[Card]:
    """Sections into cards of at most PART_ELEMENTS elements and PART_BYTES of JSON; a section
    that does not fit goes on in the next card under its heading, "(continued)"."""
    pages: list[list[CardElement]] = [[]]
    for name, lines in sections:
        if (name, lines) == BREAK:
            if pages[-1]:
                pages.append([])
            continue
        pages[-1].append(subheading(name))
        for text in lines:
            element = line(text)
            if not _fits(pages[-1], element):
                pages.append([subheading(f"{name} (continued)")])
            pages[-1].append(element)
    pages = [p for p in pages if p]
    total = len(pages)
    cards = []
    for index, page in enumerate(pages):
        top: list[CardElement] = [heading(title if total == 1 else f"{title} (part {index + 1} of {total})")]
        if index == 0:
            top.append(line(subtitle, subtle=True))
        cards.append(card([*top, *page]))
    return cards


def _fits(page: list[CardElement], element: CardElement) -> bool:
    if len(page) + 1 > PART_ELEMENTS:
        return False
    size = sum(len(json.dumps(e.model_dump(by_alias=True, exclude_none=True))) for e in [*page, element])
    return size <= PART_BYTES
