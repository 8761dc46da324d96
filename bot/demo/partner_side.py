"""The partner's side of Slack in the demo folder: for a home care manager and a volunteer
coordinator, on the days something happened to their blockers (raised one, were answered,
said resolved), the day's prompt, the check-in modal as it opened, their App Home that evening,
and every DM winterbot sent them; a Markdown page each to read it all.

Written as the real handlers would render it (handlers/slack/blocks): `partner/<who>/DATE-prompt.json`
(the DM's blocks), `DATE-checkin.json` (the modal view), `DATE-home.json` (the Home tab's view),
and `partner/<who>/README.md`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.checkin.field_keys import BLOCKERS, COMMENT, blocker_key
from bot.checkin.form import CheckinForm
from bot.common.calendar import local_instant
from bot.common.redact import redact
from bot.reports.leads_view import PartnerHome, home_for
from bot.reports.you_said_words import you_said_lines
from handlers.slack.blocks.checkin import checkin_modal
from handlers.slack.blocks.home import home_view
from handlers.slack.folder import DirectMessage, FolderMessenger
from models.db import session_scope

WATCHED = {
    "U0VALE00012": "kerry-walsh",  # Brightside Home Care's manager: the winter's pressure
    "U0VALE00011": "marcus-bell",  # Vale Home from Hospital Service's volunteer coordinator
}
STANDING_WORDS = {"still": "still a problem", "resolved": "resolved", "changed": "changed"}
PLATFORM = "slack"


@dataclass
class _Partner:
    folder: Path
    title: str = ""
    days: list[str] = field(default_factory=list)  # the page's sections, one a day shown
    dms: list[str] = field(default_factory=list)  # every notice, dated
    prompts: int = 0


@dataclass
class _Opened:
    form: CheckinForm
    answers: dict[str, Any]


class PartnerSide:
    """Told of each watched partner's check-in as it opens (`opened`) and of each day's end
    (`day_over`); writes the days worth showing, and the pages at the end (`finish`)."""

    def __init__(self, out_dir: Path, messenger: FolderMessenger) -> None:
        self.messenger = messenger
        self.partners = {user: _Partner(out_dir / "partner" / name) for user, name in WATCHED.items()}
        self._opened: dict[str, _Opened] = {}
        for partner in self.partners.values():
            partner.folder.mkdir(parents=True, exist_ok=True)

    def opened(self, user: str, form: CheckinForm, answers: dict[str, Any]) -> None:
        if user in self.partners:
            self._opened[user] = _Opened(form, answers)

    def day_over(self, engine: Engine, day: date) -> None:
        for user, partner in self.partners.items():
            messages = self.messenger.take_direct(user)
            opened = self._opened.pop(user, None)
            partner.prompts += sum(m.kind in ("prompt", "reminder") for m in messages)
            notices = [m for m in messages if m.kind in ("notice", "escalation")]
            partner.dms += [f"- {day:%a %d %b}: {m.text}" for m in notices]
            if notices or (opened and _about_blockers(opened)):
                self._show(engine, user, partner, day, messages, opened)

    def _show(
        self,
        engine: Engine,
        user: str,
        partner: _Partner,
        day: date,
        messages: list[DirectMessage],
        opened: _Opened | None,
    ) -> None:
        stem = partner.folder / day.isoformat()
        prompt = next((m for m in messages if m.kind == "prompt"), None)
        if prompt is not None:
            _write(stem, "prompt", prompt.blocks)
        if opened is not None:
            metadata = json.dumps({"programme": opened.form.scope.programme_id, "date": day.isoformat()})
            _write(stem, "checkin", checkin_modal(opened.form, metadata))
        with session_scope(engine) as session:
            home = home_for(session, PLATFORM, user, local_instant(day, time(17, 0)))
        _write(stem, "home", home_view(home))
        if isinstance(home, PartnerHome):
            partner.title = f"{home.viewer.name}, {home.viewer.organisation_name}"
        partner.days.append(_day_section(day, messages, opened, home, prompt is not None))

    def finish(self) -> None:
        for partner in self.partners.values():
            page = [
                f"# {partner.title}: a partner's side of the winter",
                "",
                (
                    "What Slack showed this partner on the days something happened to their blockers: the "
                    "prompt (`DATE-prompt.json`), the check-in as it opened (`DATE-checkin.json`, a modal view) "
                    "and their App Home that evening (`DATE-home.json`). Paste a file into Block Kit Builder to see it."
                ),
                "",
                *partner.days,
                "## Every DM but the daily prompts",
                "",
                f"{partner.prompts} prompts and reminders, and:",
                "",
                *(partner.dms or ["- none"]),
                "",
            ]
            (partner.folder / "README.md").write_text("\n".join(page), encoding="utf-8")


def _about_blockers(opened: _Opened) -> bool:
    """A new blocker written, or an open one said resolved or changed."""
    standing = [opened.answers.get(blocker_key(b.blocker_id)) for b in opened.form.open_blockers]
    return bool(opened.answers.get(BLOCKERS)) or any(s not in (None, "still") for s in standing)


def _day_section(day: date, messages: list[DirectMessage], opened: _Opened | None, home: object, prompted: bool) -> str:
    lines = [f"## {day:%A %d %B %Y}", ""]
    files = [f"`{day}-{kind}.json`" for kind, shown in (("prompt", prompted), ("checkin", opened)) if shown]
    lines += [f"Files: {', '.join([*files, f'`{day}-home.json`'])}.", ""]
    lines += [f"- DM ({m.kind}): {m.text}" for m in messages]
    if opened is not None:
        for blocker in opened.form.open_blockers:
            said = STANDING_WORDS.get(opened.answers.get(blocker_key(blocker.blocker_id), "still"), "still")
            lines.append(f"- The check-in asked after #{blocker.blocker_id} “{blocker.text}”: {said}.")
        if opened.answers.get(BLOCKERS):
            lines.append(f"- New blocker: “{redact(opened.answers[BLOCKERS]).text}”")
        if opened.answers.get(COMMENT):
            lines.append(f"- Comment: “{redact(opened.answers[COMMENT]).text}”")
    else:
        lines.append("- No check-in from them today.")
    if isinstance(home, PartnerHome):
        lines += ["", f"App Home, you said, we did (since {home.decisions_from:%a %d %b}):", ""]
        lines += [line if line.endswith(":") else f"- {line}" for line in you_said_lines(home.you_said)]
    return "\n".join([*lines, ""])


def _write(stem: Path, kind: str, payload: Any) -> None:
    path = stem.parent / f"{stem.name}-{kind}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
