"""The brief and the digest as sections, a heading and its lines, in the same order on every
platform. Sections read together make a part: Slack sets a divider between parts, and the
digest's first part (the spend) is a message or card of its own. Each platform adds only its
markup (bot.common.markup) and lays the sections out and pages them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.common.markup import Markup
from bot.common.wording import join_words, plural
from bot.reports.brief import Brief, RiskChange
from bot.reports.brief_words import (
    CAPACITY_WITH_RISKS,
    NO_BLOCKERS,
    NO_CAPACITY_CHANGE,
    NO_RISK_CHANGE,
    Shows,
    behind_plan_sentence,
    blocker_sentence,
    capacity_sentence,
    capacity_told,
    checkins_sentence,
    critical_risks,
    fitted,
    listed,
    money_at_risk,
    money_sentences,
    more_sentence,
    no_voice_sentence,
    not_heard_sentence,
    other_risks,
    risk_sentence,
    shown_blockers,
    shown_quotes,
    silent_sentence,
    voice_left_out_sentence,
)
from bot.reports.digest import (
    Digest,
    decision_sentence,
    move_sentence,
    next_sentences,
    sector_sentence,
    service_sentence,
    spend_sentences,
)
from bot.reports.quotes import Quote
from bot.reports.said import flag_lines, level_mark, severity_mark, voice_lines
from bot.reports.you_said_words import you_said_answers, you_said_lines
from bot.spend.words import forecast_lines


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]
    aside: str = ""  # said after the heading, not in bold: "(to the end of Thu 07 Jan)"
    answers: tuple[tuple[int, ...], ...] = ()  # by line: the blockers a lead may answer from it


Part = list[Section]


def brief_subtitle(b: Brief) -> str:
    return f"{b.today:%a %d %b %Y} · covering {b.day:%a %d %b}, the last working day"


def brief_parts(b: Brief, markup: Markup, shows: Shows) -> list[Part]:
    """`shows` says, in the platform's own words, which command shows all of a list cut short.
    Each list shows what the Markdown brief shows (bot.reports.brief_words.fitted)."""
    limits = fitted(b, shows)
    needs = [_risk_line(r, markup) for r in critical_risks(b)]
    needs += [f"{markup.warning} {s}" for s in money_at_risk(b.money, b.day, shows, markup.text)]
    needs += [markup.text(s) for s in [not_heard_sentence(b.checkins)] if s]
    money = [markup.text(s) for s in money_sentences(b.money)]
    flags = [
        behind_plan_sentence(b.money.behind_plan, shows, markup.text),
        silent_sentence(b.money, shows, markup.text),
    ]
    money += [f"{markup.warning} {s}" for s in flags if s]
    risks, more_risks = listed(other_risks(b), limits.risks)
    capacity = [
        f"{markup.up if x.worse else markup.down} {level_mark(x.level_to, markup)} {markup.text(capacity_sentence(x))}"
        for x in capacity_told(b, [*critical_risks(b), *risks])
    ]
    empty = CAPACITY_WITH_RISKS if b.capacity else NO_CAPACITY_CHANGE
    risk_lines = [_risk_line(r, markup) for r in risks] or [NO_RISK_CHANGE]
    risk_lines += [more_sentence(more_risks, shows("risks"))] if more_risks else []
    return [
        *([[Section("Needs you", needs)]] if needs else []),
        [Section(f"Check-ins on {b.day:%a %d %b}", [markup.text(checkins_sentence(b.checkins))])],
        [Section("Money", money, f"(to the end of {b.day:%a %d %b})")],
        [
            Section("Capacity changes", _list(capacity, limits.capacity, shows("status"), empty)),
            Section("Risks new or changed", risk_lines),
        ],
        [_blockers(b, markup, shows, limits.blockers)],
        [Section("Partner voice", _voice_lines(*shown_quotes(b, limits.quotes), markup, no_voice_sentence(b)))],
    ]


def _blockers(b: Brief, markup: Markup, shows: Shows, most: int) -> Section:
    """One line a blocker (or the same words from several organisations), each answered from the
    brief: `answers` says which blockers each line's buttons answer."""
    shown, more = shown_blockers(b, most)
    lines = [markup.text(blocker_sentence(q)) for q in shown]
    lines += [more_sentence(more, shows("blockers"))] if more else []
    return Section("Blockers", lines or [NO_BLOCKERS], answers=tuple(q.blocker_ids for q in shown))


def _risk_line(r: RiskChange, markup: Markup) -> str:
    new = markup.bold("New") + ": " if r.new else ""
    return f"{severity_mark(r.severity, markup)} {new}{markup.text(risk_sentence(r))}"


def _list(lines: list[str], most: int, shows: str, empty: str) -> list[str]:
    if not lines:
        return [empty]
    shown, more = listed(lines, most)
    return [*shown, *([more_sentence(more, shows)] if more else [])]


def _voice_lines(voice: Sequence[Quote], left_out: int, markup: Markup, empty: str) -> list[str]:
    """Each quote escaped and quoted, attributed to every organisation that said it."""
    if not voice:
        return [empty]
    lines: list[str] = []
    for q in voice:
        pieces = markup.quoted(q.text)
        names = join_words([markup.bold(name) for name in q.organisations])
        pieces[-1] += f"{markup.paragraph}— {names}, {q.label}"
        lines += pieces
    if left_out:
        lines.append(markup.text(voice_left_out_sentence(left_out)))
    return lines


def digest_subtitle(d: Digest) -> str:
    n = d.next
    days = plural(n.working_days_left, "working day")
    return f"The week {d.week_from:%a %d %b} to {d.today:%a %d %b %Y} · {days} left to {n.deadline:%a %d %b %Y}"


def said_lines(d: Digest, markup: Markup) -> list[str]:
    """You said, we did: a bullet a blocker, the heading of the still-waiting ones as it is."""
    return [
        markup.text(x) if x.endswith(":") else f"{markup.bullet} {markup.text(x)}" for x in you_said_lines(d.you_said)
    ]


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
        [Section("You said, we did", said_lines(d, markup), answers=you_said_answers(d.you_said))],
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
