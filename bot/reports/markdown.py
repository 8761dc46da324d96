"""A brief or a digest as plain Markdown (the demo's files, the folder messenger)."""

from __future__ import annotations

from bot.reports.brief import Brief
from bot.reports.brief_words import brief_markdown
from bot.reports.digest import Digest, digest_markdown


def to_markdown(document: object) -> str:
    """A brief or a digest as plain Markdown."""
    if isinstance(document, Brief):
        return brief_markdown(document)
    if isinstance(document, Digest):
        return digest_markdown(document)
    raise TypeError(f"not a brief or a digest: {type(document).__name__}")
