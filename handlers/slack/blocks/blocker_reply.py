"""Answering a blocker from the leads' brief: its Reply button, and the form the button opens (the
words, and what to do: reply, take it on, resolved, won't fix). Pure functions; the form passes
check_modal however long the blocker and its thread.

The button carries only the blocker's id: who answers is whoever Slack says pressed it, and
bot.checkin.blockers.act checks that they lead the blocker's programme.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    ButtonElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.checkin.blockers import NOTE_MOST, BlockerView
from bot.checkin.blockers_words import ANSWER_CHOICES, heading, thread
from bot.common.wording import shortened
from handlers.slack.blocks.text import escape

Json = dict[str, Any]

BUTTON = "blocker_reply"  # action_id "blocker_reply:{id}": unique in a brief showing several
BUTTON_ID = re.compile(r"^blocker_reply:\d+$")
CALLBACK = "blocker_reply"
NOTE_BLOCK = NOTE_ACTION = "blocker_note"
CHOICE_BLOCK = CHOICE_ACTION = "blocker_action"
SECTION_TEXT = 2900
THREAD_MOST = 10  # the last replies the form shows


def reply_button(blocker_id: int, label: str = "Reply") -> Json:
    return ButtonElement(text=label, action_id=f"{BUTTON}:{blocker_id}", value=str(blocker_id)).to_dict()


def blocker_id_of(value: str | None) -> int | None:
    """The id a button or a form carries; None when it is not one (a forged or stale value)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def reply_modal(view: BlockerView) -> Json:
    """The form: the blocker and its thread, the words, and what to do (a reply by default)."""
    options = [Option(value=value, text=label) for value, label in ANSWER_CHOICES]
    words = InputBlock(
        block_id=NOTE_BLOCK,
        label="Your answer",
        element=PlainTextInputElement(
            action_id=NOTE_ACTION,
            multiline=True,
            max_length=NOTE_MOST,
            placeholder="What you will do, or why not",
        ),
        hint="The partner who raised it is told in their DM. No patient details, please.",
        optional=True,
    )
    choice = InputBlock(
        block_id=CHOICE_BLOCK,
        label="What to do",
        element=RadioButtonsElement(action_id=CHOICE_ACTION, options=options, initial_option=options[0]),
    )
    form = View(
        type="modal",
        callback_id=CALLBACK,
        title=shortened(f"Blocker #{view.blocker_id}", 24),
        submit="Send",
        close="Cancel",
        private_metadata=str(view.blocker_id),
        blocks=[_about(view), words, choice],
    )
    return form.to_dict()


def _about(view: BlockerView) -> SectionBlock:
    lines = [f"*{escape(heading(view))}*", f"> {escape(view.text)}"]
    lines += [f"• {escape(line)}" for line in thread(view)[-THREAD_MOST:]]
    return SectionBlock(text=MarkdownTextObject(text=shortened("\n".join(lines), SECTION_TEXT)))
