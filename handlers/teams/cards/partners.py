"""`partners`: who answers the daily check-in, by sector and by organisation, over the last
week and since the start."""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.engagement import Engagement, SectorEngagement, Tally
from bot.leads_view import EngagementView, ViewRefused
from handlers.teams.cards.base import Card, card, facts, heading, line, plain, subheading
from handlers.teams.cards.text import teams_words

PartnersResult = EngagementView | Engagement | ViewRefused
SECTOR_NAMES = {"statutory": "Statutory", "community": "Community", "all": "All"}
ROWS_SHOWN = 60


def partners_card(result: PartnersResult) -> Card:
    if isinstance(result, ViewRefused):
        return card([line(plain(teams_words(result.message)))])
    e = result.engagement if isinstance(result, EngagementView) else result
    body: list[CardElement] = [
        heading(f"Check-in response rates: {e.programme_name}"),
        subheading("By sector"),
        facts([(_sector(s), f"last week {rate(s.last_week)} · since the start {rate(s.since_start)}")
               for s in (*e.sectors, e.overall)]),
    ]
    if not e.organisations:
        body.append(line("No organisation has partners to ask yet."))
    else:
        body.append(subheading(f"By organisation ({len(e.organisations)})"))
        body.append(facts([
            (o.name, f"{o.sector}, {o.partners} people · last week {rate(o.last_week)} · since the start {rate(o.since_start)}")
            for o in e.organisations[:ROWS_SHOWN]
        ]))
        if len(e.organisations) > ROWS_SHOWN:
            body.append(line(f"{len(e.organisations) - ROWS_SHOWN} more organisations not shown here."))
    body.append(line(
        f"Last week: the working days from {e.last_week_from:%a %d %b}; since the start: from {e.since:%a %d %b %Y}. "
        "A day counts when the partner was asked (a working day, not away); today only once answered.",
        subtle=True,
    ))
    return card(body)


def _sector(s: SectorEngagement) -> str:
    name = SECTOR_NAMES.get(s.sector, s.sector.capitalize())
    return f"{name} ({s.organisations} organisation{'' if s.organisations == 1 else 's'})"


def rate(t: Tally) -> str:
    return "nobody asked" if t.rate is None else f"{t.rate}% ({t.answered} of {t.prompted})"
