"""The fortnightly return for a period end: every period up to it, each with the spend to date at
its end and the activity in its days.

Nothing is stored for a period: each is derived again from the append-only ledger and the
check-ins dated on or before its end, so a past period's return can be written again at any time.
The spend of a period is `spend_position(session, programme, end)` itself, so the return for
any period end says what `/winter spend` says for that day, to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from bot.programme.return_spec import RETURN_LINES
from bot.spend.ledger import spend_position
from bot.spend.position import SpendPosition
from bot.spend.return_activity import Activity, activity_by_period
from bot.spend.return_calendar import ReturnCalendar, require_calendar
from models.tables import Programme, row_id


@dataclass(frozen=True)
class ReturnPeriod:
    start: date
    end: date
    position: SpendPosition  # as at `end`
    activity: Activity  # line -> the total in the period; None: no measure feeds the line

    @property
    def sheet_name(self) -> str:
        return f"to {self.end.isoformat()}"

    def activity_lines(self) -> list[tuple[str, Decimal | None]]:
        """(the line's words, its total), in the return's order."""
        return [(label, self.activity.get(line)) for line, label in RETURN_LINES.items()]


@dataclass(frozen=True)
class FortnightlyReturn:
    programme_name: str
    calendar: ReturnCalendar
    periods: tuple[ReturnPeriod, ...]  # oldest first; the last ends on the period end asked for

    @property
    def latest(self) -> ReturnPeriod:
        return self.periods[-1]


def fortnightly_return(session: Session, programme: Programme, period_end: date, today: date) -> FortnightlyReturn:
    """The return for `period_end`, which must end a period on the programme's calendar that has
    ended by `today` (NoReturnCalendar, NotAPeriodEnd otherwise)."""
    calendar = require_calendar(programme.settings, programme.deadline, programme.name)
    calendar.check_end(period_end, today)
    ends = calendar.ends_up_to(period_end)
    activity = activity_by_period(session, row_id(programme), calendar, ends)
    periods = tuple(
        ReturnPeriod(calendar.start_of(end), end, spend_position(session, programme, end), activity[end])
        for end in ends
    )
    return FortnightlyReturn(programme.name, calendar, periods)
