"""Renderers and Slack's Block Kit limits."""

from __future__ import annotations

import pytest

from bot.commands.table import help_for
from bot.common.asking import JOIN_TEXT
from handlers.slack.blocks.help import help_blocks, help_text, unknown_command_blocks
from handlers.slack.blocks.limits import BlockKitLimitError, check_home, check_message, check_modal
from models.vocabulary import Role


def section(text: str = "x", **kw) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **kw}


def modal(title: str = "Check-in", blocks: list | None = None, **kw) -> dict:
    return {"type": "modal", "title": plain(title), "blocks": blocks or [], **kw}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


# help


@pytest.mark.parametrize("role", list(Role))
def test_help_blocks_name_the_role_and_fit_in_a_message(role):
    blocks = help_blocks(help_for(role, ("Vale",)))
    check_message(blocks)
    assert blocks[0]["type"] == "header"
    text = str(blocks)
    assert f"*{'an' if role in (Role.ADMIN, Role.OBSERVER) else 'a'} {role.value}* on Vale." in text
    assert "`/winter help`" in text
    assert JOIN_TEXT not in text


def test_help_for_a_stranger_explains_how_to_join():
    blocks = help_blocks(help_for(None))
    check_message(blocks)
    assert blocks[1]["text"]["text"] == JOIN_TEXT
    assert "`/winter help`" in blocks[2]["text"]["text"]
    assert help_text(help_for(None)).startswith(JOIN_TEXT)


def test_programme_names_are_escaped_and_joined():
    text = str(help_blocks(help_for(Role.LEAD, ("Vale <test>", "Wold", "Coast & Moor"))))
    assert "Vale &lt;test&gt;, Wold and Coast &amp; Moor" in text


def test_help_text_is_plain():
    asker = help_for(Role.LEAD, ("Vale",))
    text = help_text(asker)
    usages = ", ".join(f"/winter {command.usage}" for command in asker.commands)
    assert text == f"You are a lead on Vale. You can use: {usages}"
    assert "/winter checkin" not in text and "*" not in text and "`" not in text


def test_unknown_command_shows_the_word_safely_and_then_help():
    blocks = unknown_command_blocks("`<@U1>`" + "x" * 100, help_for(None))
    check_message(blocks)
    said = blocks[0]["text"]["text"]
    assert said.startswith("I don't know `'&lt;@U1&gt;'")
    assert said.count("`") == 2
    assert len(said) < 80
    assert blocks[1:] == help_blocks(help_for(None))


# limits


def test_fifty_blocks_fit_a_message_and_fifty_one_do_not():
    check_message([section()] * 50)
    with pytest.raises(BlockKitLimitError, match="message has 51 blocks; Slack allows at most 50"):
        check_message([section()] * 51)


def test_a_section_of_3000_characters_fits_and_3001_does_not():
    check_message([section("x" * 3000)])
    with pytest.raises(BlockKitLimitError) as raised:
        check_message([section(), section("x" * 3001)])
    assert str(raised.value) == ("message block 1 (section) text is 3001 characters; Slack allows at most 3000")


def test_a_section_has_at_most_ten_fields_of_2000_characters():
    fields = [{"type": "mrkdwn", "text": "f"}] * 10
    check_message([{"type": "section", "fields": fields}])
    with pytest.raises(BlockKitLimitError, match="fields: 11 items; Slack allows at most 10"):
        check_message([{"type": "section", "fields": fields + fields[:1]}])
    long_field = [{"type": "mrkdwn", "text": "f" * 2001}]
    with pytest.raises(BlockKitLimitError, match="field 0 is 2001 characters"):
        check_message([{"type": "section", "fields": long_field}])


def test_a_section_needs_text_or_fields():
    with pytest.raises(BlockKitLimitError, match="needs text or fields"):
        check_message([{"type": "section"}])


def test_a_header_is_at_most_150_characters():
    with pytest.raises(BlockKitLimitError, match="header"):
        check_message([{"type": "header", "text": plain("h" * 151)}])


def test_block_ids_are_unique_in_a_message():
    with pytest.raises(BlockKitLimitError, match="block_id 'a' is used twice"):
        check_message([section(block_id="a"), section(block_id="b"), section(block_id="a")])


def test_buttons_and_selects_are_checked():
    button = {"type": "button", "text": plain("b" * 76), "action_id": "go"}
    with pytest.raises(BlockKitLimitError, match="button element text is 76 characters"):
        check_message([{"type": "actions", "elements": [button]}])
    options = [{"text": plain(str(i)), "value": str(i)} for i in range(101)]
    select = {"type": "static_select", "action_id": "s", "options": options}
    with pytest.raises(BlockKitLimitError, match="options: 101 items"):
        check_message([section(accessory=select)])
    with pytest.raises(BlockKitLimitError, match="elements: 26 items"):
        check_message([{"type": "actions", "elements": [{**button, "text": plain("ok")}] * 26}])


def test_a_modal_title_is_at_most_24_characters():
    check_modal(modal("x" * 24))
    with pytest.raises(BlockKitLimitError, match="title is 25 characters; Slack allows at most 24"):
        check_modal(modal("x" * 25))


def test_a_modal_holds_100_blocks_and_needs_submit_for_inputs():
    check_modal(modal(blocks=[section()] * 100))
    with pytest.raises(BlockKitLimitError, match="modal has 101 blocks; Slack allows at most 100"):
        check_modal(modal(blocks=[section()] * 101))
    element = {"type": "plain_text_input", "action_id": "a"}
    field = {"type": "input", "label": plain("Spend"), "element": element}
    with pytest.raises(BlockKitLimitError, match="no submit"):
        check_modal(modal(blocks=[field]))
    check_modal(modal(blocks=[field], submit=plain("Send")))


def test_private_metadata_is_at_most_3000_characters():
    with pytest.raises(BlockKitLimitError, match="private_metadata"):
        check_modal(modal(private_metadata="m" * 3001))


def test_a_home_tab_holds_100_blocks():
    check_home({"type": "home", "blocks": [section()] * 100})
    with pytest.raises(BlockKitLimitError, match="home has 101 blocks"):
        check_home({"type": "home", "blocks": [section()] * 101})
    with pytest.raises(BlockKitLimitError, match="expected a home view"):
        check_home(modal())
