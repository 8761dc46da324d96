"""Slack's documented Block Kit limits, checked before anything is sent.

Slack refuses an over-limit payload with a bare `invalid_blocks`; these checks name the block
and the field, so a renderer that grows past a limit fails in a test, not in a channel.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Json = Mapping[str, Any]

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000

EVERY_BLOCK = {"block_id": 255}
BLOCK_TEXT: dict[str, dict[str, int]] = {
    "section": {"text": 3000},
    "header": {"text": 150},
    "input": {"label": 2000, "hint": 2000},
    "image": {"alt_text": 2000, "image_url": 3000, "title": 2000},
}
BLOCK_LISTS: dict[str, dict[str, int]] = {
    "section": {"fields": SECTION_FIELDS},
    "context": {"elements": 10},
    "actions": {"elements": 25},
}
EVERY_ELEMENT = {"action_id": 255, "placeholder": 150}
ELEMENT_TEXT: dict[str, dict[str, int]] = {"button": {"text": 75, "value": 2000, "url": 3000}}
ELEMENT_OPTIONS = {
    "static_select": 100,
    "multi_static_select": 100,
    "overflow": 5,
    "checkboxes": 10,
    "radio_buttons": 10,
}
OPTION_TEXT = {"text": 75, "value": 150, "description": 75}
VIEW_TEXT = {
    "title": 24,
    "submit": 24,
    "close": 24,
    "private_metadata": 3000,
    "callback_id": 255,
    "external_id": 255,
}


class BlockKitLimitError(ValueError):
    """A payload Slack would refuse, with where and why."""


def check_message(blocks: Sequence[Json]) -> None:
    _check_blocks(blocks, MESSAGE_BLOCKS, "message")


def check_modal(view: Json) -> None:
    _check_view(view, "modal")
    if not view.get("title"):
        raise BlockKitLimitError("modal has no title; Slack requires one")
    has_input = any(block.get("type") == "input" for block in view.get("blocks", []))
    if has_input and not view.get("submit"):
        raise BlockKitLimitError("modal has input blocks but no submit button")


def check_home(view: Json) -> None:
    _check_view(view, "home")


def _check_view(view: Json, kind: str) -> None:
    if view.get("type") != kind:
        raise BlockKitLimitError(f"expected a {kind} view, got type {view.get('type')!r}")
    _check_text(view, VIEW_TEXT, kind)
    _check_blocks(view.get("blocks", []), SURFACE_BLOCKS, kind)


def _check_blocks(blocks: Sequence[Json], most: int, where: str) -> None:
    if len(blocks) > most:
        raise BlockKitLimitError(f"{where} has {len(blocks)} blocks; Slack allows at most {most}")
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        here = f"{where} block {index} ({block.get('type')})"
        _check_block(block, here)
        block_id = block.get("block_id")
        if block_id in seen:
            raise BlockKitLimitError(f"{here}: block_id {block_id!r} is used twice")
        if block_id is not None:
            seen.add(block_id)


def _check_block(block: Json, where: str) -> None:
    kind = block.get("type", "")
    _check_text(block, {**EVERY_BLOCK, **BLOCK_TEXT.get(kind, {})}, where)
    for name, most in BLOCK_LISTS.get(kind, {}).items():
        _check_count(block.get(name) or [], most, f"{where} {name}")
    if kind == "section":
        if not block.get("text") and not block.get("fields"):
            raise BlockKitLimitError(f"{where}: a section needs text or fields")
        for index, field in enumerate(block.get("fields") or []):
            _check_length(field, SECTION_FIELD_TEXT, f"{where} field {index}")
    for element in _interactive_elements(block):
        _check_element(element, f"{where} {element.get('type')} element")


def _interactive_elements(block: Json) -> Iterator[Json]:
    if block.get("type") == "actions":
        yield from block.get("elements") or []
    for key in ("accessory", "element"):
        if block.get(key):
            yield block[key]


def _check_element(element: Json, where: str) -> None:
    kind = element.get("type", "")
    _check_text(element, {**EVERY_ELEMENT, **ELEMENT_TEXT.get(kind, {})}, where)
    if kind in ELEMENT_OPTIONS:
        options = element.get("options") or []
        _check_count(options, ELEMENT_OPTIONS[kind], f"{where} options")
        for index, option in enumerate(options):
            _check_text(option, OPTION_TEXT, f"{where} option {index}")


def _check_text(thing: Json, limits: Mapping[str, int], where: str) -> None:
    for name, most in limits.items():
        if thing.get(name) is not None:
            _check_length(thing[name], most, f"{where} {name}")


def _check_length(value: Any, most: int, where: str) -> None:
    text = value.get("text", "") if isinstance(value, Mapping) else str(value)
    if len(text) > most:
        raise BlockKitLimitError(f"{where} is {len(text)} characters; Slack allows at most {most}")


def _check_count(items: Sequence[Any], most: int, where: str) -> None:
    if len(items) > most:
        raise BlockKitLimitError(f"{where}: {len(items)} items; Slack allows at most {most}")
