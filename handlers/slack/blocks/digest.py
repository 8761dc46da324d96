"""The weekly digest in Block Kit. Pure functions.

The first message is the spend against the trajectory (the burn-up chart is shared after it);
the rest follows in as many messages as it needs, each within Block Kit's limits (see
handlers.slack.blocks.brief.paginate).
"""

from __future__ import annotations

from bot.reports.brief import Brief
from bot.reports.digest import Digest
from bot.reports.sections import digest_parts, digest_subtitle
from bot.sending.ports import Report
from handlers.slack.blocks.brief import (
    ALL_FLAGS,
    PAGE_BREAK,
    SlackMessage,
    brief_messages,
    paginate,
    parts_blocks,
)
from handlers.slack.blocks.markup import MRKDWN
from handlers.slack.blocks.status import context, header

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
    """The spend first, in a message of its own; the burn-up chart is shared after it."""
    spend, *rest = digest_parts(d, MRKDWN, ALL_FLAGS)
    blocks: list[Json] = [header(d.title), context(digest_subtitle(d)), *parts_blocks([spend])]
    if d.chart_png:
        blocks.append(context("The burn-up chart follows: spend and commitment against the even pace to the deadline."))
    return [*blocks, PAGE_BREAK, *parts_blocks(rest)]
