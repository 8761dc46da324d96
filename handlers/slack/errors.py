"""What someone is told when their request meets a database that is away.

Bolt's default for a listener that raises is an empty 500: Slack shows a vague error, the
modal's answers seem to vanish, and the person cannot tell whether anything was recorded. A
unit of work is rolled back when it raises (models.db.session_scope), so when the database is
unreachable nothing of the request was saved, and the person is told so in words:

- a slash command gets the words as its ephemeral answer;
- a submitted modal stays open with everything typed into it, the words on its first field;
- a button gets the words through its response URL, where it has one.

The same answer is given when the database work before Bolt (replay protection, in
handlers.slack.endpoint) is what meets the database away.

The log gets one line: the kind of request, who sent it and the driver's reason; never the
payload (a check-in's free text, a decision's words). Any other error is logged as Bolt logs
it and keeps Bolt's 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from starlette.responses import JSONResponse, Response

from bot.app.database_ready import NOTHING_SAVED, is_unreachable, reason

log = logging.getLogger(__name__)

JSON: dict[str, str | Sequence[str]] = {"content-type": "application/json;charset=utf-8"}
_TELLING: set[asyncio.Task[None]] = set()  # kept until done: the loop holds tasks only weakly


def register(app: AsyncApp) -> None:
    app.error(on_error)


async def on_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, respond: AsyncRespond | None
) -> BoltResponse | None:
    """Bolt's global error handler: `response` is None once the listener has acknowledged."""
    if not is_unreachable(error):
        log.error("a Slack %s failed (%s)", _kind(body), type(error).__name__, exc_info=error)
        return None
    answer = _answer(error, body, respond, acknowledged=response is None)
    if response is None:
        return None
    return BoltResponse(status=200, body=answer, headers=JSON) if answer else BoltResponse(status=200, body="")


def database_away(payload: dict[str, Any], error: Exception) -> Response:
    """The same answer for a request whose database work comes before Bolt's (replay protection)."""
    url = payload.get("response_url")
    respond = AsyncRespond(response_url=url) if isinstance(url, str) and url else None
    answer = _answer(error, payload, respond, acknowledged=False)
    return JSONResponse(answer) if answer else Response(status_code=200)


def _answer(
    error: Exception, body: dict[str, Any], respond: AsyncRespond | None, *, acknowledged: bool
) -> dict[str, Any]:
    """The acknowledgement's body (empty when it has gone, or cannot carry words), telling
    through the response URL where the acknowledgement cannot."""
    kind = _kind(body)
    log.warning(
        "a Slack %s from %s met the database away (%s): told them nothing was saved", kind, _user(body), reason(error)
    )
    if not acknowledged and kind == "view_submission":
        return _keep_the_form_open(body)
    if not acknowledged and kind == "command":
        return {"response_type": "ephemeral", "text": NOTHING_SAVED}
    if respond is not None and body.get("response_url"):
        task = asyncio.get_running_loop().create_task(_tell(respond))
        _TELLING.add(task)
        task.add_done_callback(_TELLING.discard)
    return {}


def _kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return "command"
    return str(body.get("type") or "request")


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    found = user.get("id") if isinstance(user, dict) else body.get("user_id")
    return str(found or "someone")


def _keep_the_form_open(body: dict[str, Any]) -> dict[str, Any]:
    """The words on the first field, so the modal and its answers stay; a modal with no field
    gets a notice pushed over it, which closes back onto it."""
    view = body.get("view") or {}
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id")]
    if inputs:
        return {"response_action": "errors", "errors": {inputs[0]: NOTHING_SAVED}}
    notice = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Not saved"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": NOTHING_SAVED}}],
    }
    return {"response_action": "push", "view": notice}


async def _tell(respond: AsyncRespond) -> None:
    try:
        await respond(text=NOTHING_SAVED, response_type="ephemeral", replace_original=False)
    except Exception as failure:  # noqa: BLE001 - telling them is a courtesy; the log line stands
        log.warning("could not tell them nothing was saved (%s)", type(failure).__name__)
