"""Blockers in words: the sentences `/winter blockers` says on every platform. Plain text: each
renderer escapes it for its markup."""

from __future__ import annotations

from bot.checkin.blockers import BlockerActed, BlockersList, BlockerView, Reply
from bot.common.wording import join_words, plural, shortened

STATUS_WORDS = {"open": "open", "working": "being worked on", "resolved": "resolved", "wont_fix": "won't fix"}
DONE_WORDS = {
    "raised": "raised it",
    "changed": "changed it",
    "reply": "replied",
    "take": "took it on",
    "resolve": "marked it resolved",
    "wontfix": "will not fix it",
    "reopen": "reopened it",
    "decided": "decided",
}


def heading(view: BlockerView) -> str:
    owner = f", taken on by {view.owner}" if view.owner else ""
    who = view.organisation + (
        f" and {plural(len(view.also), 'other')} ({join_words(list(view.also))})" if view.also else ""
    )
    return f"#{view.blocker_id} {who}, since {view.raised_on:%a %-d %b} ({STATUS_WORDS.get(view.status, view.status)}{owner})"


def reply_line(reply: Reply) -> str:
    done = DONE_WORDS.get(reply.action, reply.action)
    return f"{reply.who} {done}" + (f": {reply.note}" if reply.note else "")


def thread(view: BlockerView) -> list[str]:
    """The replies after the raising, oldest first."""
    return [reply_line(r) for r in view.replies if r.action != "raised"]


def listing_intro(result: BlockersList) -> str:
    if not result.blockers:
        return f"No blockers open on {result.programme_name}."
    whose = "" if result.may_answer else " raised by your organisation"
    return f"{plural(len(result.blockers), 'blocker')} open on {result.programme_name}{whose}, oldest first."


def listing_footer(result: BlockersList, word: str = "/winter blockers") -> str:
    if result.may_answer:
        return (
            f"Answer with `{word} reply ID TEXT`, `{word} take ID`, `{word} resolve ID [NOTE]` "
            f"or `{word} wontfix ID NOTE`."
        )
    return f"Solved? `{word} resolve ID`. New ones go in your check-in."


ACTED_WORDS = {
    "reply": "replied to",
    "take": "took on",
    "resolve": "marked resolved",
    "wontfix": "marked won't fix",
    "reopen": "reopened",
}


def acted_sentence(result: BlockerActed) -> str:
    view = result.blocker
    done = ACTED_WORDS.get(result.action, result.action)
    return (
        f"You {done} blocker #{view.blocker_id} from {view.organisation}; it is "
        f"{STATUS_WORDS.get(view.status, view.status)}. It shows on `blockers` and on their next check-in."
    )


TOLD_WORDS = {
    "decided": "recorded a decision on",
    "reply": "replied to",
    "take": "took on",
    "resolve": "marked resolved",
    "wontfix": "will not fix",
    "reopen": "reopened",
}


def told_sentence(who: str, action: str, note: str | None, blocker_id: int, text: str, programme: str) -> str:
    """What the partner who raised a blocker is told, in their DM, when someone answers it."""
    done = TOLD_WORDS.get(action, action)
    said = f": “{note}”" if note else "."
    return (
        f"{who} {done} your blocker #{blocker_id} on {programme} (“{shortened(text, 80)}”){said} "
        f"Still a problem, or solved? Say so in your next check-in, or `/winter blockers resolve {blocker_id}`."
    )


# What a lead may do from the brief's Reply (Slack's form, Teams' card): the action and its label.
ANSWER_CHOICES = (("reply", "Reply"), ("take", "Take it on"), ("resolve", "Resolved"), ("wontfix", "Won't fix"))
