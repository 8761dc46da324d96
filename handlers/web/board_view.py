"""The huddle board's words: what each part of the page says, from bot.reports.board's Board,
in the sentences the status screen uses (bot.reports.status_words, bot.spend.words,
bot.risks.words). Pure: the templates only lay these out.

On the shared screen each list shows its first few and counts the rest; the printed copy for the
minutes shows every item (`whole`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.common.capacity import BY_NUMBER
from bot.common.wording import join_words, plural
from bot.reports.board import Board
from bot.reports.status import CapacityCell
from bot.reports.status_words import money_lines, most_pressed
from bot.risks.words import PANEL_STATUS
from bot.spend.words import percent_of

SHOWN = {"risks": 6, "blockers": 5, "voice": 4, "decisions": 4, "quiet": 5}


@dataclass(frozen=True)
class Cell:
    """One service of one organisation in the grid: its words, and the class that colours it
    (`level-N`, `level-none`); `stale` is said in words too, never by colour alone."""

    label: str
    level: str  # "Level 3", or "No report"
    words: str  # the level's wording, short
    stale: str | None  # "Stale: 4 working days old" or "Never reported"
    css: str
    confidential: bool


@dataclass(frozen=True)
class Row:
    name: str
    cells: tuple[Cell | None, ...]  # one per service of the grid; None where it does not run it


@dataclass(frozen=True)
class Listed:
    """A list as the page shows it: the items shown, and how many more there are."""

    items: tuple[Any, ...]
    more: int


def board_context(board: Board, whole: bool) -> dict[str, Any]:
    return {
        "money": money_lines(board.money),
        "services": [_service_label(board, s) for s in board.capacity.services],
        "rows": grid_rows(board),
        "stale_after": board.capacity.stale_after_working_days,
        "risks": _listed(board.risks, "risks", whole),
        "risk_counts": [(s.value.capitalize(), n) for s, n in board.risks_by_severity],
        "risk_status": PANEL_STATUS,
        "blockers": _listed(board.blockers, "blockers", whole),
        "voice": _listed(board.voice, "voice", whole),
        "decisions": _listed(board.decisions, "decisions", whole),
        "quiet": _listed(board.quiet, "quiet", whole),
        "checkins": checkins_line(board),
        "join_words": join_words,
        "plural": plural,
    }


def checkins_line(board: Board) -> str:
    t = board.checkins_today
    if not t.working_day:
        return f"Nobody is asked to check in today ({t.local_date:%a %d %b})."
    if t.expected == 0:
        return "No partner is due to check in today."
    share = percent_of(Decimal(t.answered), Decimal(t.expected))
    return f"{t.answered} of {t.expected} partners have checked in today ({share})."


def grid_rows(board: Board) -> list[Row]:
    """The organisations, most pressed first, a cell per service of the grid."""
    services = board.capacity.services
    rows = []
    for row in most_pressed(board.capacity.rows):
        by_service = {c.service: c for c in row.cells}
        rows.append(Row(row.name, tuple(_cell(by_service[s]) if s in by_service else None for s in services)))
    return rows


def _cell(cell: CapacityCell) -> Cell:
    if cell.level is None or cell.level not in BY_NUMBER:
        return Cell(cell.label, "No report", "", "Never reported", "level-none", cell.confidential)
    words = BY_NUMBER[cell.level].label.split(" · ", 1)[-1]
    stale = None
    if cell.stale:
        stale = f"Stale: {plural(cell.working_days_old or 0, 'working day')} old"
    css = f"level-{cell.level}" + (" stale" if cell.stale else "")
    return Cell(cell.label, f"Level {cell.level}", words, stale, css, cell.confidential)


def _service_label(board: Board, service: str) -> str:
    for row in board.capacity.rows:
        for c in row.cells:
            if c.service == service:
                return c.label
    return service


def _listed(items: tuple[Any, ...], kind: str, whole: bool) -> Listed:
    most = len(items) if whole else SHOWN[kind]
    return Listed(tuple(items[:most]), max(0, len(items) - most))
