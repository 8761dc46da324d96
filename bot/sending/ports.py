"""The one small port that scheduled jobs send through. Each platform implements it in
handlers/<platform>/; bot/ sees only this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Union

from bot.checkin.prompts import Prompt
from bot.risks.listing import RiskView

if TYPE_CHECKING:
    from bot.reports.brief import Brief
    from bot.reports.digest import Digest

Report = Union["Brief", "Digest"]  # the leads' daily brief or the weekly digest


@dataclass(frozen=True)
class Recipient:
    member_id: int
    platform: str
    user_id: str
    name: str


@dataclass(frozen=True)
class Destination:
    """Where a post goes: a channel (`address` is its id or #name), or a member's direct
    messages (`member_id` set, `address` is their platform user id)."""

    platform: str
    address: str
    member_id: int | None = None

    @property
    def is_channel(self) -> bool:
        return self.member_id is None


class SendError(Exception):
    """A send that did not happen. `permanent` means trying again will not help
    (the user has left the workspace, say); otherwise it is retried with back-off."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Messenger(Protocol):
    platform: str

    def send_prompt(self, recipient: Recipient, prompt: Prompt, key: str) -> str:
        """Send the prompt (or reminder) to the member; returns the platform's reference."""
        ...

    def find_sent(self, recipient: Recipient, key: str) -> str | None:
        """The reference of a message already sent under this key, if there is one."""
        ...

    def post_risk(self, destination: Destination, risk: RiskView, key: str) -> str:
        """Post the leads' copy of a risk escalation (with the leads' buttons); returns the platform's reference."""
        ...

    def find_posted(self, destination: Destination, key: str) -> str | None:
        """The reference of a post already made to that destination under this key, if any."""
        ...

    def post_notice(self, destination: Destination, text: str, key: str) -> str:
        """Post plain words from winterbot itself: what could not be sent and why, a partner's copy
        of an escalation, a lead's answer to a partner's blocker."""
        ...

    def update_risk(self, reference: str, risk: RiskView) -> None:
        """Show a risk's new state in a message posted earlier by `post_risk`."""
        ...

    def report_parts(self, report: Report) -> int:
        """How many messages this platform needs for the report (long ones are split, never cut)."""
        ...

    def post_report(self, destination: Destination, report: Report, part: int, key: str) -> str:
        """Post message `part` (0-based, below `report_parts`) of the report; returns the reference."""
        ...

    def upload_chart(self, destination: Destination, png: bytes, title: str, key: str) -> str:
        """Share a chart image in the destination's channel; returns the platform's reference."""
        ...

    def find_upload(self, destination: Destination, key: str) -> str | None:
        """The reference of a chart already shared there under this key, if any."""
        ...
