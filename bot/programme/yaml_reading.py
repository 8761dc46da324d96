"""Reading the programme file's YAML: exact numbers, dates as written, the line of every value."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from bot.programme.fields import Path
from bot.programme.guard import (
    GuardedComposer,
)
from bot.programme.problems import Issue, Problem


class _YamlReader(GuardedComposer, yaml.SafeLoader):
    """A SafeLoader that keeps numbers exact and reads 14:00 as a time, not 840, and refuses
    what would exhaust time or memory (bot.programme.guard).

    PyYAML follows YAML 1.1: 1200000.50 becomes a float and 14:00 a base-60 integer.
    Here a decimal number becomes a Decimal made from the text as written, and anything
    with a colon stays text, for the time parser to read.
    """


def _exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if ":" in text:
        return text
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


def _integer_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in str(node.value):
        return str(node.value)
    return loader.construct_yaml_int(node)


def _date_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """2027-02-30 looks like a date to YAML; keep it as text so the message can say why not."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


_YamlReader.add_constructor("tag:yaml.org,2002:float", _exact_number)
_YamlReader.add_constructor("tag:yaml.org,2002:int", _integer_or_text)
_YamlReader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)

_MERGE = "tag:yaml.org,2002:merge"


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], issues: list[Issue], stack: frozenset[int]) -> None:
    """Record the line of every path, and every mapping key given twice (PyYAML keeps the last)."""
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in stack:
        return
    stack = stack | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                continue
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                issues.append(
                    Issue((*path, key), f"`{key}` is given twice (first on line {seen[key]}): keep one", line)
                )
            else:
                seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, issues, stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, issues, stack)


def read_yaml(text: str) -> tuple[Any, dict[Path, int], list[Issue]]:
    reader = _YamlReader(text)
    try:
        node = reader.get_single_node()
        lines: dict[Path, int] = {}
        issues: list[Issue] = []
        if node is None:
            return None, lines, issues
        _walk(node, (), lines, issues, frozenset())
        return reader.construct_document(node), lines, issues
    finally:
        reader.dispose()


def yaml_problem(error: yaml.YAMLError, source: str) -> Problem:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    started = getattr(error, "context_mark", None)
    if context and started and mark and started.line != mark.line:
        context += f" (started on line {started.line + 1})"
    message = f"this is not valid YAML: {context + ', ' if context else ''}{problem}"
    if "\t" in message or "'\\t'" in message:
        message += " (indent with spaces, not tabs)"
    else:
        message += " (check the indentation, and quote text that contains ': ', '#' or starts with a symbol)"
    return Problem(line=mark.line + 1 if mark else None, location="", message=message, source=source)
