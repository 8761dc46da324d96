"""What the asker may do: `/winter help`."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.commands.table import Help
from handlers.slack.blocks.text import escape, join_words, verbatim
from models.vocabulary import A_ROLE, Role

TITLE = "What you can do with winterbot"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _who(role: Role, member_of: tuple[str, ...]) -> str:
    names = join_words([escape(name) for name in member_of])
    return f"You are *{A_ROLE[role]}*" + (f" on {names}." if names else ".")


def _commands(help: Help) -> str:
    return "\n".join(f"`/winter {c.usage}` — {c.summary}" for c in help.commands)


def help_blocks(help: Help) -> list[dict[str, Any]]:
    blocks: list[Block] = [HeaderBlock(text=TITLE)]
    if help.role is not None:
        blocks.append(_section(_who(help.role, help.member_of)))
    if help.how_to_join:
        blocks.append(_section(help.how_to_join))
    blocks.append(_section(_commands(help)))
    return [block.to_dict() for block in blocks]


def help_text(help: Help) -> str:
    """The plain-text fallback shown in notifications and to screen readers."""
    usages = ", ".join(f"/winter {c.usage}" for c in help.commands)
    who = _who(help.role, help.member_of).replace("*", "") if help.role is not None else help.how_to_join or ""
    return f"{who} You can use: {usages}".strip()


def unknown_command_blocks(word: str, help: Help) -> list[dict[str, Any]]:
    said = _section(f"I don't know `{verbatim(word)}`.").to_dict()
    return [said, *help_blocks(help)]
