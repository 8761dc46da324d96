"""The Teams app package a tenant admin uploads: the manifest with the bot's app id filled
in, and the two icons, zipped."""

from __future__ import annotations

import json
import uuid
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any

FILES = ("manifest.json", "color.png", "outline.png")


def manifest(app_id: str) -> dict[str, Any]:
    """The bundled manifest for this app registration (its id is the Entra app's client id)."""
    try:
        normalised = str(uuid.UUID(app_id))
    except ValueError:
        raise ValueError(
            f"{app_id!r} is not an app id: use the Application (client) ID of the bot's Entra app "
            "registration, which looks like 0b5c5f3e-1234-4cde-8f00-123456789abc"
        ) from None
    data = json.loads(files("handlers.teams.package").joinpath("manifest.json").read_text(encoding="utf-8"))
    data["id"] = normalised
    for bot in data["bots"]:
        bot["botId"] = normalised
    return data


def build_package(app_id: str, out: Path) -> Path:
    content = manifest(app_id)
    source = files("handlers.teams.package")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(content, indent=2))
        for name in FILES[1:]:
            archive.writestr(name, source.joinpath(name).read_bytes())
    return out
