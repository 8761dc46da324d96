"""Cross-site request forgery, without a login: a page reached by a signed link proves a POST
came from its own form by a random cookie and a hidden field that must agree.

The cookie (HttpOnly, SameSite=Lax, Secure when the service is reached over https) holds a
random value, set when the form is shown; the form's hidden field carries an HMAC of that value
and the link's token, under a key of its own derived from the web secret. Another site can
neither read the cookie nor make the field, and a field made for one link is no good for another.
Lax, not Strict: a browser does not send a Strict cookie on the visit that follows a link in a
webmail page, and a fresh cookie would then void the form already open in another tab; a Lax
cookie still never goes with another site's POST. A POST whose Origin header is present and not
the service's own is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "winterbot_csrf"
FIELD = "csrf"
COOKIE_BYTES = 32


def new_value() -> str:
    return secrets.token_urlsafe(COOKIE_BYTES)


def cookie_value(request: Request) -> str | None:
    """The request's cookie when it looks like one we set; else None (a new one is set)."""
    value = request.cookies.get(COOKIE)
    if not value or len(value) > 2 * COOKIE_BYTES or not value.isascii():
        return None
    return value


def field_value(secret: str, cookie: str, token: str) -> str:
    """What the form's hidden field carries for this cookie and this link."""
    key = hmac.new(secret.encode(), b"winterbot csrf field", hashlib.sha256).digest()
    return hmac.new(key, f"{cookie}|{token}".encode(), hashlib.sha256).hexdigest()


def field_matches(secret: str, cookie: str | None, token: str, field: object) -> bool:
    if not cookie or not isinstance(field, str) or not field.isascii():
        return False
    return hmac.compare_digest(field, field_value(secret, cookie, token))


def origin_allowed(request: Request, public_url: str | None) -> bool:
    """No Origin header (an older browser), or ours. Our pages send their referrer to their own
    origin only (handlers.web.pages), so a browser's post from them names it; "null" (a page
    with no referrer, a sandboxed frame) is not ours."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return public_url is not None and origin.rstrip("/").lower() == origin_of(public_url)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def set_cookie(response: Response, value: str, public_url: str | None, path: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        path=path,
        httponly=True,
        samesite="lax",
        secure=bool(public_url and public_url.lower().startswith("https")),
    )
