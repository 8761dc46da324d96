"""The weekly digest in Block Kit. Pure functions.

The first message is the spend against the trajectory (the burn-up chart is shared after it);
the rest follows in as many messages as it needs, each within Block Kit's limits (see
handlers.slack.blocks.brief.paginate).
"""

from __future__ import annotations

from bot.reports.brief import Brief
from bot.reports.digest import (
    Digest,
    ServiceWeek,
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
from handlers.slack.blocks.brief import (
    ALL_FLAGS,
    PAGE_BREAK,
    SlackMessage,
    brief_messages,
    lines_blocks,
    paginate,
)
from handlers.slack.blocks.marks import LEVEL_EMOJI, NEVER
from handlers.slack.blocks.markup import MRKDWN
from handlers.slack.blocks.status import context, header
from handlers.slack.blocks.text import escape

Json = dict


def digest_messages(digest: Digest) -> list[SlackMessage]:
    return paginate(digest.title, digest_blocks(digest))


def report_messages(report: Report) -> list[SlackMessage]:
    if isinstance(report, Brief):
        return brief_messages(report)
    if isinstance(report, Digest):
        return digest_messages(report)
    raise TypeError(f"not a brief or a digest: {type(report).__name__}")


def digest_blocks(d: Digest) -> list[Json]:
    spend = [escape(line) for line in spend_sentences(d)]
    spend += [escape(line) for line in forecast_lines(d.position)[1:2]]
    spend += flag_lines([flag.message for flag in d.position.flags], MRKDWN, ALL_FLAGS)
    n = d.next
    blocks: list[Json] = [
        header(d.title),
        context(
            f"The week {d.week_from:%a %d %b} to {d.today:%a %d %b %Y} · {n.working_days_left} working "
            f"day{'' if n.working_days_left == 1 else 's'} left to {n.deadline:%a %d %b %Y}"
        ),
        *lines_blocks("*Spend against the trajectory*", spend),
    ]
    if d.chart_png:
        blocks.append(context("The burn-up chart follows: spend and commitment against the even pace to the deadline."))
    blocks.append(PAGE_BREAK)
    blocks += [
        *lines_blocks(
            "*Capacity by service this week*", [service_line(s) for s in d.capacity] or ["No service is reported on."]
        ),
        {"type": "divider"},
        *lines_blocks("*Risks opened this week*", [escape(move_sentence(m)) for m in d.opened] or ["None."]),
        *lines_blocks("*Risks closed this week*", [escape(move_sentence(m)) for m in d.closed] or ["None."]),
        {"type": "divider"},
        *lines_blocks(
            "*Decisions this week*",
            [f"• {escape(decision_sentence(x))}" for x in d.decisions] or ["No decision was recorded this week."],
        ),
        {"type": "divider"},
        *lines_blocks("*Partner voice*", voice_lines(d.voice, d.voice_left_out, MRKDWN)),
        {"type": "divider"},
        *lines_blocks(
            "*Engagement by sector* (check-ins, last five working days)",
            [escape(sector_sentence(s)) for s in d.engagement],
        ),
        *lines_blocks("*What is next*", [escape(line) for line in next_sentences(n)]),
    ]
    return blocks


def service_line(s: ServiceWeek) -> str:
    emoji = LEVEL_EMOJI.get(s.latest, NEVER) if s.latest is not None else NEVER
    return f"{emoji} {escape(service_sentence(s))}"
