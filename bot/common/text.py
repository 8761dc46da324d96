"""Free text made safe to store and to post, whatever was pasted into it.

PostgreSQL refuses a NUL in a text column, so one pasted NUL would lose a whole check-in.
Bidi controls (U+202E turns the rest of a line around) and zero-width characters change what
a reader sees without showing themselves, so they never reach a channel. Tabs and line breaks
stay; a carriage return becomes a line break. A zero-width joiner between two emoji (a single
picture such as a health worker) is kept: it hides nothing there.
"""

from __future__ import annotations

import re

_CONTROLS = [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
_INVISIBLE = [0x200B, 0x200C, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E, *range(0x206A, 0x2070)]
_REMOVED = dict.fromkeys((*_CONTROLS, *_BIDI, *_INVISIBLE))
_PICTURE = "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935\u2b05-\u2b55\ufe0f\U0001f000-\U0001faff"
_LONE_JOINER = re.compile(f"(?<![{_PICTURE}])\u200d|\u200d(?![{_PICTURE}])")
_LINE_ENDINGS = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    """The text without NUL and other control characters, bidi controls or zero-width characters."""
    if not text:
        return text
    text = _LINE_ENDINGS.sub("\n", text).translate(_REMOVED)
    return _LONE_JOINER.sub("", text) if "\u200d" in text else text
