"""The Teams app package: the manifest a tenant admin uploads, with the bot's id and icons."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from bot.app.cli import main
from handlers.teams.app_package import build_package, manifest

APP_ID = "0b5c5f3e-1234-4cde-8f00-123456789abc"


def test_the_package_holds_the_manifest_with_the_app_id_and_both_icons(tmp_path):
    out = build_package(APP_ID, tmp_path / "winterbot-teams.zip")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert data["id"] == APP_ID and data["bots"][0]["botId"] == APP_ID
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert outline.mode == "RGBA" and outline.getpixel((0, 0))[3] == 0  # transparent, as Teams asks
    assert len(data["name"]["short"]) <= 30 and len(data["description"]["short"]) <= 80


def test_the_command_menu_lists_the_commands_the_bot_answers():
    from bot.commands.table import BY_NAME as COMMANDS

    lists = {tuple(c["scopes"]): c["commands"] for c in manifest(APP_ID)["bots"][0]["commandLists"]}
    personal = [c["title"] for c in lists[("personal",)]]
    # Teams shows at most ten: `back` is left to the reply to `away`, which says to type it; `board` is
    # reached from the brief; `setup` uploads a file, which Teams' command box cannot (it says so when typed).
    assert sorted(personal) == sorted(set(COMMANDS) - {"back", "board", "setup"})
    assert len(personal) <= 10  # Teams shows at most ten per list
    assert all(len(c["description"]) <= 128 for c in lists[("personal",)])


def test_an_app_id_that_is_not_a_guid_is_refused_with_what_to_use(tmp_path, capsys):
    with pytest.raises(ValueError, match="Application \\(client\\) ID"):
        manifest("my-bot")
    assert main(["teams-package", "--app-id", "my-bot", "--out", str(tmp_path / "x.zip")]) == 2
    assert "Application (client) ID" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_the_command_writes_the_zip(tmp_path, capsys):
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(tmp_path / "w.zip")]) == 0
    assert (tmp_path / "w.zip").exists() and "Upload new app" in capsys.readouterr().out


def test_the_teams_secret_stays_out_of_the_logs_and_the_settings_repr(caplog):
    import logging

    from bot.common.config import Settings
    from handlers.teams.sdk import sdk_app

    secret = "Xy7~teams-client-secret-value"
    env = {"CLIENT_ID": APP_ID, "CLIENT_SECRET": secret, "TENANT_ID": "11111111-1111-4111-8111-111111111111"}
    settings = Settings.from_env(env)
    assert settings.teams_enabled and settings.teams_client_secret == secret
    assert not settings.teams_allow_unauthenticated  # the environment cannot switch the token check off
    with caplog.at_level(logging.DEBUG):
        app = sdk_app(settings)
    assert app.id == APP_ID
    assert secret not in caplog.text and secret not in repr(settings)


def test_the_sdks_own_switch_in_the_environment_does_not_turn_the_check_off(monkeypatch):
    from bot.common.config import Settings
    from handlers.teams.sdk import sdk_app

    monkeypatch.setenv("DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS", "true")
    app = sdk_app(Settings.from_env({"CLIENT_ID": APP_ID, "CLIENT_SECRET": "s"}))
    assert app.options.dangerously_allow_unauthenticated_requests is False
