"""The demo's pages about blockers: every blocker with its thread (`blockers.md`, as the leads see
them on `/winter blockers`), and you said, we did week by week (`you-said.md`, as the digest
tells the programme channel: a confidential organisation's words left out)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from bot.checkin.blockers import BlockerView, Reply, view_of
from bot.checkin.blockers_words import heading, thread
from bot.common.calendar import local_now
from bot.reports.you_said import you_said
from bot.reports.you_said_words import you_said_lines
from models.tables import Blocker, Programme

FRIDAY = 4


def write_threads(session: Session, programme: Programme, out: Path) -> int:
    """`blockers.md`: each blocker, oldest first, its words and every step of its thread."""
    lines = [
        "# Blockers and their threads",
        "",
        (
            "Every blocker the partners raised at check-in, as the leads see it on `/winter blockers`: "
            "who raised it, who answered and how (a reply, taking it on, a decision, won't fix), and who "
            "said it was resolved."
        ),
        "",
    ]
    blockers = session.exec(select(Blocker).where(Blocker.programme_id == programme.id).order_by(col(Blocker.id))).all()
    for blocker in blockers:
        view = view_of(session, blocker)
        lines += [f"## {heading(view)}", "", f"> {view.text}", ""]
        lines += [f"- {_when(r.at, programme)}: {line}" for r, line in zip(_answers(view), thread(view), strict=True)]
        lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")
    return len(blockers)


def _when(at: datetime, programme: Programme) -> str:
    return f"{local_now(at, programme.timezone):%a %d %b %H:%M}"


def _answers(view: BlockerView) -> list[Reply]:
    """The steps after the raising, in the order `thread` words them."""
    return [r for r in view.replies if r.action != "raised"]


def write_you_said(session: Session, programme: Programme, first: date, last: date, out: Path) -> int:
    """`you-said.md`: the digest's "you said, we did" for each week (Saturday to Friday) to `last`."""
    lines = [
        "# You said, we did",
        "",
        (
            "Week by week, the blockers partners raised and what answered them, as the Friday digest "
            "tells the programme channel (a confidential organisation's words are left out there)."
        ),
        "",
    ]
    weeks = 0
    end = first + timedelta(days=(FRIDAY - first.weekday()) % 7)
    while end - timedelta(days=6) <= last:
        start, shown_end = end - timedelta(days=6), min(end, last)
        said = you_said(session, programme, start, shown_end)
        lines += [f"## Week to {shown_end:%a %d %b %Y}", ""]
        lines += [line if line.endswith(":") else f"- {line}" for line in you_said_lines(said)]
        lines.append("")
        weeks += 1
        end += timedelta(days=7)
    out.write_text("\n".join(lines), encoding="utf-8")
    return weeks
