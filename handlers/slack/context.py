"""The Slack listeners' context is the platform-neutral one in bot/context."""

from bot.app.context import HandlerContext

SlackContext = HandlerContext

__all__ = ["SlackContext"]
