"""`partners`: who answers the daily check-in, by sector and by organisation, over the last
week and since the start. Up to ROWS_SHOWN organisations, the rest counted."""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.common.wording import plural, shortened
from bot.reports.engagement import Engagement, OrganisationEngagement, SectorEngagement, Tally
from bot.reports.leads_view import EngagementView, ViewRefused
from handlers.teams.cards.base import Card, card, facts, heading, line, subheading
from handlers.teams.cards.text import said

PartnersResult = EngagementView | Engagement | ViewRefused
SECTOR_NAMES = {"statutory": "Statutory", "community": "Community", "all": "All"}
ROWS_SHOWN = 60
NAME_WIDTH = 60


def partners_card(result: PartnersResult) -> Card:
    if isinstance(result, ViewRefused):
        return card([line(said(result.message))])
    e = result.engagement if isinstance(result, EngagementView) else result
    body: list[CardElement] = [
        heading(f"Check-in response rates: {e.programme_name}"),
        subheading("By sector"),
        facts(
            [
                (_sector(s), f"last week {rate(s.last_week)} · since the start {rate(s.since_start)}")
                for s in (*e.sectors, e.overall)
            ]
        ),
        *_organisations(e.organisations),
        line(
            f"Last week: the working days from {e.last_week_from:%a %d %b}; since the start: from {e.since:%a %d %b %Y}. "
            "A day counts when the partner was asked (a working day, not away); today only once answered.",
            subtle=True,
        ),
    ]
    return card(body)


def _organisations(organisations: tuple[OrganisationEngagement, ...]) -> list[CardElement]:
    if not organisations:
        return [line("No organisation has partners to ask yet.")]
    body: list[CardElement] = [
        subheading(f"By organisation ({len(organisations)})"),
        facts([(shortened(o.name, NAME_WIDTH), _organisation(o)) for o in organisations[:ROWS_SHOWN]]),
    ]
    if len(organisations) > ROWS_SHOWN:
        body.append(line(f"{plural(len(organisations) - ROWS_SHOWN, 'more organisation')} not shown here."))
    return body


def _organisation(o: OrganisationEngagement) -> str:
    people = "person" if o.partners == 1 else "people"
    return f"{o.sector}, {o.partners} {people} · last week {rate(o.last_week)} · since the start {rate(o.since_start)}"


def _sector(s: SectorEngagement) -> str:
    name = SECTOR_NAMES.get(s.sector, s.sector.capitalize())
    return f"{name} ({plural(s.organisations, 'organisation')})"


def rate(t: Tally) -> str:
    return "nobody asked" if t.rate is None else f"{t.rate}% ({t.answered} of {t.prompted})"
