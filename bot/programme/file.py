"""The programme file: one fund in one area written as YAML, checked before anything is loaded.

`parse_programme_file` returns a `ProgrammeFile` or raises `ProgrammeFileError` listing every
problem at once, each with the line it is on, so an admin fixes the file in one pass.

Each section item is validated on its own, so one bad scheme does not hide the mistakes in the
next; the checks across sections (duplicate keys, references to organisations, dates against
the deadline, budgets against the allocation) then run on every item that passed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml
from pydantic import (
    ValidationError,
)

from bot.programme.cross_checks import Parts, cross_check
from bot.programme.explained import shown_input, validation_issues
from bot.programme.fields import SECTIONS, Path, as_word, parse_money
from bot.programme.guard import (
    MAX_FILE_BYTES,
    Refused,
    hidden_characters,
    too_large,
    unreadable_character,
)
from bot.programme.problems import Issue, Problem, ProgrammeFileError, to_problems
from bot.programme.specs import (
    MeasureSpec,
    MemberSpec,
    OrganisationSpec,
    ProgrammeFile,
    ProgrammeSettings,
    ProgrammeSpec,
    SchemeSpec,
    Spec,
    TrancheSpec,
)
from bot.programme.yaml_reading import read_yaml, yaml_problem
from models.vocabulary import (
    Service,
)

SAMPLE_PATH = resources.files("bot.programme") / "sample" / "programme.yaml"


def sample_text() -> str:
    """The bundled sample programme, comments and all: the starting point for a new area."""
    return SAMPLE_PATH.read_text(encoding="utf-8")


# Section by section: each item validated on its own, then the checks across sections.


def _validate(model: type[Spec], raw: Any, path: Path, issues: list[Issue]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        issues += validation_issues(error, model, path)
        return None
    except ProgrammeFileError as error:
        issues += [Issue(path, problem.message) for problem in error.problems]
        return None


def _items(
    parent: Mapping[str, Any],
    path: Path,
    model: type[Spec],
    issues: list[Issue],
    parts: Parts,
    *,
    required: bool = False,
) -> list[tuple[int, Any]]:
    """Validate each item of a list section on its own, so every bad item is reported."""
    name = str(path[-1])
    raw = parent.get(name)
    if raw is None or raw == []:
        if required:
            issues.append(Issue(path, f"`{name}` needs at least one item"))
        return []
    if not isinstance(raw, list):
        issues.append(Issue(path, f"should be a list, one item per line starting with '- ', not {shown_input(raw)}"))
        parts.incomplete.add(path)
        return []
    valid = []
    parts.written[path] = [(index, item) for index, item in enumerate(raw) if isinstance(item, dict)]
    for index, item in enumerate(raw):
        spec = _validate(model, item, (*path, index), issues)
        if spec is None:
            parts.incomplete.add(path)
        else:
            valid.append((index, spec))
    return valid


def _programme(raw: Any, issues: list[Issue], parts: Parts) -> None:
    path: Path = ("programme",)
    if not isinstance(raw, dict):
        issues.append(Issue(path, "`programme` is missing or empty: give slug, name, deadline, channel and tranches"))
        parts.incomplete.add((*path, "tranches"))
        return
    settings = {k: v for k, v in raw.items() if k != "tranches"}
    parts.settings = _validate(ProgrammeSettings, settings, path, issues)
    parts.tranches = _items(raw, (*path, "tranches"), TrancheSpec, issues, parts, required=True)


def _service_problem(name: Any, seen: Mapping[Service, str]) -> str | None:
    values = [service.value for service in Service]
    try:
        service = Service(as_word(name))
    except ValueError:
        close = difflib.get_close_matches(str(as_word(name)), values, n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown service {name!r}{guess}: use one of {', '.join(values)}"
    if service in seen:
        return f"{name!r} is the same service as {seen[service]!r}: list its measures once"
    return None


def _measure_items(raw: Any, path: Path, issues: list[Issue], parts: Parts) -> None:
    if raw is None or raw == []:
        issues.append(Issue(path, "give at least one measure (key, label and unit), or leave the service out"))
        return
    if not isinstance(raw, list):
        issues.append(Issue(path, f"should be a list, one measure per line starting with '- ', not {shown_input(raw)}"))
        return
    parts.written[path] = [(index, item) for index, item in enumerate(raw) if isinstance(item, dict)]
    parts.measure_counts[path] = len(raw)
    for index, item in enumerate(raw):
        _validate(MeasureSpec, item, (*path, index), issues)


def _measures(raw: Any, issues: list[Issue], parts: Parts) -> None:
    """`measures:` maps a service to its list of measures; each is checked on its own."""
    path: Path = ("measures",)
    if raw is None:
        return
    if not isinstance(raw, dict):
        shape = "a mapping of `service:` lines, each with a list of measures"
        issues.append(Issue(path, f"should be {shape}, not {shown_input(raw)}"))
        return
    seen: dict[Service, str] = {}
    for name, items in raw.items():
        where = (*path, str(name))
        problem = _service_problem(name, seen)
        if problem:
            issues.append(Issue(where, problem))
        else:
            seen[Service(as_word(name))] = str(name)
        _measure_items(items, where, issues, parts)


def _sections(data: dict[Any, Any], issues: list[Issue]) -> None:
    for key in data:
        if key not in SECTIONS:
            close = difflib.get_close_matches(str(key), SECTIONS, n=1)
            guess = f": did you mean `{close[0]}`?" if close else ""
            known = ", ".join(SECTIONS)
            issues.append(Issue((str(key),), f"unknown section `{key}`{guess} (the sections are: {known})"))


def _check(data: Any) -> tuple[list[Issue], Parts]:
    issues: list[Issue] = []
    parts = Parts()
    if data is None:
        return [Issue((), "the file is empty: start from the sample (`winterbot init FILE.yaml`)")], parts
    if not isinstance(data, dict):
        return [Issue((), f"the file should have the sections {', '.join(SECTIONS)}, not {shown_input(data)}")], parts
    _sections(data, issues)
    _programme(data.get("programme"), issues, parts)
    _items(data, ("organisations",), OrganisationSpec, issues, parts, required=True)
    _items(data, ("members",), MemberSpec, issues, parts)
    parts.schemes = _items(data, ("schemes",), SchemeSpec, issues, parts)
    _measures(data.get("measures"), issues, parts)
    return issues, parts


def _refusal(refused: Refused, source: str) -> Problem:
    return Problem(refused.line, "", refused.message, source, refused.column)


def parse_programme_file(text: str, source: str = "<file>") -> ProgrammeFile:
    """Read and check a programme file; raise ProgrammeFileError listing every problem in it."""
    if len(text) > MAX_FILE_BYTES:
        raise ProgrammeFileError([_refusal(too_large(), source)], source)
    hidden = hidden_characters(text)
    if hidden:
        raise ProgrammeFileError([_refusal(refused, source) for refused in hidden], source)
    try:
        data, lines, issues = read_yaml(text)
    except yaml.reader.ReaderError as error:
        raise ProgrammeFileError([_refusal(unreadable_character(text, error.position), source)], source) from None
    except yaml.YAMLError as error:
        raise ProgrammeFileError([yaml_problem(error, source)], source) from None
    except Refused as refused:
        raise ProgrammeFileError([_refusal(refused, source)], source) from None
    found, parts = _check(data)
    issues += found
    if isinstance(data, dict):
        flagged = {issue.path for issue in issues}
        issues += [issue for issue in cross_check(parts, lines) if issue.path not in flagged]
    if issues:
        raise ProgrammeFileError(to_problems(issues, lines, source), source)
    complete = {
        **data,
        "members": data.get("members") or [],
        "schemes": data.get("schemes") or [],
        "measures": data.get("measures") or {},
    }
    spec = _validate(ProgrammeFile, complete, (), issues)
    if spec is None:
        raise ProgrammeFileError(to_problems(issues, lines, source), source)
    spec._source, spec._lines = source, lines
    return spec


__all__ = [
    "SAMPLE_PATH",
    "MemberSpec",
    "OrganisationSpec",
    "Problem",
    "ProgrammeFile",
    "ProgrammeFileError",
    "ProgrammeSpec",
    "SchemeSpec",
    "TrancheSpec",
    "parse_money",
    "parse_programme_file",
    "sample_text",
]
