"""The Teams SDK's HTTP seam, on our Starlette app rather than the SDK's own FastAPI server:
the SDK registers its `/api/messages` handler here (with its token check) and our route
calls it."""

from __future__ import annotations

import json
import logging
import re

from microsoft_teams.api import ActivityTypeAdapter
from microsoft_teams.apps.events import CoreActivity
from microsoft_teams.apps.http.adapter import (
    HttpMethod,
    HttpRequest,
    HttpResponse,
    HttpRouteHandler,
)
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from handlers.teams.tenancy import tenant_problem

log = logging.getLogger(__name__)
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,40}|[0-9]{1,4}")


class StarletteAdapter:
    """An `HttpServerAdapter` that only keeps the SDK's handler; serving is ours."""

    def __init__(self) -> None:
        self.handlers: dict[str, HttpRouteHandler] = {}

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        if method != "POST":
            raise ValueError(f"unsupported method {method}")
        self.handlers[path] = handler

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("winterbot serves no Teams tabs")

    async def start(self, port: int) -> None:
        raise NotImplementedError("winterbot serve runs the web server")

    async def stop(self) -> None:
        return None


async def read_activity(request: Request) -> dict[str, object] | None:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def activity_problem(body: dict[str, object]) -> str | None:
    """Why the SDK could not read this activity (the fields at fault, never their values), or
    None. The SDK's own check comes after the token's and answers 500 with a traceback whose
    message quotes what was sent: this one comes first and answers 400."""
    try:
        core = CoreActivity.model_validate(body)
        ActivityTypeAdapter.validate_python(core.model_dump(by_alias=True, exclude_none=True))
    except ValidationError as error:
        fields = sorted({".".join(_name(part) for part in e["loc"][-2:]) for e in error.errors()})[:5]
        return "the activity is missing fields or has fields of the wrong type: " + (", ".join(fields) or "type")
    return None


def _name(part: object) -> str:
    """A field's name as the schema spells it; anything else (a key someone sent) as '?'."""
    text = str(part)
    return text if _FIELD_NAME.fullmatch(text) else "?"


async def call(handler: HttpRouteHandler, request: Request) -> Response:
    body = await read_activity(request)
    if body is None:
        log.warning("refused a Teams request (400): the body is not a JSON object; body withheld")
        return JSONResponse({"error": "the body must be a JSON activity"}, status_code=400)
    problem = activity_problem(body) or tenant_problem(body)
    if problem is not None:
        log.warning("refused a Teams request (400): %s; body withheld", problem)
        return JSONResponse({"error": problem}, status_code=400)
    answer: HttpResponse = await handler(HttpRequest(body=body, headers=dict(request.headers)))
    if answer.get("body") is None:
        return Response(status_code=answer["status"])
    return JSONResponse(answer["body"], status_code=answer["status"])
