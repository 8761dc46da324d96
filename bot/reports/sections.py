"""The brief and the digest as sections, a heading and its lines, in the same order on every
platform. Sections read together make a part: Slack sets a divider between parts, and the
digest's first part (the spend) is a message or card of its own. Each platform adds only its
markup (bot.common.markup) and lays the sections out and pages them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.common.markup import Markup
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
from bot.reports.said import flag_lines, level_mark, severity_mark, voice_lines
from bot.spend.words import forecast_lines


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]
    aside: str = ""  # said after the heading, not in bold: "(to the end of Thu 07 Jan)"


Part = list[Section]


def brief_subtitle(b: Brief) -> str:
    return f"{b.today:%a %d %b %Y} · covering {b.day:%a %d %b}, the last working day"


def brief_parts(b: Brief, markup: Markup, all_flags: str) -> list[Part]:
    """`all_flags` says where every spend flag is shown, in the platform's own words."""
    c = b.checkins
    checkins = [markup.text(checkins_sentence(c))]
    if c.not_heard_from:
        checkins.append("Not heard from: " + ", ".join(markup.text(name) for name in c.not_heard_from) + ".")
    money = [markup.text(s) for s in money_sentences(b.money)]
    money += flag_lines([flag.message for flag in b.money.flags], markup, all_flags)
    capacity = [
        f"{markup.up if x.worse else markup.down} {level_mark(x.level_to, markup)} {markup.text(capacity_sentence(x))}"
        for x in b.capacity
    ]
    risks = [
        f"{severity_mark(r.severity, markup)} {markup.bold('New') + ': ' if r.new else ''}"
        f"{markup.text(risk_sentence(r))}"
        for r in b.risks
    ]
    return [
        [Section(f"Check-ins on {b.day:%a %d %b}", checkins)],
        [Section("Money", money, f"(to the end of {b.day:%a %d %b})")],
        [
            Section("Capacity changes", capacity or ["No service changed level."]),
            Section("Risks new or changed", risks or ["None."]),
        ],
        [Section("Partner voice", voice_lines(b.voice, b.voice_left_out, markup))],
    ]


def digest_subtitle(d: Digest) -> str:
    n = d.next
    days = plural(n.working_days_left, "working day")
    return f"The week {d.week_from:%a %d %b} to {d.today:%a %d %b %Y} · {days} left to {n.deadline:%a %d %b %Y}"


def digest_parts(d: Digest, markup: Markup, all_flags: str) -> list[Part]:
    spend = [markup.text(s) for s in spend_sentences(d)]
    spend += [markup.text(s) for s in forecast_lines(d.position)[1:2]]
    spend += flag_lines([flag.message for flag in d.position.flags], markup, all_flags)
    services = [f"{level_mark(s.latest, markup)} {markup.text(service_sentence(s))}" for s in d.capacity]
    decisions = [f"{markup.bullet} {markup.text(decision_sentence(x))}" for x in d.decisions]
    return [
        [Section("Spend against the trajectory", spend)],
        [Section("Capacity by service this week", services or ["No service is reported on."])],
        [
            Section("Risks opened this week", [markup.text(move_sentence(m)) for m in d.opened] or ["None."]),
            Section("Risks closed this week", [markup.text(move_sentence(m)) for m in d.closed] or ["None."]),
        ],
        [Section("Decisions this week", decisions or ["No decision was recorded this week."])],
        [Section("Partner voice", voice_lines(d.voice, d.voice_left_out, markup))],
        [
            Section(
                "Engagement by sector",
                [markup.text(sector_sentence(s)) for s in d.engagement],
                "(check-ins, last five working days)",
            ),
            Section("What is next", [markup.text(s) for s in next_sentences(d.next)]),
        ],
    ]
