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

from microsoft_teams.cards import CardElement, Image
from PIL import Image as Picture

from bot.common.wording import plural
from bot.reports.brief import Brief
from bot.reports.brief_words import capacity_sentence, checkins_sentence, money_sentences, risk_sentence
from bot.reports.digest import (
    Digest,
    decision_sentence,
    move_sentence,
    next_sentences,
    sector_sentence,
    service_sentence,
    spend_sentences,
)
from bot.reports.said import flag_lines, voice_lines
from bot.sending.ports import Report
from bot.spend.words import forecast_lines
from handlers.teams.cards.base import MAX_TEXT, Card, card, heading, line, plain, subheading
from handlers.teams.cards.report_text import CONTINUED, level_mark, severity_mark, split_text
from handlers.teams.cards.text import MARKDOWN

PART_BYTES = 20_000  # the sections of one card as JSON; the heading, footer and envelope fit in the rest
PART_ELEMENTS = 40  # body elements of a card in all
FRAME_ELEMENTS = 3  # the heading, the subtitle or nothing, the "continued" footer
ALL_FLAGS = "type `spend` to see them all."
CHART_COLOURS = 32
BREAK = ("", ())  # a section that starts a new card

Section = tuple[str, Sequence[str]]


def report_cards(report: Report) -> list[Card]:
    if isinstance(report, Brief):
        return paginate(report.title, brief_subtitle(report), brief_sections(report))
    if isinstance(report, Digest):
        return paginate(report.title, digest_subtitle(report), digest_sections(report))
    raise TypeError(f"not a brief or a digest: {type(report).__name__}")


def chart_card(png: bytes, title: str) -> Card:
    """The burn-up chart on a card of its own, for where an image message will not do."""
    return card([heading(title), Image(url=chart_image(png), alt_text=title, size="Stretch")])


def chart_image(png: bytes, colours: int = CHART_COLOURS) -> str:
    """The chart as a data URI small enough for a Teams message (the Bot Connector refuses
    messages much over 28 KB): the same picture with a palette of a few colours, which a
    line chart on white loses nothing to."""
    with Picture.open(io.BytesIO(png)) as picture:
        out = io.BytesIO()
        picture.convert("RGB").quantize(colours).save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# -- what each report says ----------------------------------------------------------------------


def brief_subtitle(b: Brief) -> str:
    return f"{b.today:%a %d %b %Y} · covering {b.day:%a %d %b}, the last working day"


def brief_sections(b: Brief) -> list[Section]:
    c = b.checkins
    checkins = [plain(checkins_sentence(c))]
    if c.not_heard_from:
        checkins.append("Not heard from: " + ", ".join(plain(n) for n in c.not_heard_from) + ".")
    money = [plain(s) for s in money_sentences(b.money)] + flag_lines(
        [f.message for f in b.money.flags], MARKDOWN, ALL_FLAGS
    )
    capacity = [f"{'⬆️' if x.worse else '⬇️'} {level_mark(x.level_to)} {plain(capacity_sentence(x))}" for x in b.capacity]
    risks = [f"{severity_mark(r.severity)} {'**New**: ' if r.new else ''}{plain(risk_sentence(r))}" for r in b.risks]
    return [
        (f"Check-ins on {b.day:%a %d %b}", checkins),
        (f"Money (to the end of {b.day:%a %d %b})", money),
        ("Capacity changes", capacity or ["No service changed level."]),
        ("Risks new or changed", risks or ["None."]),
        ("Partner voice", voice_lines(b.voice, b.voice_left_out, MARKDOWN)),
    ]


def digest_subtitle(d: Digest) -> str:
    n = d.next
    days = plural(n.working_days_left, "working day")
    return f"The week {d.week_from:%a %d %b} to {d.today:%a %d %b %Y} · {days} left to {n.deadline:%a %d %b %Y}"


def digest_sections(d: Digest) -> list[Section]:
    spend = [plain(s) for s in spend_sentences(d)] + [plain(s) for s in forecast_lines(d.position)[1:2]]
    spend += flag_lines([flag.message for flag in d.position.flags], MARKDOWN, ALL_FLAGS)
    if d.chart_png:
        spend.append("_The burn-up chart follows: spend and commitment against the even pace to the deadline._")
    return [
        ("Spend against the trajectory", spend),
        BREAK,
        (
            "Capacity by service this week",
            [f"{level_mark(s.latest)} {plain(service_sentence(s))}" for s in d.capacity]
            or ["No service is reported on."],
        ),
        ("Risks opened this week", [plain(move_sentence(m)) for m in d.opened] or ["None."]),
        ("Risks closed this week", [plain(move_sentence(m)) for m in d.closed] or ["None."]),
        (
            "Decisions this week",
            [f"- {plain(decision_sentence(x))}" for x in d.decisions] or ["No decision was recorded this week."],
        ),
        ("Partner voice", voice_lines(d.voice, d.voice_left_out, MARKDOWN)),
        ("Engagement by sector (check-ins, last five working days)", [plain(sector_sentence(s)) for s in d.engagement]),
        ("What is next", [plain(s) for s in next_sentences(d.next)]),
    ]


# -- paging -----------------------------------------------------------------------------------------


def paginate(title: str, subtitle: str, sections: Sequence[Section]) -> list[Card]:
    """Sections into cards of at most PART_ELEMENTS elements and PART_BYTES of section JSON;
    a section that does not fit goes on in the next card under its heading, "(continued)"."""
    pages: list[list[CardElement]] = [[]]
    for name, lines in sections:
        if (name, lines) == BREAK:
            if pages[-1]:
                pages.append([])
            continue
        if not _fits(pages[-1], [subheading(name), *[line(text) for text in lines[:1]]]):
            pages.append([])  # a heading goes with at least its first line
        pages[-1].append(subheading(name))
        for text in lines:
            for piece in split_text(text, MAX_TEXT):
                element = line(piece)
                if not _fits(pages[-1], [element]):
                    pages.append([subheading(f"{name} {CONTINUED}")])
                pages[-1].append(element)
    pages = [p for p in pages if p] or [[]]
    return [_framed(title, subtitle, page, index, len(pages)) for index, page in enumerate(pages)]


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
