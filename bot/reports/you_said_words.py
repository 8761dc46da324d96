"""You said, we did, in words: a line per blocker, shared by the digest's renderers."""

from __future__ import annotations

from bot.checkin.blockers import LIVE
from bot.checkin.blockers_words import DONE_WORDS, STATUS_WORDS
from bot.common.wording import join_words, plural, shortened
from bot.reports.you_said import Answer, SaidItem, YouSaid


def answer_words(answer: Answer) -> str:
    did = DONE_WORDS.get(answer.action, answer.action)
    return f"{answer.who} {did}" + (f": “{shortened(answer.note, 160)}”" if answer.note else "")


def said_line(item: SaidItem) -> str:
    """“Words” (who, when): what answered it, or how long it has waited."""
    head = f"“{shortened(item.text, 160)}” ({join_words(list(item.organisations))}, {item.raised_on:%a %-d %b})"
    if item.answers:
        return (
            f"{head}: "
            + "; ".join(answer_words(a) for a in item.answers)
            + f". Now {STATUS_WORDS.get(item.status, item.status)}."
        )
    if item.status not in LIVE:
        return f"{head}: {STATUS_WORDS.get(item.status, item.status)} by the partner, with no answer needed."
    return f"{head}: no answer yet, {plural(item.waited, 'working day')} on."


def you_said_answers(ys: YouSaid) -> tuple[tuple[int, ...], ...]:
    """By line of you_said_lines: the blocker a lead may still answer from it (open, no answer)."""

    def answerable(item: SaidItem) -> tuple[int, ...]:
        return (item.blocker_id,) if item.answerable else ()

    out = [answerable(i) for i in ys.raised] or [()]
    if ys.waiting:
        out += [(), *(answerable(i) for i in ys.waiting)]
    return tuple(out)


def you_said_lines(ys: YouSaid) -> list[str]:
    lines = [said_line(i) for i in ys.raised] or ["No blocker was raised this week."]
    if ys.waiting:
        lines.append("Still open from before:")
        lines += [said_line(i) for i in ys.waiting]
    if ys.waiting_left_out:
        lines.append(f"{plural(ys.waiting_left_out, 'more blocker')} still open: `/winter blockers` lists them.")
    return lines
