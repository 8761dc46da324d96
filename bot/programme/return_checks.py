"""Warnings about the return's lines: a line fed by a measure nobody is asked would always be 0.

Warnings, not errors, as for measures of a service nobody reports: the file still loads (an
area may drop a measure and fix the return's mapping after), but the admin is told which line
and why, with the nearest measure key the service does have.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bot.programme.fields import Path
from bot.programme.problems import Issue

if TYPE_CHECKING:  # the specs' validators run the checks that call this: the specs import it
    from bot.programme.specs import ProgrammeFile

LINES: Path = ("programme", "fortnightly_return", "lines")


def return_line_advisories(spec: ProgrammeFile) -> list[Issue]:
    calendar = spec.programme.fortnightly_return
    if calendar is None:
        return []
    declared = {service.value: [m.key for m in measures] for service, measures in spec.measures.items()}
    issues: list[Issue] = []
    first_line: dict[str, str] = {}
    for line, refs in calendar.lines.fed().items():
        for index, ref in enumerate(refs):
            where: Path = (*LINES, line, index)
            service, key = ref.split(".")
            if key not in declared.get(service, []):
                issues.append(Issue(where, _undeclared(ref, service, key, declared.get(service, []))))
            elif ref in first_line and first_line[ref] != line:
                issues.append(Issue(where, f"{ref} also feeds {first_line[ref]}: it is counted in both lines"))
            first_line.setdefault(ref, line)
    return issues


def _undeclared(ref: str, service: str, key: str, keys: list[str]) -> str:
    if not keys:
        return (
            f"{ref}: {service} has no measures under `measures:`, so nothing feeds this line of the return "
            f"(add {{key: {key}, label: ...}} under `measures: {service}:`)"
        )
    close = difflib.get_close_matches(key, keys, n=1)
    hint = f"did you mean {service}.{close[0]}?" if close else f"its measures are: {', '.join(keys)}"
    return f"{ref}: {service} has no measure {key!r} under `measures:`, so nothing feeds this line ({hint})"
