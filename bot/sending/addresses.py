"""What a messenger reads from the database before it sends, each in a unit of work of its own:
where to write (bot.people.conversations), a prompt's form, who may own a risk. A platform's
messenger asks these, so it opens no session and reads no table itself."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from bot.checkin import CheckinForm, build_form
from bot.people.conversations import Where, channel, personal_chat
from bot.risks.requests import assignable_organisations
from models.db import session_scope
from models.tables import Member


class Addresses:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def personal_chat(self, user_id: str) -> Where | None:
        with session_scope(self._engine) as session:
            return personal_chat(session, user_id)

    def channel(self, channel_id: str, default_service_url: str) -> Where:
        with session_scope(self._engine) as session:
            return channel(session, channel_id, default_service_url)

    def prompt(self, user_id: str, member_id: int, day: date) -> tuple[Where | None, CheckinForm | None]:
        """Where a member's prompt goes and the whole check-in form it carries, prefilled (None for
        a member no longer there), in one unit of work: a fan-out asks this once a member."""
        with session_scope(self._engine) as session:
            member = session.get(Member, member_id)
            form = build_form(session, member, day) if member is not None else None
            return personal_chat(session, user_id), form

    def assignable(self, risk_id: int) -> list[tuple[str, str]]:
        """(organisation id as text, name) of those who may own the risk."""
        with session_scope(self._engine) as session:
            return [(str(i), name) for i, name in assignable_organisations(session, risk_id)]
