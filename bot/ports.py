"""The one small port that scheduled jobs send through. Each platform implements it in
handlers/<platform>/; bot/ sees only this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.prompts import Prompt


@dataclass(frozen=True)
class Recipient:
    member_id: int
    platform: str
    user_id: str
    name: str


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
