"""The pages an admin sees after Slack's consent screen: short, plain, and saying what to do next.

Installed, the next step is the admin's (or their on-call engineer's): load their programme for
this workspace with `winterbot load FILE --workspace TEAM_ID`, so the page shows the team id.
Refused, the page says why in words and how to start again. Either way the state cookie is
cleared, nothing is cached, and the address (with its code and state) is never sent on.
"""

from __future__ import annotations

import logging
from html import escape

from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation

from bot.common.config import Settings

log = logging.getLogger(__name__)

HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

START_AGAIN = "Start again from {install}, in this browser."
REASONS = {
    "access_denied": "The installation was cancelled on Slack's screen, so nothing was installed.",
    "invalid_browser": "This page was opened in a different browser from the one that started the installation.",
    "invalid_state": "This installation link has expired or was used already.",
    "missing_code": "Slack did not send the code that completes the installation.",
    "invalid_code": "Slack did not accept the code that completes the installation (it may have been used already).",
    "storage_error": "winterbot could not save the installation. Try again in a minute; if it fails again, "
    "tell whoever runs winterbot.",
}


class OAuthPages:
    def __init__(self, settings: Settings) -> None:
        self.install = f"{settings.public_url or ''}/slack/install"

    def callback_options(self) -> AsyncCallbackOptions:
        return AsyncCallbackOptions(success=self.success, failure=self.failure)

    async def success(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        log.info(
            "Slack: winterbot was installed in workspace %s%s",
            installation.team_id or "(organisation-wide)",
            f" of organisation {installation.enterprise_id}" if installation.enterprise_id else "",
        )
        return self._page(200, "winterbot is installed", installed_words(installation), args)

    async def failure(self, args: AsyncFailureArgs) -> BoltResponse:
        reason = REASONS.get(args.reason, "Slack could not complete the installation.")
        log.warning("Slack: an installation was refused (%s)", args.reason)
        words = [reason, START_AGAIN.format(install=f"<a href='{escape(self.install)}'>{escape(self.install)}</a>")]
        return self._page(args.suggested_status_code, "winterbot was not installed", words, args)

    @staticmethod
    def _page(
        status: int, title: str, paragraphs: list[str], args: AsyncSuccessArgs | AsyncFailureArgs
    ) -> BoltResponse:
        body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        html = (
            f"<!DOCTYPE html>\n<html lang='en'>\n<head><meta charset='utf-8'><title>{escape(title)}</title></head>\n"
            f"<body>\n<h1>{escape(title)}</h1>\n{body}\n</body>\n</html>\n"
        )
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        return BoltResponse(status=status, body=html, headers={**HEADERS, "Set-Cookie": [cookie]})


def installed_words(installation: Installation) -> list[str]:
    """The success page's paragraphs (HTML, every value escaped)."""
    name = escape(installation.team_name or installation.enterprise_name or "your workspace")
    if installation.is_enterprise_install or not installation.team_id:
        enterprise = escape(installation.enterprise_id or "")
        where = f"in the organisation {name} (organisation id <code>{enterprise}</code>)"
        command = f"winterbot load FILE --workspace TEAM_ID --enterprise {enterprise}"
        team_hint = "TEAM_ID being the id of the programme's workspace in the organisation. "
    else:
        team = escape(installation.team_id)
        where = f"in the workspace {name} (team id <code>{team}</code>)"
        extra = f" --enterprise {escape(installation.enterprise_id)}" if installation.enterprise_id else ""
        command = f"winterbot load FILE --workspace {team}{extra}"
        team_hint = ""
    return [
        f"winterbot is now installed {where}.",
        (
            "Next, whoever runs winterbot loads your programme for this workspace, FILE being your "
            f"programme's YAML file ({team_hint}<code>winterbot init FILE</code> writes a sample to edit):"
        ),
        f"<pre><code>{command}</code></pre>",
        "Until then, winterbot sends nothing here, and <code>/winter</code> finds no programme.",
    ]
