"""A problem in a programme file, where it is (section, item, field, line), and the error listing them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.common.wording import plural
from bot.programme.fields import Path


@dataclass(frozen=True)
class Problem:
    line: int | None
    location: str
    message: str
    source: str = "<file>"
    column: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        where += f":{self.column}" if self.line is not None and self.column is not None else ""
        return f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"


class ProgrammeFileError(Exception):
    """A programme file that cannot be loaded; `problems` lists everything to fix."""

    def __init__(self, problems: list[Problem], source: str = "<file>") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{plural(count, 'problem')} in {self.source}:"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])


@dataclass(frozen=True)
class Issue:
    path: Path
    message: str
    line: int | None = None


def format_location(path: Path) -> str:
    """('schemes', 3, 'owner') -> 'schemes[3].owner' (indices count from 0)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_for(path: Path, lines: Mapping[Path, int]) -> int | None:
    """The line of the path, or of its nearest written ancestor (a missing field has no line)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def to_problems(issues: list[Issue], lines: Mapping[Path, int], source: str) -> list[Problem]:
    problems = [
        Problem(
            line=issue.line if issue.line is not None else _line_for(issue.path, lines),
            location=format_location(issue.path),
            message=issue.message,
            source=source,
        )
        for issue in issues
    ]
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0))
