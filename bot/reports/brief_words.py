"""The brief in words: the sentences every renderer shares, what each part shows and what it
leaves to a command, and the brief as plain Markdown.

The brief is read in a minute before the huddle, so it says what changed since the last one and
what needs the leads: the newly critical risks, the money at risk and the partners not heard
from come first; lists are cut to their first few whole items and say how many more there are
and where they are (`shows`: a platform's words for a command that shows them all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from bot.common.labels import unit_label
from bot.common.money import format_money, format_short
from bot.common.wording import join_words, plural, shortened
from bot.reports.brief import OVERCOMMITTED, VOICE_MOST, Brief, CapacityChange, CheckinsDay, MoneyChange, RiskChange
from bot.reports.quotes import BlockerQuote, Quote
from bot.spend.behind_plan import Shortfall
from bot.spend.position import Flag
from bot.spend.words import either_way, outlook, percent_below, percent_of, quantity_in

Shows = Callable[[str], str]  # a command's word -> "`/winter risks` shows them all."
Text = Callable[[str], str]  # words from outside (a name) as a platform shows them: escaped
T = TypeVar("T")

NAMED_MOST = 3  # schemes named in a flag's one line
NAME_WIDTH = 36
_LINKING = frozenset(
    {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "while", "with"}
)
UNDERSPEND = "underspend_risk"  # bot.spend.flags' rule
NO_CAPACITY_CHANGE = "No service changed level."
CAPACITY_WITH_RISKS = "Each change is said with its risk."
NO_RISK_CHANGE = "None."
NO_BLOCKERS = "No new blockers, and none waiting for an answer."
NO_OTHER_VOICE = "No other words from community partners."
BLOCKER_WIDTH = 90  # a blocker's words in its one line


def slash_command(word: str) -> str:
    return f"`/winter {word}` shows them all."


def signed(value: Decimal) -> str:
    return either_way(value, "-{}", "+{}", "no change")


def checkins_sentence(c: CheckinsDay) -> str:
    if c.expected == 0:
        return "No partner was asked to check in."
    sectors = ", ".join(f"{s.sector} {s.answered} of {s.expected}" for s in c.by_sector if s.expected)
    return (
        f"{c.answered} of {c.expected} partners answered ({percent_of(Decimal(c.answered), Decimal(c.expected))}): "
        f"{sectors}."
    )


def not_heard_sentence(c: CheckinsDay) -> str | None:
    return f"Not heard from: {join_words(c.not_heard_from)}." if c.not_heard_from else None


def money_sentences(m: MoneyChange) -> list[str]:
    available = f" ({format_money(m.allocated_so_far)} available)" if m.allocated_so_far < m.allocated_total else ""
    return [
        (
            f"Spent {format_money(m.actual)} ({signed(m.actual_change)} since {m.before:%a %d %b}), committed "
            f"{format_money(m.committed)} ({signed(m.committed_change)}), of {format_money(m.allocated_total)}"
            f"{available}."
        ),
        (
            f"Forecast {format_money(m.outturn_recent)} by {m.deadline:%a %d %b} at the recent "
            f"{format_money(m.recent_run_rate)} a working day, {outlook(m.variance_recent)}; "
            f"{format_money(m.run_rate_needed)} a day would spend it all."
        ),
    ]


# -- the money at risk and the other flags -------------------------------------------------------


def money_at_risk(m: MoneyChange, day: date, shows: Shows, text: Text = str) -> list[str]:
    """The underspend and overcommitted flags: money the leads may lose or overspend. The
    programme's own flags as sentences; the schemes over budget in one line when more than one."""
    schemes = {s.key for s in m.overcommitted}
    out = [text(underspend_sentence(f, m, day)) for f in m.flags if f.rule == UNDERSPEND]
    out += [text(f.message) for f in m.flags if f.rule == OVERCOMMITTED and f.subject not in schemes]
    if len(m.overcommitted) == 1:
        out += [text(f.message) for f in m.flags if f.rule == OVERCOMMITTED and f.subject in schemes]
    elif m.overcommitted:
        named = [
            f"{text(short_name(s.name))} ({format_money(s.actual + s.committed - s.budget)} over)"
            for s in m.overcommitted
        ]
        said = f"Over budget: {len(named)} schemes, {join_words(named[:NAMED_MOST])}"
        out.append(said + _rest(len(named), shows("spend")))
    return out


def underspend_sentence(flag: Flag, m: MoneyChange, day: date) -> str:
    """The flag's own sentence on the first brief since it was raised; then one short line."""
    if flag.raised_on is not None and flag.raised_on > day:
        return flag.message
    since = f" (raised {flag.raised_on:%a %d %b})" if flag.raised_on else ""
    outturn, allocation, percent = m.outturn_recent, m.allocated_total, m.underspend_percent
    said = f"Underspend risk{since}: forecast {format_short(outturn)}"
    if allocation <= 0:
        return f"{said}."
    if outturn * 100 < allocation * percent:
        return f"{said}, {percent_below(outturn, allocation, percent)} of {format_short(allocation)}."
    return f"{said}, {percent_of(outturn, allocation)} of {format_short(allocation)}, back at or above {percent}%."


def behind_plan_sentence(behind: Sequence[Shortfall], shows: Shows, text: Text = str) -> str | None:
    """One line: the worst NAMED_MOST schemes (as a share of what was expected by now) and the
    count of the rest. `text` sets the names from the programme file as the platform needs
    (escaped); the rest is the platform's own words."""
    if not behind:
        return None
    if len(behind) == 1:
        s = behind[0]
        return (
            f"Behind plan: {text(s.name)}, {quantity_in(s.activity, s.unit)} {unit_label(s.unit)} to date against "
            f"{s.expected_words} expected by now ({s.share})."
        )
    named = [f"{text(short_name(s.name))} ({s.share}{' of expected' if not i else ''})" for i, s in enumerate(behind)]
    worst = "worst " if len(behind) > NAMED_MOST else ""
    said = f"Behind plan: {len(behind)} schemes, {worst}{join_words(named[:NAMED_MOST])}"
    return said + _rest(len(behind), shows("spend"))


def silent_sentence(m: MoneyChange, shows: Shows, text: Text = str) -> str | None:
    """The silent schemes in one line, the first few named; `text` as for behind_plan_sentence."""
    if not m.silent:
        return None
    if len(m.silent) == 1:
        s = m.silent[0]
        since = f"last report {s.last_reported:%a %d %b}" if s.last_reported else "never reported"
        return f"Not reporting: {text(short_name(s.name))} ({text(s.owner)}; {since})."
    named = [text(short_name(s.name)) for s in m.silent[:NAMED_MOST]]
    return f"Not reporting: {len(m.silent)} schemes, {join_words(named)}" + _rest(len(m.silent), shows("spend"))


def short_name(name: str, width: int = NAME_WIDTH) -> str:
    """A scheme's name as a list names it: whole, or its first words and an ellipsis."""
    if len(name) <= width:
        return name
    head = name[: width - 1]
    words = (head if name[width - 1] == " " else head.rsplit(" ", 1)[0]).split()
    while len(words) > 1 and words[-1].lower() in _LINKING:
        words.pop()
    return " ".join(words).rstrip(",;:") + "…"


def _rest(count: int, shows: str) -> str:
    rest = count - NAMED_MOST
    return f"; {rest} more: {shows}" if rest > 0 else "."


def more_sentence(count: int, shows: str) -> str:
    return f"{count} more: {shows}"


# -- capacity and risks ------------------------------------------------------------------------------


def capacity_sentence(c: CapacityChange) -> str:
    way = "up" if c.worse else "down"
    return f"{c.organisation}: {c.label} {way} from level {c.level_from} to {c.level_to}"


def critical_risks(b: Brief) -> list[RiskChange]:
    """The risks raised as critical or made critical since the last brief: they lead it."""
    return [r for r in b.risks if r.critical_now]


def other_risks(b: Brief) -> list[RiskChange]:
    return [r for r in b.risks if not r.critical_now]


def capacity_told(b: Brief, risks: Sequence[RiskChange]) -> list[CapacityChange]:
    """The capacity changes, but those the lines of `risks` already say ("level 3 → 4")."""
    said = {(r.subject, phrase) for r in risks for phrase in r.said}
    return [c for c in b.capacity if (c.subject, f"level {c.level_from} → {c.level_to}") not in said]


def risk_sentence(r: RiskChange) -> str:
    """A new risk with its severity and owner; a changed one with what changed."""
    if r.new:
        owner = "no owner yet" if r.owner is None else r.owner
        whose = "" if r.owner and r.owner in r.title else f", {owner}"
        return f"{r.title} ({r.severity}{whose})" + (f": {'; '.join(r.said)}" if r.said else "")
    return f"{r.title} ({r.severity}): {'; '.join(r.said)}"


# -- blockers ---------------------------------------------------------------------------------------


def blocker_sentence(q: BlockerQuote) -> str:
    """ "#12 Brightside Home Care: “No drivers after 4pm” (new)"; several organisations, one line."""
    ids = ", ".join(f"#{i}" for i in q.blocker_ids)
    if q.new:
        state = "new" if q.status == "open" else "new, being worked on"
    else:
        state = f"open {plural(q.open_days, 'working day')}, no answer yet"
    return f"{ids} {join_words(q.organisations)}: “{shortened(q.text, BLOCKER_WIDTH)}” ({state})"


def shown_blockers(b: Brief, most: int) -> tuple[list[BlockerQuote], int]:
    """The blockers a brief lists and how many more it counts: all, or `most` - 1 of them, the
    day's new ones before the older unanswered, still shown oldest first."""
    if len(b.blockers) <= most:
        return list(b.blockers), 0
    keep = max(most - 1, 0)
    chosen = sorted(b.blockers, key=lambda q: not q.new)[:keep]
    return [q for q in b.blockers if q in chosen], len(b.blockers) - keep


def no_voice_sentence(b: Brief) -> str:
    return NO_OTHER_VOICE if b.blockers else "No blockers or comments from community partners."


# -- how much each list shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How many lines each list of the brief takes at most, its "n more" line included."""

    quotes: int = VOICE_MOST
    risks: int = 5
    capacity: int = 5
    blockers: int = 5


# Tried in turn until the Markdown brief is under BRIEF_CHARS: the partners' words give way first,
# then the blockers, the risks of lesser note and the capacity changes, never "Needs you".
FITTING = (
    Limits(3, 5, 5, 5),
    Limits(2, 5, 5, 5),
    Limits(2, 5, 5, 4),
    Limits(2, 3, 5, 4),
    Limits(2, 3, 3, 3),
    Limits(1, 3, 3, 3),
    Limits(1, 2, 3, 3),
    Limits(1, 2, 2, 2),
    Limits(1, 2, 2, 1),
)
BRIEF_CHARS = 1500


def fitted(b: Brief, shows: Shows) -> Limits:
    """The most generous limits under which the brief reads in a minute: under BRIEF_CHARS
    characters as Markdown, besides its critical risks' lines (they may take it over). The
    tightest when none does."""
    budget = BRIEF_CHARS + sum(len(f"- {_new(r)}{risk_sentence(r)}\n") for r in critical_risks(b))
    for limits in FITTING:
        if len(_markdown(b, shows, limits)) < budget:
            return limits
    return FITTING[-1]


def listed(items: Sequence[T], most: int) -> tuple[Sequence[T], int]:
    """The items a list shows and how many more it counts: all, or `most` - 1 and a line."""
    if len(items) <= most:
        return items, 0
    shown = max(most - 1, 0)
    return items[:shown], len(items) - shown


def shown_quotes(b: Brief, most: int) -> tuple[Sequence[Quote], int]:
    return b.voice[:most], b.voice_left_out + max(len(b.voice) - most, 0)


# -- Markdown --------------------------------------------------------------------------------------


def brief_markdown(b: Brief, shows: Shows = slash_command) -> str:
    return _markdown(b, shows, fitted(b, shows))


def _markdown(b: Brief, shows: Shows, limits: Limits) -> str:
    out = [f"# {b.title}", "", f"{b.today:%A %d %B %Y}, covering {b.day:%A %d %B}."]
    needs = [_new(r) + risk_sentence(r) for r in critical_risks(b)] + money_at_risk(b.money, b.day, shows)
    needs += [s for s in [not_heard_sentence(b.checkins)] if s]
    if needs:
        out += ["", "## Needs you", "", *(f"- {n}" for n in needs)]
    out += ["", f"## Check-ins on {b.day:%a %d %b}", "", checkins_sentence(b.checkins)]
    out += ["", "## Money", "", *money_sentences(b.money)]
    flags = [behind_plan_sentence(b.money.behind_plan, shows), silent_sentence(b.money, shows)]
    out += [f"- {s}" for s in flags if s]
    risks, more_risks = listed(other_risks(b), limits.risks)
    capacity = [capacity_sentence(c) for c in capacity_told(b, [*critical_risks(b), *risks])]
    empty = CAPACITY_WITH_RISKS if b.capacity else NO_CAPACITY_CHANGE
    out += ["", "## Capacity changes", "", *_list(capacity, limits.capacity, shows("status"), empty)]
    out += ["", "## Risks new or changed", ""]
    out += [f"- {_new(r)}{risk_sentence(r)}" for r in risks] or [NO_RISK_CHANGE]
    out += [more_sentence(more_risks, shows("risks"))] if more_risks else []
    out += ["", "## Blockers", "", *blockers_markdown(b, limits.blockers, shows)]
    out += ["", "## Partner voice", "", *voice_markdown(*shown_quotes(b, limits.quotes), empty=no_voice_sentence(b))]
    return "\n".join(out).rstrip() + "\n"


def blockers_markdown(b: Brief, most: int, shows: Shows) -> list[str]:
    blockers, more = shown_blockers(b, most)
    if not blockers and not more:
        return [NO_BLOCKERS]
    return [f"- {blocker_sentence(q)}" for q in blockers] + ([more_sentence(more, shows("blockers"))] if more else [])


def _new(r: RiskChange) -> str:
    return "New: " if r.new else ""


def _list(lines: list[str], most: int, shows: str, empty: str) -> list[str]:
    if not lines:
        return [empty]
    shown, more = listed(lines, most)
    return [f"- {line}" for line in shown] + ([more_sentence(more, shows)] if more else [])


def voice_markdown(
    voice: Sequence[Quote], left_out: int, empty: str = "No blockers or comments from community partners."
) -> list[str]:
    if not voice:
        return [empty]
    out: list[str] = []
    for q in voice:
        out += [*(f"> {line}" for line in q.text.splitlines() or [""]), f"> — {q.attribution}", ""]
    if left_out:
        out.append(voice_left_out_sentence(left_out))
    return out


def voice_left_out_sentence(left_out: int) -> str:
    return f"{plural(left_out, 'more quote')} not shown; the weekly digest has the week's."
