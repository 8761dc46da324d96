"""The daily check-in prompt and the afternoon reminder, as a DM."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.checkin.prompts import Prompt, prompt_summary
from handlers.slack.blocks.text import escape, join_words

OPEN_CHECKIN = "checkin_open"
NO_CHANGE = "checkin_no_change"


def button_value(prompt: Prompt) -> str:
    return json.dumps({"programme": prompt.scope.programme_id, "date": prompt.local_date.isoformat()})


def _covers(prompt: Prompt) -> str:
    scope = prompt.scope
    parts: list[str] = []
    if scope.schemes:
        names = join_words([escape(s.name) for s in scope.schemes])
        parts.append(f"spend and activity to date for {names}")
    if scope.services:
        parts.append(f"today's capacity for {join_words(list(scope.service_labels)).lower()}")
    parts.append("anything blocking you or that the leads should hear")
    return "; ".join(parts)


def prompt_text(prompt: Prompt) -> str:
    """The notification text (and the fallback for screen readers)."""
    return prompt_summary(prompt)


def prompt_blocks(prompt: Prompt) -> list[dict[str, Any]]:
    scope = prompt.scope
    first = scope.member_name.split()[0] if scope.member_name else "there"
    if prompt.kind == "reminder":
        opening = f"Hello {escape(first)}, a gentle reminder: we have not had today's check-in from you yet."
    else:
        opening = f"Good morning {escape(first)}. Here is today's check-in for *{escape(scope.organisation_name)}*."
    value = button_value(prompt)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=opening)),
        SectionBlock(text=MarkdownTextObject(text=f"It covers {_covers(prompt)}.")),
        ActionsBlock(
            block_id="checkin_prompt",
            elements=[
                ButtonElement(text="Open check-in", action_id=OPEN_CHECKIN, value=value, style="primary"),
                ButtonElement(text="Nothing new today", action_id=NO_CHANGE, value=value),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{escape(scope.programme_name)} · {prompt.local_date:%a %-d %b %Y} · "
                    "no patient details, please: aggregate figures only · `/winter away` to pause"
                )
            ]
        ),
    ]
    return [block.to_dict() for block in blocks]
