"""A messenger that writes into a folder what Slack would have been sent: the same Block Kit,
as JSON, beside the brief's and digest's Markdown. `winterbot demo` runs the real jobs with it,
so a whole simulated winter can be read with no workspace and no network."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.checkin.prompts import Prompt
from bot.reports.brief import Brief
from bot.reports.digest import Digest, digest_markdown
from bot.reports.markdown import to_markdown
from bot.risks.listing import RiskView
from bot.sending.ports import Destination, Recipient, Report
from handlers.slack.blocks.digest import report_messages
from handlers.slack.blocks.limits import check_message
from handlers.slack.blocks.prompt import prompt_blocks, prompt_text
from handlers.slack.blocks.risks import escalation_message


def _markdown(report: Report) -> str:
    if isinstance(report, Digest):
        return digest_markdown(report, chart_file=f"../charts/burn-up-{report.today.isoformat()}.png")
    return to_markdown(report)


@dataclass(frozen=True)
class DirectMessage:
    """A DM as the partner would see it: a prompt, a reminder, a notice or an escalation's copy."""

    kind: str
    text: str
    blocks: list[dict[str, Any]] | None = None


class FolderMessenger:
    """Implements the sending port (bot.sending.ports.Messenger) by writing files. Every message is
    checked against Block Kit's limits first, as Slack would refuse one that breaks them. The DMs
    of the `watched` users are also kept, in order, until `take_direct` collects them (the demo
    shows a partner's side of Slack)."""

    platform = "slack"

    def __init__(self, out_dir: Path, watched: Iterable[str] = ()) -> None:
        self.out_dir = out_dir
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._direct: dict[str, list[DirectMessage]] = {user: [] for user in watched}
        for folder in ("briefs", "digests", "charts"):
            (out_dir / folder).mkdir(parents=True, exist_ok=True)

    def send_prompt(self, recipient: Recipient, prompt: Prompt, key: str) -> str:
        blocks = prompt_blocks(prompt)
        check_message(blocks)
        self._keep(recipient.user_id, DirectMessage(prompt.kind, prompt_text(prompt), blocks))
        return self._count(f"{prompt.kind}s", recipient.user_id)

    def find_sent(self, recipient: Recipient, key: str) -> str | None:
        return None  # a folder loses nothing: there is never an uncertain send to look for

    def post_risk(self, destination: Destination, risk: RiskView, key: str) -> str:
        text, blocks = escalation_message(risk)
        check_message(blocks)
        reference = self._count("escalations", destination.address)
        record = {"key": key, "to": destination.address, "text": text, "blocks": blocks}
        self._append("escalations.jsonl", json.dumps(record, ensure_ascii=False))
        if destination.is_channel:
            self._append("escalations.md", f"- {text}\n")
        else:
            self._keep(destination.address, DirectMessage("escalation", text, blocks))
        return reference

    def find_posted(self, destination: Destination, key: str) -> str | None:
        return None

    def post_notice(self, destination: Destination, text: str, key: str) -> str:
        self._append("notices.md", f"- {text}\n")
        if not destination.is_channel:
            self._keep(destination.address, DirectMessage("notice", text))
        return self._count("notices", destination.address)

    def update_risk(self, reference: str, risk: RiskView) -> None:
        self.counts["risk updates"] += 1

    def report_parts(self, report: Report) -> int:
        return len(report_messages(report))

    def post_report(self, destination: Destination, report: Report, part: int, key: str) -> str:
        messages = report_messages(report)
        for message in messages:
            check_message(message.blocks)
        stem = self._stem(report)
        if part == 0:
            stem.with_suffix(".md").write_text(_markdown(report), encoding="utf-8")
            payload = [{"channel": destination.address, "text": m.text, "blocks": m.blocks} for m in messages]
            stem.with_suffix(".json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        kind = "briefs" if isinstance(report, Brief) else "digests"
        return self._count(f"{kind} (messages)", destination.address)

    def upload_chart(self, destination: Destination, png: bytes, title: str, key: str) -> str:
        day = key.rsplit(":", 1)[-1]
        (self.out_dir / "charts" / f"burn-up-{day}.png").write_bytes(png)
        return self._count("charts", destination.address)

    def find_upload(self, destination: Destination, key: str) -> str | None:
        return None

    def take_direct(self, user_id: str) -> list[DirectMessage]:
        """The DMs a watched user has been sent since the last call, oldest first."""
        with self._lock:
            taken, self._direct[user_id] = self._direct.get(user_id, []), []
            return taken

    def _keep(self, user_id: str, message: DirectMessage) -> None:
        with self._lock:
            if user_id in self._direct:
                self._direct[user_id].append(message)

    def _stem(self, report: Report) -> Path:
        folder = "briefs" if isinstance(report, Brief) else "digests"
        name = "brief" if isinstance(report, Brief) else "digest"
        return self.out_dir / folder / f"{report.today.isoformat()}-{name}"

    def _count(self, what: str, address: str) -> str:
        with self._lock:
            self.counts[what] += 1
            return f"{address}:{self.counts[what]}"

    def _append(self, name: str, line: str, **_: Any) -> None:
        with self._lock, (self.out_dir / name).open("a", encoding="utf-8") as handle:
            handle.write(line if line.endswith("\n") else line + "\n")
