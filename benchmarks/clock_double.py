"""The Slack double of clock.py, also noting the outcome and moment of every chat.postMessage."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the Slack double

from slack_double import Call, SlackDouble

PROMPT_JOB = "daily-prompts"


@dataclass(frozen=True)
class Post:
    """One chat.postMessage as the double answered it; `at` is time.monotonic() at the answer."""

    at: float
    status: int
    ok: bool
    channel: str
    key: str

    @property
    def job(self) -> str:
        """The job named in the delivery key ({slug}:{job}:...), or the kind of channel."""
        parts = self.key.split(":")
        return parts[1] if len(parts) > 2 else ("a DM" if self.channel.startswith("U") else "a channel")

    @property
    def is_prompt(self) -> bool:
        """A daily prompt: its key names the job (or, with no key, a DM to a user id)."""
        return PROMPT_JOB in self.key if self.key else self.channel.startswith("U")


class RecordingDouble(SlackDouble):
    """The Slack double, also noting the outcome and moment of every chat.postMessage.

    Its server listens with a longer queue than socketserver's default of 5: with several
    programmes sending at once, a queue of 5 overflows and the double resets connections,
    which Slack does not do (`backlog` 0 keeps the default, to see that happen)."""

    def __init__(self, backlog: int = 0) -> None:
        super().__init__()
        self.backlog = backlog
        self._posts: list[Post] = []
        self._posts_lock = threading.Lock()

    def start(self) -> Self:
        super().start()
        if self.backlog and self._server is not None:
            self._server.socket.listen(self.backlog)  # on a listening socket: a new queue length
        return self

    def _receive(self, call: Call) -> Any:
        reply = super()._receive(call)
        if call.method == "chat.postMessage":
            self._note(call, reply)
        return reply

    def _note(self, call: Call, reply: Any) -> None:
        status, _headers, body = reply
        try:
            ok = bool(json.loads(body).get("ok"))
        except ValueError:
            ok = False
        metadata = call.get("metadata")
        payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
        key = str(payload.get("key", "")) if isinstance(payload, dict) else ""
        post = Post(time.monotonic(), status, ok, str(call.get("channel", "")), key)
        with self._posts_lock:
            self._posts.append(post)

    def posts(self, since: int = 0) -> list[Post]:
        with self._posts_lock:
            return self._posts[since:]

    def mark(self) -> int:
        with self._posts_lock:
            return len(self._posts)
