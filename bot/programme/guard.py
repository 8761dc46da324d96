"""What a programme file may not be, checked before and while its YAML is read.

A programme file comes from outside (an admin's editor, an email attachment, a shared drive),
so reading it must stay bounded however it is written: a few hundred bytes of nested aliases
("billion laughs") would otherwise expand to gigabytes, deep nesting would exhaust the
interpreter's stack, a 5,000-digit number would stop the integer parser, and a NUL written as
"\\0" would reach the database. Each refusal says where it is (line and column, counting
from 1) and what to do instead.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000  # the largest area's file is under 200 KB
MAX_DEPTH = 20  # the file itself nests 5 deep (measures: service: - key:)
MAX_NODES = 100_000  # every value, counting each use of an alias in full
MAX_NUMBER_CHARS = 30  # £10,000,000,000 is the largest amount: 11 digits and pence
SHOWN = 5

# Control characters (but tab, newline and carriage return), and the bidirectional overrides
# and isolates that reorder what a reader sees (U+202E).
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Refused(Exception):
    """A file refused before it is checked field by field, with where the trouble is."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message, self.line, self.column = message, line, column
        super().__init__(message)


def _describe(char: str) -> str:
    if unicodedata.category(char) == "Cc":
        return f"U+{ord(char):04X} (a control character)"
    return f"U+{ord(char):04X} ({unicodedata.name(char).lower()})"


def too_large() -> Refused:
    return Refused(
        f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB: a programme file is a few hundred KB "
        "at most; check that this is the programme file"
    )


def decode(data: bytes) -> str:
    """The file's text: refused when larger than MAX_FILE_BYTES or not UTF-8."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise Refused(
            f"byte 0x{data[error.start]:02X} is not UTF-8 text: save the file as UTF-8 "
            "(in Excel or Notepad: Save As, then choose UTF-8)",
            line,
            column,
        ) from None


def hidden_characters(text: str) -> list[Refused]:
    """The first few control characters and bidirectional overrides written into the file."""
    found = []
    for match in _HIDDEN.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        found.append(
            Refused(
                f"the file contains the invisible character {_describe(match.group())}: delete it "
                "(it often comes from copying out of another program)",
                text.count("\n", 0, match.start()) + 1,
                match.start() - start + 1,
            )
        )
        if len(found) == SHOWN:
            break
    return found


def unreadable_character(text: str, position: int) -> Refused:
    """A character YAML does not allow (U+FFFE, a lone surrogate...), where it is."""
    char = text[position] if 0 <= position < len(text) else ""
    start = text.rfind("\n", 0, position) + 1
    return Refused(
        f"the file contains the character U+{ord(char or chr(0)):04X}, which a YAML file may not hold: delete it",
        text.count("\n", 0, position) + 1,
        position - start + 1,
    )


class GuardedComposer:
    """Mixed into a PyYAML loader: refuses nesting deeper than MAX_DEPTH, more than MAX_NODES
    values once aliases are expanded, an alias inside its own anchor, and text holding a control
    character (an escape such as "\\0" in quotes), while the document is composed, before
    anything is built from it. Sizes are counted once per node, so counting stays linear in
    the file however the aliases multiply."""

    def _guard_start(self) -> None:
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not hasattr(self, "_sizes"):
            self._guard_start()
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            self._check_alias(event)
        if self._depth >= MAX_DEPTH:
            raise _at(event.start_mark, f"the values nest more than {MAX_DEPTH} deep: a programme file needs 5")
        self._depth += 1
        try:
            node = super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1
        self._count(node, event.start_mark)
        return node

    def _check_alias(self, event: yaml.AliasEvent) -> None:
        target = self.anchors.get(event.anchor)  # type: ignore[attr-defined]
        if target is not None and id(target) not in self._sizes:
            raise _at(event.start_mark, f"the alias *{event.anchor} is inside its own anchor: write the values out")

    def _count(self, node: yaml.Node, mark: yaml.Mark) -> None:
        size = self._sizes.get(id(node))
        if size is None:
            size = 1 + sum(self._sizes.get(id(child), 1) for child in _children(node))
            self._sizes[id(node)] = size
            if isinstance(node, yaml.ScalarNode):
                _check_scalar(node)
        if size > MAX_NODES:
            raise _at(
                mark,
                f"this expands to more than {MAX_NODES:,} values (aliases repeat what they point at): "
                "write the values out, or use fewer aliases",
            )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_scalar(node: yaml.ScalarNode) -> None:
    hidden = _HIDDEN.search(str(node.value))
    if hidden is not None:
        raise _at(
            node.start_mark,
            f"this text contains the invisible character {_describe(hidden.group())} (an escape like \\0 or \\x.. "
            "in quotes): remove it",
        )
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(str(node.value)) > MAX_NUMBER_CHARS:
        raise number_too_long(node)


def number_too_long(node: yaml.ScalarNode) -> Refused:
    return _at(
        node.start_mark,
        f"a number {len(str(node.value)):,} characters long: numbers here have at most {MAX_NUMBER_CHARS} "
        "(amounts are under £10,000,000,000)",
    )


def _at(mark: yaml.Mark | None, message: str) -> Refused:
    if mark is None:
        return Refused(message)
    return Refused(message, mark.line + 1, mark.column + 1)
