"""Notify's delivery receipts (its callbacks): `POST /notify/receipts`, with the bearer token the
admin gave Notify (NOTIFY_CALLBACK_TOKEN). Recorded by bot.sending.receipts; nothing of the body is
logged but the notification's id and status."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.common.config import Settings
from bot.sending.receipts import Receipt, parse_receipt, record_receipt
from models.db import session_scope

log = logging.getLogger(__name__)

RECEIPTS_PATH = "/notify/receipts"


def receipt_routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    token = settings.notify_callback_token
    assert token

    async def receipts(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return JSONResponse({"error": "a receipt needs Notify's bearer token"}, status_code=401)
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "the body must be JSON"}, status_code=400)
        receipt = parse_receipt(body)
        if isinstance(receipt, str):
            return JSONResponse({"error": receipt}, status_code=400)
        await asyncio.to_thread(_record, engine, receipt)
        log.info("notify receipt %s: %s", receipt.notification_id, receipt.status)
        return JSONResponse({"ok": True})

    return [Route(RECEIPTS_PATH, receipts, methods=["POST"])]


def _record(engine: Engine, receipt: Receipt) -> None:
    """Notify may send the same receipt twice at once: the loser of the insert updates instead."""
    for attempt in range(2):
        try:
            with session_scope(engine) as session:
                record_receipt(session, receipt, datetime.now(UTC))
            return
        except IntegrityError:
            if attempt:
                raise
