"""What the programme file's tests share: the minimal file, editing it, and reading the problems
a file is refused with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.programme.file import (
    Problem,
    ProgrammeFileError,
    parse_programme_file,
)

FIXTURES = Path(__file__).with_name("fixtures")
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def edited(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} is not once in the file"
    return text.replace(old, new)


def problems(text: str) -> list[Problem]:
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme_file(text, "area.yaml")
    return caught.value.problems


def line_of(text: str, needle: str, *, last: bool = False) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[-1] if last else found[0]


def only_problem(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]
