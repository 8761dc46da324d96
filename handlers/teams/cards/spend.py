"""`spend`: the position (totals, forecast, flags, every scheme), a lead's entry confirmed,
or why not. Flags and schemes are shown up to a point and the rest counted, so the card stays
under Teams' 28 KB however large the programme."""

from __future__ import annotations

from decimal import Decimal

from microsoft_teams.cards import CardElement

from bot.common.labels import source_label
from bot.common.money import format_money, format_quantity
from bot.common.wording import plural, shortened
from bot.spend.entry import EntryRefused, LeadEntry
from bot.spend.position import SchemeSpend, SpendPosition
from bot.spend.words import forecast_lines, percent_of
from handlers.teams.cards.base import Card, card, facts, heading, line, plain, subheading
from handlers.teams.cards.text import bullets, said

SpendResult = SpendPosition | LeadEntry | EntryRefused
SCHEMES_SHOWN = 60  # one FactSet row each; `winterbot status` prints them all
FLAGS_SHOWN = 10
KEY_WIDTH = 40
FLAG_WIDTH = 300
ALL_OF_THEM = "`winterbot status` prints them all."


def spend_card(result: SpendResult) -> Card:
    if isinstance(result, SpendPosition):
        return position_card(result)
    if isinstance(result, LeadEntry):
        return entry_card(result)
    return card([line(said(result.reason))])


def position_card(p: SpendPosition) -> Card:
    body: list[CardElement] = [
        heading(f"Spend: {p.programme_name}"),
        facts(
            [
                ("Allocated so far", f"{_money(p.allocated_so_far)} of {_money(p.allocated_total)}"),
                ("Actual", _money(p.actual)),
                ("Committed", _money(p.committed)),
                (
                    "Commitment",
                    f"{_money(p.commitment)} ({percent_of(p.commitment, p.allocated_total)} of the allocation)",
                ),
                *[
                    (
                        source_label(s.funding_source),
                        (
                            f"allocated {_money(s.allocated_so_far)} of {_money(s.allocated_total)}; "
                            f"actual {_money(s.actual)}, committed {_money(s.committed)}"
                        ),
                    )
                    for s in p.by_source
                ],
            ]
        ),
        subheading("Forecast"),
        line(bullets([plain(text) for text in forecast_lines(p)])),
        *_flags(p),
        subheading(f"Schemes ({len(p.schemes)})"),
        facts([(shortened(s.key, KEY_WIDTH), _scheme(s)) for s in p.schemes[:SCHEMES_SHOWN]]),
    ]
    if len(p.schemes) > SCHEMES_SHOWN:
        body.append(line(f"{plural(len(p.schemes) - SCHEMES_SHOWN, 'more scheme')} not shown: {ALL_OF_THEM}"))
    body.append(line(f"As on {p.today:%a %d %b %Y}, deadline {p.deadline:%a %d %b %Y}.", subtle=True))
    return card(body)


def _flags(p: SpendPosition) -> list[CardElement]:
    if not p.flags:
        return [subheading("Flags: none")]
    body: list[CardElement] = [subheading(f"Flags ({len(p.flags)})")]
    body += [line(f"⚠ {plain(shortened(flag.message, FLAG_WIDTH))}", attention=True) for flag in p.flags[:FLAGS_SHOWN]]
    if len(p.flags) > FLAGS_SHOWN:
        body.append(line(f"{plural(len(p.flags) - FLAGS_SHOWN, 'more flag')} not shown: {ALL_OF_THEM}"))
    return body


def _scheme(s: SchemeSpend) -> str:
    last = f"last {s.last_reported:%d %b}" if s.last_reported else "never reported"
    return (
        f"actual {_money(s.actual)} · committed {_money(s.committed)} of {_money(s.budget)} "
        f"({percent_of(s.actual + s.committed, s.budget)}) · activity {format_quantity(s.activity)}"
        f"/{format_quantity(s.planned)} · {last}"
    )


def entry_card(entry: LeadEntry) -> Card:
    f = entry.figures
    reason = f" Correction reason: {entry.correction_reason}." if entry.correction_reason else ""
    body: list[CardElement] = [
        line(
            plain(
                f"Recorded for {entry.scheme_name} ({entry.scheme_key}) on {entry.local_date:%a %d %b %Y}: spent to date "
                f"{_money(f.actual)}, committed {_money(f.committed)}, {format_quantity(f.activity)} {entry.unit} to date.{reason}"
            )
        )
    ]
    if entry.previous is not None:
        before = entry.previous
        body.append(
            line(
                plain(
                    f"Before: spent {_money(before.actual)}, committed {_money(before.committed)}, "
                    f"{format_quantity(before.activity)} {entry.unit}. Both stay in the ledger."
                ),
                subtle=True,
            )
        )
    if entry.redactions:
        body.append(line("An NHS number was removed from the reason before it was stored.", subtle=True))
    return card(body)


def _money(value: Decimal) -> str:
    return format_money(value, pence=True)
