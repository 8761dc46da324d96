"""manifest.yaml asks for exactly what the code uses: every bot scope a Web API method the code
calls needs (and no other), and an event subscription for each event listener (and no other).

The methods are found by reading the source of bot/ and handlers/ (a client's `chat_postMessage`,
called or passed on, `api_call("chat.postMessage")`, Bolt's `say`), turned into Slack's method
names with slack_sdk's own source (files_upload_v2 calls files.getUploadURLExternal and
files.completeUploadExternal), and looked up in SCOPES, written from each method's page at
api.slack.com/methods (bot token scopes). A method that SCOPES does not know fails the test:
add it, with the scopes its page lists.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web import client as slack_client

from bot.common.config import Settings
from handlers.slack import build_slack_app
from models.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "manifest.yaml"
SOURCES = (ROOT / "bot", ROOT / "handlers")

# The bot token scopes each Web API method needs, from its page at api.slack.com/methods. Where a
# method needs one scope per kind of conversation, the scopes of the kinds winterbot uses: public
# and private channels (the programme's and the leads'), and the DMs with members (never group DMs).
SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.delete": frozenset({"chat:write"}),
    "conversations.open": frozenset({"im:write"}),  # with one user: a DM
    "conversations.history": frozenset({"channels:history", "groups:history", "im:history"}),
    "conversations.replies": frozenset({"channels:history", "groups:history", "im:history"}),
    "conversations.info": frozenset({"channels:read", "groups:read", "im:read"}),
    "conversations.members": frozenset({"channels:read", "groups:read", "im:read"}),
    "users.info": frozenset({"users:read"}),
    "users.list": frozenset({"users:read"}),
    "users.lookupByEmail": frozenset({"users:read", "users:read.email"}),
    "views.open": frozenset(),
    "views.publish": frozenset(),
    "views.update": frozenset(),
    "views.push": frozenset(),
    "files.info": frozenset({"files:read"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "reactions.add": frozenset({"reactions:write"}),
}
# The scopes an event subscription needs (api.slack.com/events), and the event type it delivers.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "message.im": frozenset({"im:history"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
}
SAY = "chat.postMessage"  # what Bolt's say() calls


@cache
def client_methods() -> dict[str, frozenset[str]]:
    """Each WebClient method's name -> the Web API methods it calls, read from slack_sdk's source."""
    tree = ast.parse(inspect.getsource(slack_client))
    web_client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "WebClient")
    functions = {f.name: f for f in web_client.body if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")}
    direct: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for name, function in functions.items():
        direct[name], calls[name] = set(), set()
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "api_call" and node.args and isinstance(node.args[0], ast.Constant):
                    direct[name].add(str(node.args[0].value))
                elif node.func.attr in functions and node.func.attr != name:
                    calls[name].add(node.func.attr)
    return {name: frozenset(_reachable(name, direct, calls)) for name in functions if name != "api_call"}


def _reachable(name: str, direct: dict[str, set[str]], calls: dict[str, set[str]]) -> set[str]:
    found, todo, seen = set(), [name], set()
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            found |= direct[current]
            todo += calls[current]
    return found


def methods_in(tree: ast.AST) -> set[str]:
    """The Web API methods a module's source calls."""
    known = client_methods()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in known:
            found |= known[node.attr]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "api_call":
            if node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
            found.add(SAY)
    return found


def python_files() -> Iterator[Path]:
    for folder in SOURCES:
        yield from sorted(folder.rglob("*.py"))


def used_methods() -> dict[str, set[str]]:
    """Web API method -> the files calling it."""
    used: dict[str, set[str]] = {}
    for path in python_files():
        for method in methods_in(ast.parse(path.read_text(encoding="utf-8"))):
            used.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    return used


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def subscribed_events() -> list[str]:
    return list(manifest()["settings"]["event_subscriptions"]["bot_events"])


def manifest_scopes() -> list[str]:
    return list(manifest()["oauth_config"]["scopes"]["bot"])


def needed_scopes(methods: Iterable[str], events: Iterable[str], slash_commands: bool) -> set[str]:
    needed = {"commands"} if slash_commands else set()
    for method in methods:
        needed |= SCOPES[method]
    for event in events:
        needed |= EVENT_SCOPES[event]
    return needed


def test_the_collector_finds_calls_references_api_call_and_say():
    source = """
async def f(client, self, say):
    await client.chat_postMessage(channel="C1", text="hi")
    self._call(self.client.conversations_history, channel="C1")
    client.files_upload_v2(channel="C1", content=b"")
    await client.api_call("reactions.add", params={})
    await say("hello")
"""
    assert methods_in(ast.parse(source)) == {
        "chat.postMessage",
        "conversations.history",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "reactions.add",
    }


def test_every_method_the_code_calls_has_its_scopes_written_down():
    used = used_methods()
    unknown = {m: sorted(files) for m, files in used.items() if m not in SCOPES}
    assert not unknown, (
        f"The code calls Web API methods whose scopes tests/test_manifest.py does not know: {unknown}. "
        "Add each to SCOPES with the bot token scopes its page at api.slack.com/methods/<method> lists, "
        "and the scopes to manifest.yaml."
    )
    assert {"chat.postMessage", "conversations.history", "files.completeUploadExternal"} <= set(used)


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs():
    events = subscribed_events()
    unknown_events = [e for e in events if e not in EVENT_SCOPES]
    assert not unknown_events, f"add {unknown_events} to EVENT_SCOPES in tests/test_manifest.py"
    used = used_methods()
    needed = needed_scopes(used, events, bool(manifest()["features"].get("slash_commands")))
    asked = manifest_scopes()
    assert len(asked) == len(set(asked)), "manifest.yaml names a scope twice"
    missing, unused = sorted(needed - set(asked)), sorted(set(asked) - needed)
    who_needs = {s: sorted(m for m in used if s in SCOPES.get(m, ())) for s in missing}
    assert not missing, f"manifest.yaml lacks scopes the code needs (scope: methods): {who_needs}"
    assert not unused, f"manifest.yaml asks for scopes nothing uses: {unused}: remove them"


def test_a_typed_message_tab_is_enabled_when_message_im_is_subscribed():
    home = manifest()["features"]["app_home"]
    assert "message.im" in subscribed_events()
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False


def registered_event_types() -> set[str]:
    """The event types named by `app.event(...)` in handlers/slack."""
    types: set[str] = set()
    for path in sorted((ROOT / "handlers" / "slack").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "event"
                and node.args
            ):
                kind = node.args[0]
                if isinstance(kind, ast.Dict):
                    kind = next(
                        v
                        for k, v in zip(kind.keys, kind.values, strict=False)
                        if isinstance(k, ast.Constant) and k.value == "type"
                    )
                assert isinstance(kind, ast.Constant), f"{path}: app.event with a type that is not a literal"
                types.add(str(kind.value))
    return types


def test_every_listener_is_subscribed_to():
    subscribed_types = {event.split(".", 1)[0] for event in subscribed_events()}
    unsubscribed = registered_event_types() - subscribed_types
    assert not unsubscribed, f"listeners for events manifest.yaml does not subscribe to: {sorted(unsubscribed)}"


def _event_body(event: str) -> dict:
    kind, _, channel_type = event.partition(".")
    inner = {"type": kind, **({"channel_type": channel_type.removesuffix("s")} if channel_type else {})}
    return {"type": "event_callback", "team_id": "T0WINTER", "api_app_id": "A0WINTER", "event": inner}


@pytest.fixture(scope="module")
def slack_app() -> AsyncApp:
    settings = Settings(
        slack_bot_token="xoxb-0000-manifest", slack_signing_secret="0" * 32, slack_api_url="http://127.0.0.1:9/api/"
    )
    return build_slack_app(settings, make_engine("sqlite://"))


def test_every_subscribed_event_reaches_a_listener(slack_app):
    async def heard(event: str) -> bool:
        request = AsyncBoltRequest(body=json.dumps(_event_body(event)), headers={"content-type": "application/json"})
        response = BoltResponse(status=200)
        return any(
            [await listener.async_matches(req=request, resp=response) for listener in slack_app._async_listeners]
        )

    unheard = [event for event in subscribed_events() if not asyncio.run(heard(event))]
    assert not unheard, f"manifest.yaml subscribes to events no listener in handlers/slack/events handles: {unheard}"
