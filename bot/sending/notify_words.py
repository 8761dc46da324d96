"""What members reached by email or text message are sent, as GOV.UK Notify's personalisation.

Each Notify template is the same few placeholders (`((subject))` and `((body))` for an email,
`((body))` for a text), so the words live here, beside the other platforms' words, and an admin
makes two templates once. A text is kept within Notify's 918 characters (six fragments) and says
only what a phone shows well: what is asked and the link; the whole digest goes by email.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.checkin.prompts import Prompt
from bot.common.money import format_money
from models.vocabulary import Platform

if TYPE_CHECKING:
    from bot.reports.digest import Digest

SMS_MAX = 918
EMAIL_MAX = 100_000


@dataclass(frozen=True)
class NotifyMessage:
    purpose: str  # prompt, notice or digest: which template (bot.common.config.notify_templates)
    subject: str
    body: str
    link: str = ""

    def personalisation(self) -> dict[str, str]:
        return {"subject": self.subject, "body": self.body, "link": self.link}


def prompt_message(prompt: Prompt, link: str, platform: str) -> NotifyMessage:
    day = f"{prompt.local_date:%A %-d %B}"
    scope = prompt.scope
    reminder = prompt.kind == "reminder"
    subject = f"{'Reminder: your' if reminder else 'Your'} winter check-in for {day}"
    if platform == Platform.SMS.value:
        opening = "Reminder: today's" if reminder else "Today's"
        body = (
            f"winterbot: {opening} winter check-in for {scope.organisation_name} ({scope.programme_name}) "
            f"takes under a minute: {link} The link works until midnight, and again to change today's answers."
        )
        return NotifyMessage("prompt", subject, _fit(body, SMS_MAX), link)
    asked = [f"* {s.name}: spend to date and {s.unit_label} to date" for s in scope.schemes]
    asked += [f"* {label}: today's level" for label in scope.service_labels]
    lines = [
        f"Hello {scope.member_name},",
        "",
        (
            f"{'This is a reminder that your' if reminder else 'Your'} check-in for {scope.organisation_name} "
            f"on {scope.programme_name} is open for {day}. It takes under a minute."
        ),
        "",
        *(["It asks:", "", *asked, ""] if asked else []),
        f"Answer here: {link}",
        "",
        "The link is yours alone: it works until midnight tonight, and again to change today's answers.",
        "Anything that is stopping you getting people home goes in the blockers box, and the leads answer it.",
        "Away? The same page pauses your prompts until the day you are back.",
        "Please do not write a patient's name or NHS number.",
    ]
    return NotifyMessage("prompt", subject, "\n".join(lines), link)


def notice_message(text: str, platform: str, programme_name: str | None = None) -> NotifyMessage:
    about = f" about {programme_name}" if programme_name else ""
    subject = f"A message from winterbot{about}"
    if platform == Platform.SMS.value:
        return NotifyMessage("notice", subject, _fit(f"winterbot: {text}", SMS_MAX))
    return NotifyMessage("notice", subject, _fit(text, EMAIL_MAX))


def digest_message(digest: Digest, platform: str) -> NotifyMessage:
    from bot.reports.digest import digest_markdown

    subject = f"{digest.title}, week to {digest.today:%a %d %b}"
    if platform == Platform.SMS.value:
        return NotifyMessage("digest", subject, _fit(digest_text(digest), SMS_MAX))
    return NotifyMessage("digest", subject, _fit(digest_markdown(digest), EMAIL_MAX))


def digest_text(digest: Digest) -> str:
    """The week in a text message: the money, the risks, what partners said and were answered."""
    p = digest.position
    said = digest.you_said
    parts = [
        f"winterbot weekly digest, {digest.programme_name}, week to {digest.today:%a %d %b}:",
        f"{format_money(p.actual)} spent of {format_money(p.allocated_total)}",
        f"{len(digest.opened)} risks opened, {len(digest.closed)} closed",
        f"{len(digest.decisions)} decisions",
    ]
    answered = sum(1 for item in said.raised if item.answers)
    if said.raised:
        parts.append(f"{answered} of {len(said.raised)} blockers raised or answered this week have an answer")
    parts.append(f"{digest.next.working_days_left} working days left")
    return f"{parts[0]} {'; '.join(parts[1:])}. The whole digest goes by email and to the programme channel."


def _fit(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"
