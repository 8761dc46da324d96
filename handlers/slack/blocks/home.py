"""The App Home tab, per role. Pure functions; every view passes check_home (type "home", at most
100 blocks, 3,000 characters a section) whatever the programme's size.

- A lead, admin or observer: the status screen as they may see it (bot.reports.leads_view) and the
  decisions of the last week.
- A partner: today's check-in (answered and when, waiting, away, or not asked today), their
  organisation's schemes against budget and plan, their services' latest levels, the decisions.
- Someone on no programme: how to join.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.checkin.form import SchemeOnForm, ServiceOnForm
from bot.common.money import format_money, format_quantity
from bot.common.wording import plural, shortened
from bot.reports.decisions import DecisionView
from bot.reports.leads_view import Home, JoinHome, LeadHome, PartnerHome
from bot.reports.you_said import YouSaid
from bot.reports.you_said_words import said_line, you_said_lines
from bot.spend.words import percent_of
from handlers.slack.blocks.blocker_reply import reply_button
from handlers.slack.blocks.limits import SURFACE_BLOCKS
from handlers.slack.blocks.marks import LEVEL_EMOJI, NEVER
from handlers.slack.blocks.status import (
    SECTION_TEXT,
    context,
    header,
    packed,
    section,
    status_blocks,
)
from handlers.slack.blocks.text import escape
from models.vocabulary import A_ROLE, Role

Json = dict[str, Any]
DECISIONS_SHOWN = 10
REPLY_MOST = 10  # blockers with a Reply button on a lead's Home (a Home holds at most 100 blocks)
ANSWERING_ROLES = frozenset({Role.ADMIN, Role.LEAD})
SCHEME_SECTIONS = 20


def home_view(home: Home) -> Json:
    """The view for views.publish."""
    if isinstance(home, LeadHome):
        blocks = lead_home_blocks(home)
    elif isinstance(home, PartnerHome):
        blocks = partner_home_blocks(home)
    else:
        blocks = join_home_blocks(home)
    return {"type": "home", "blocks": blocks[:SURFACE_BLOCKS]}


def join_home_blocks(home: JoinHome) -> list[Json]:
    return [header("winterbot"), section(escape(home.message))]


def lead_home_blocks(home: LeadHome) -> list[Json]:
    status = status_blocks(home.status)
    if status and status[-1]["type"] == "context":
        status = status[:-1]  # "shown only to you" is for the ephemeral answer
    viewer = home.status.viewer
    blocks = [
        *status,
        context(
            f"You are {A_ROLE[viewer.role]} at {escape(viewer.organisation_name)}. `/winter help` lists what you can do."
        ),
        {"type": "divider"},
        *decision_blocks(home.decisions, home.decisions_from),
        *you_said_blocks(home.you_said, home.decisions_from),
        *(waiting_reply_blocks(home.you_said) if viewer.role in ANSWERING_ROLES else []),
    ]
    return blocks


def waiting_reply_blocks(ys: YouSaid) -> list[Json]:
    """For the leads: each blocker still open with no answer, with the brief's Reply button."""
    waiting = [i for i in (*ys.raised, *ys.waiting) if i.answerable][:REPLY_MOST]
    if not waiting:
        return []
    blocks = [section("*Waiting for an answer*")]
    for item in waiting:
        block = section(escape(shortened(said_line(item), 2900)))
        block["accessory"] = reply_button(item.blocker_id)
        blocks.append(block)
    return blocks


def partner_home_blocks(home: PartnerHome) -> list[Json]:
    v = home.viewer
    blocks: list[Json] = [
        header(v.programme_name),
        context(f"You are a partner at {escape(v.organisation_name)}. As on {home.today:%a %d %b %Y}."),
        section(checkin_text(home)),
        {"type": "divider"},
        *scheme_blocks(home.schemes),
        section(services_text(home.services)),
        {"type": "divider"},
        *decision_blocks(home.decisions, home.decisions_from),
        *you_said_blocks(home.you_said, home.decisions_from),
    ]
    return blocks


def you_said_blocks(ys: YouSaid, since: date) -> list[Json]:
    """You said, we did: the blockers since `since` with what answered them, and those still waiting."""
    lines = [f"• {escape(line)}" if not line.endswith(":") else escape(line) for line in you_said_lines(ys)]
    return [
        {"type": "divider"},
        section(shortened(f"*You said, we did* (since {since:%a %d %b})\n" + "\n".join(lines), SECTION_TEXT)),
    ]


def checkin_text(home: PartnerHome) -> str:
    c = home.checkin
    if c is not None:
        what = "nothing new since last time" if c.no_change else "your figures and levels are in"
        return f":white_check_mark: *Today's check-in*: answered at {c.submitted_at:%H:%M} ({what}). `/winter checkin` to amend it."
    if home.away_until is not None:
        return f":palm_tree: *Today's check-in*: you are away; prompts resume on {home.away_until:%a %d %b}. `/winter back` to resume now."
    if home.prompted_today:
        return (
            ":hourglass: *Today's check-in*: not answered yet. Open it from the prompt in your messages with winterbot, "
            "or with `/winter checkin`; it takes under a minute."
        )
    return f"*Today's check-in*: nobody is asked today ({home.today:%a %d %b})."


def scheme_blocks(schemes: Sequence[SchemeOnForm]) -> list[Json]:
    if not schemes:
        return [section("*Your schemes*: your organisation owns no scheme on this programme.")]
    lines = [scheme_line(s) for s in schemes]
    return packed(
        lines,
        title=f"*Your schemes ({len(schemes)})*",
        budget=SCHEME_SECTIONS,
        more=lambda n: f"{plural(n, 'more scheme')}: `/winter spend` lists them all.",
    )


def scheme_line(s: SchemeOnForm) -> str:
    name = escape(shortened(s.name, 80))
    if s.last is None:
        return f"• *{name}*: budget {format_money(s.budget)}, plan {format_quantity(s.planned)} {escape(s.unit_label)}; not reported yet"
    f = s.last
    used = f.actual + f.committed
    return (
        f"• *{name}*: spent {format_money(f.actual)} + committed {format_money(f.committed)} of "
        f"{format_money(s.budget)} ({percent_of(used, s.budget)}) · {format_quantity(f.activity)} of "
        f"{format_quantity(s.planned)} {escape(s.unit_label)} ({percent_of(f.activity, s.planned)}) · as on {f.local_date:%a %d %b}"
    )


def services_text(services: Sequence[ServiceOnForm]) -> str:
    if not services:
        return "*Your services*: none to report a capacity level for."
    lines = ["*Your services' latest levels*"]
    for s in services:
        if s.last_level is None:
            lines.append(f"• {escape(s.label)}: {NEVER} never reported")
        else:
            lines.append(
                f"• {escape(s.label)}: {LEVEL_EMOJI.get(s.last_level, '')} {s.last_level} (on {s.last_date:%a %d %b})"
            )
    return shortened("\n".join(lines), SECTION_TEXT)


def decision_blocks(decisions: Sequence[DecisionView], since: date) -> list[Json]:
    title = f"*Decisions since {since:%a %d %b}*"
    if not decisions:
        return [section(f"{title}: none recorded.")]
    blocks = [section(f"{title} ({len(decisions)})")]
    for d in decisions[:DECISIONS_SHOWN]:
        by = escape(d.by or "a former member") + (f", {escape(d.organisation)}" if d.organisation else "")
        quoted = "\n".join(f"> {line}" if line else ">" for line in escape(d.text).splitlines())
        blocks.append(section(shortened(f"{quoted}\n_{d.local_date:%a %d %b}, {by}_", SECTION_TEXT)))
    if len(decisions) > DECISIONS_SHOWN:
        left = len(decisions) - DECISIONS_SHOWN
        blocks.append(context(f"{plural(left, 'more decision')} this week: the weekly digest lists them all."))
    return blocks
