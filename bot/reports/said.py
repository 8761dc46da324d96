"""Words the reports say alike on every platform: the spend flags, shown up to a point and the
rest counted, the partners' own words, quoted and attributed, and the marks of a capacity level
and of a risk's severity."""

from __future__ import annotations

from collections.abc import Sequence

from bot.common.markup import Markup
from bot.common.wording import plural
from bot.reports.voice import Voice
from models.vocabulary import Severity

FLAGS_SHOWN = 5
NO_VOICE = "No blockers or comments from community partners."


def flag_lines(messages: Sequence[str], markup: Markup, all_of_them: str, shown: int = FLAGS_SHOWN) -> list[str]:
    """The first `shown` flags, marked, then how many more and `all_of_them`: where to see them."""
    lines = [f"{markup.warning} {markup.text(m)}" for m in messages[:shown]]
    if len(messages) > shown:
        lines.append(f"{plural(len(messages) - shown, 'more flag')}: {all_of_them}")
    return lines


def voice_lines(voice: Sequence[Voice], left_out: int, markup: Markup) -> list[str]:
    """Each blocker or comment quoted, attributed to the organisation; a very long one in
    several quoted pieces, the attribution under the last."""
    if not voice:
        return [NO_VOICE]
    lines: list[str] = []
    for v in voice:
        for label, text in (("blockers", v.blockers), ("comment", v.comment)):
            if not text:
                continue
            pieces = markup.quoted(text)
            pieces[-1] += f"{markup.paragraph}— {markup.bold(v.organisation)}, {label}, {v.day:%a %d %b}"
            lines += pieces
    if left_out:
        lines.append(f"{left_out} more not shown here.")
    return lines


def level_mark(level: int | None, markup: Markup) -> str:
    return markup.levels.get(level, markup.never) if level is not None else markup.never


def severity_mark(severity: str | Severity, markup: Markup) -> str:
    """A severity's mark; nothing for a value that is not a severity."""
    try:
        return markup.severities[Severity(severity)]
    except ValueError:
        return ""
