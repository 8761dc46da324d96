"""The Teams SDK's HTTP seam, on our Starlette app rather than the SDK's own FastAPI server:
the SDK registers its `/api/messages` handler here (with its token check) and our route
calls it."""

from __future__ import annotations

import json
import logging

from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpResponse, HttpRouteHandler
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger(__name__)


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
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


async def call(handler: HttpRouteHandler, request: Request) -> Response:
    body = await read_activity(request)
    if body is None:
        return JSONResponse({"error": "the body must be a JSON activity"}, status_code=400)
    answer: HttpResponse = await handler(HttpRequest(body=body, headers=dict(request.headers)))
    if answer.get("body") is None:
        return Response(status_code=answer["status"])
    return JSONResponse(answer["body"], status_code=answer["status"])
