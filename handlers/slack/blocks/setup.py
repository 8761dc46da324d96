"""`/winter setup`'s modal: upload the programme file, then what loading it did. Pure functions."""

from __future__ import annotations

from typing import Any

from bot.people.programme_setup import SetUp, SetupOffer, SetupRefused
from handlers.slack.blocks.status import context, section
from handlers.slack.blocks.text import escape

Json = dict[str, Any]

CALLBACK = "winter_setup"
FILE_BLOCK = "setup_file"
FILE_ACTION = "programme_file"
TITLE = "Set up a programme"
SECTION_TEXT = 2900  # Slack's limit for a section is 3,000 characters
NO_FILE = "Choose the programme file (a .yaml file) to upload."


def _modal(blocks: list[Json], *, submit: bool = False) -> Json:
    view: Json = {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": {"type": "plain_text", "text": TITLE},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }
    if submit:
        view["submit"] = {"type": "plain_text", "text": "Check and load"}
    return view


def setup_modal(offer: SetupOffer) -> Json:
    """The form: what the file is, where to start one, and the upload."""
    yours = ", ".join(f"`{slug}`" for slug in offer.administers)
    replacing = f"You administer {yours}: uploading its file again updates it in place. " if yours else ""
    intro = section(
        "Upload your area's programme file: the programme, its money, organisations, people and schemes. "
        f"{replacing}Every problem in it is listed at once and nothing is loaded until it is right; "
        "loading the same file twice changes nothing."
    )
    upload = {
        "type": "input",
        "block_id": FILE_BLOCK,
        "label": {"type": "plain_text", "text": "Programme file"},
        "element": {"type": "file_input", "action_id": FILE_ACTION, "filetypes": ["yaml", "yml"], "max_files": 1},
    }
    start = context(
        "No file yet? Ask your winterbot provider for the sample (`winterbot init area.yaml`) and edit it. "
        "Workspace admins can set up a new programme; a programme's own admins can replace its file."
    )
    return _modal([intro, upload, start], submit=True)


def loading_view() -> Json:
    return _modal([section("Checking and loading the file… this takes a few seconds.")])


def outcome_view(outcome: SetUp | SetupRefused) -> Json:
    if isinstance(outcome, SetupRefused):
        return _modal([section(escape(_cut(outcome.message)))])
    report = outcome.report
    lines = "\n".join(escape(line) for line in report.lines())
    follow = context(
        f"Programme `{escape(report.slug)}` belongs to this workspace now. Invite @winterbot to its channels; "
        "partners are prompted at their check-in time on the next working day."
    )
    return _modal([section(_cut(lines)), follow])


def failed_view(reason: str) -> Json:
    return _modal([section(escape(_cut(reason)))])


def _cut(text: str) -> str:
    return text if len(text) <= SECTION_TEXT else text[: SECTION_TEXT - 1] + "…"
