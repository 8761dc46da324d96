"""`/winter partners`: who answers the daily check-in, by sector and by organisation, over the
last week and since the start. Pure functions; within Slack's limits however many organisations
(the table is packed into sections and what does not fit is counted)."""

from __future__ import annotations

from typing import Any

from bot.common.wording import plural, shortened
from bot.reports.engagement import Engagement, OrganisationEngagement, SectorEngagement, Tally
from bot.reports.leads_view import EngagementView, ViewRefused
from handlers.slack.blocks.limits import MESSAGE_BLOCKS
from handlers.slack.blocks.status import context, header, packed, section
from handlers.slack.blocks.text import escape

Json = dict[str, Any]
PartnersResult = EngagementView | Engagement | ViewRefused
NAME_WIDTH = 28
SECTOR_NAMES = {"statutory": "Statutory", "community": "Community", "all": "All"}


def partners_blocks(result: PartnersResult) -> list[Json]:
    if isinstance(result, ViewRefused):
        return [section(escape(result.message))]
    e = result.engagement if isinstance(result, EngagementView) else result
    blocks: list[Json] = [
        header(f"Check-in response rates: {e.programme_name}"),
        section(sectors_text(e)),
        {"type": "divider"},
    ]
    foot = context(
        f"Last week: the working days from {e.last_week_from:%a %d %b}; since the start: from {e.since:%a %d %b %Y}. "
        "A day counts when the partner was asked (a working day, not away); today only once answered. "
        "Shown only to you."
    )
    if not e.organisations:
        return [*blocks, section("No organisation has partners to ask yet."), foot]
    rows = [table_row(o) for o in e.organisations]
    title = f"*By organisation ({len(e.organisations)})*"
    heading = f"{'Organisation':<{NAME_WIDTH}} {'Sector':<9} {'People':>6} {'Last week':>16} {'Since start':>18}"
    budget = MESSAGE_BLOCKS - len(blocks) - 1
    table = packed(
        rows,
        title=f"{title}\n{heading}",
        budget=budget,
        more=lambda n: f"{plural(n, 'more organisation')} not shown here.",
    )
    return [*blocks, *[_fenced(block, index == 0) for index, block in enumerate(table)], foot]


def partners_text(result: PartnersResult) -> str:
    if isinstance(result, ViewRefused):
        return result.message
    e = result.engagement if isinstance(result, EngagementView) else result
    return (
        f"Check-in response rates for {e.programme_name}: "
        + "; ".join(
            f"{SECTOR_NAMES.get(s.sector, s.sector).lower()} {rate(s.last_week)} last week, {rate(s.since_start)} since the start"
            for s in (*e.sectors, e.overall)
        )
        + "."
    )


def sectors_text(e: Engagement) -> str:
    lines = ["*By sector*"]
    for s in (*e.sectors, e.overall):
        lines.append(sector_line(s))
    return "\n".join(lines)


def sector_line(s: SectorEngagement) -> str:
    name = SECTOR_NAMES.get(s.sector, s.sector.capitalize())
    return (
        f"*{name}* ({plural(s.organisations, 'organisation')}): "
        f"last week {rate(s.last_week)} · since the start {rate(s.since_start)}"
    )


def rate(t: Tally) -> str:
    """`80.0% (8 of 10)`, or `nobody asked` when there was no prompted day."""
    if t.rate is None:
        return "nobody asked"
    return f"{t.rate}% ({t.answered} of {t.prompted})"


def _cell(t: Tally) -> str:
    return "–" if t.rate is None else f"{t.rate}% {t.answered}/{t.prompted}"


def table_row(o: OrganisationEngagement) -> str:
    name = shortened(o.name, NAME_WIDTH)
    return escape(
        f"{name:<{NAME_WIDTH}} {o.sector:<9} {o.partners:>6} {_cell(o.last_week):>16} {_cell(o.since_start):>18}"
    )


def _fenced(block: Json, first: bool) -> Json:
    """The table's sections in a code fence (the title of the first stays outside)."""
    if block["type"] != "section":
        return block
    text = block["text"]["text"]
    if first:
        title, _, rest = text.partition("\n")
        return section(f"{title}\n```{rest}```")
    return section(f"```{text}```")
