"""Rendering the web pages: one Jinja environment over our templates and the NHS.UK frontend's,
and the headers every page carries.

A page's link is its credential, so no page may leak it: a referrer goes only to this service
itself (so a browser's form post names our origin, which handlers.web.csrf checks), the page is
never kept in a cache or shown in a frame, and only scripts carrying the response's nonce run.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_PATH = "/static"
ASSET_PATH = f"{STATIC_PATH}/nhsuk"

ENVIRONMENT = Environment(
    loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), PackageLoader("nhsuk_frontend_jinja")]),
    undefined=ChainableUndefined,
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates never change under a running server: no stat of each file per page
)


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = ENVIRONMENT.get_template(template).render(cspNonce=nonce, assetPath=ASSET_PATH, **context)
    return HTMLResponse(html, status_code=status_code, headers=page_headers(nonce))


def page_headers(nonce: str) -> dict[str, str]:
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }
