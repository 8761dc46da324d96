"""A Slack double for many workspaces, each limited as a whole (benchmarks/many_areas.py).

The loopback Slack double (tests/slack_double.py) with a token per workspace: auth.test answers
each token with its own team, and chat.postMessage is limited per token to `per_second` posts in
any second (a sliding window, the strictest reading of "50 a second"): beyond that it answers 429
with Retry-After, as Slack does, and the refused post is not kept. It notes when each post was
accepted (time.time()), so a benchmark can say how many went in any one second.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from slack_double import Call, SlackDouble
from slack_double_wire import Reply, failure_reply

POST = "chat.postMessage"


class WorkspaceDouble(SlackDouble):
    def __init__(self, teams: dict[str, str], per_second: int = 50) -> None:
        """`teams`: each bot token and the team id auth.test answers for it."""
        super().__init__(tokens=tuple(teams))
        self.teams, self.per_second = dict(teams), per_second
        self._window_lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {token: deque() for token in teams}
        self.accepted: dict[str, list[float]] = {token: [] for token in teams}
        self.refused: dict[str, int] = dict.fromkeys(teams, 0)
        self.answer("auth.test", self._auth_test)

    def _auth_test(self, call: Call) -> dict[str, Any]:
        team = self.teams.get(call.token or "")
        if team is None:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "team_id": team, "team": team, "user_id": f"U{team}BOT", "bot_id": f"B{team}"}

    def _receive(self, call: Call) -> Reply:
        if call.method == POST and call.token in self._recent and not self._admit(call.token):
            with self._lock:
                self._calls.append(call)
            return failure_reply(429, "ratelimited", 1)
        return super()._receive(call)

    def _admit(self, token: str) -> bool:
        with self._window_lock:
            now = time.time()
            recent = self._recent[token]
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            if len(recent) >= self.per_second:
                self.refused[token] += 1
                return False
            recent.append(now)
            self.accepted[token].append(now)
            return True

    def busiest_second(self, token: str) -> int:
        """The most posts accepted for one workspace in any second (at most `per_second`)."""
        times, most, first = self.accepted[token], 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most
