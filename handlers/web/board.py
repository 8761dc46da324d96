"""The leads' huddle board: `GET /board/{token}` for the shared screen (refreshed every two
minutes, no JavaScript), `GET /board/{token}/print` (or `?print=1`) for the minutes; `?refresh=off` is the screen without its
refresh (WCAG 2.2.1: whoever reads it may stop the timed reload).

The link is signed for one lead (bot.common.web_links.board_url, 12 hours); at every load the
member it was signed for must still be on the programme as a lead or admin
(bot.reports.board.board_access), so a lead archived or made a partner since is refused at once.
A refused link is a plain page: 410 once it has expired, 403 otherwise. What the board shows is
bot.reports.board's; how it is shown is handlers/web/board_view.py's and the templates'.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.common.config import Settings
from bot.common.signed_links import BOARD, LinkRefused, read
from bot.reports.board import BoardRefused, board_access, compose_board
from bot.spend.charts import burn_up_png
from bot.views.status_cache import screens_of
from handlers.web.board_view import board_context
from handlers.web.pages import render
from models.db import read_scope

log = logging.getLogger(__name__)

REFRESH_SECONDS = 120
FORBIDDEN, GONE = 403, 410


def board_routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    secret = settings.web_secret or ""

    def page(request: Request) -> Response:
        printing = request.query_params.get("print") not in (None, "", "0")
        return _board(request, printing, still=request.query_params.get("refresh") == "off")

    def printed(request: Request) -> Response:
        return _board(request, printing=True, still=True)

    def _board(request: Request, printing: bool, still: bool) -> Response:
        now = datetime.now(UTC)
        grant = read(secret, request.path_params["token"], BOARD, now)
        if isinstance(grant, LinkRefused):
            log.info("board link refused (%s)", "expired" if grant.expired else "broken")
            return refused(grant.reason, GONE if grant.expired else FORBIDDEN)
        screens = screens_of(engine)
        with read_scope(engine) as session:
            access = board_access(session, grant.member_id)
            if isinstance(access, BoardRefused):
                log.info("board link of member %s refused: %s", grant.member_id, access.reason)
                return refused(access.message, FORBIDDEN)
            _, programme = access
            board = compose_board(session, programme, now, screens)
            chart = screens.view(session, programme, now, "board-chart", lambda: burn_up_png(board.burn))[1]
        return render(
            "board_print.jinja" if printing else "board.jinja",
            title=f"Huddle board: {board.programme_name}",
            board=board,
            chart=f"data:image/png;base64,{base64.b64encode(chart).decode()}",
            printing=printing,
            refresh=None if printing or still else REFRESH_SECONDS,
            refresh_every=REFRESH_SECONDS,
            page_url=request.url.path,
            still_url=f"{request.url.path}?refresh=off",
            print_url=f"{request.url.path.rstrip('/')}/print",
            bodyClasses="board-body board-print" if printing else "board-body",
            containerClasses="board-width",
            **board_context(board, whole=printing),
        )

    return [
        Route("/board/{token}", page, methods=["GET"]),
        Route("/board/{token}/print", printed, methods=["GET"]),
    ]


def refused(message: str, status_code: int) -> Response:
    return render("board_refused.jinja", status_code=status_code, title="Huddle board", message=message)
