"""A submitted view's state as the domain's answers: {block_id: typed text or chosen value}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _value(state: Mapping[str, Any]) -> str | None:
    if "selected_option" in state:
        return (state.get("selected_option") or {}).get("value")
    return state.get("value")


def view_answers(view: Mapping[str, Any]) -> dict[str, str | None]:
    values: Mapping[str, Mapping[str, Any]] = (view.get("state") or {}).get("values") or {}
    return {block_id: _value(state) for block_id, actions in values.items() for state in actions.values()}


def block_ids(view: Mapping[str, Any]) -> set[str]:
    return {block["block_id"] for block in view.get("blocks") or [] if block.get("block_id")}
