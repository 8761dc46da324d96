"""Users' words never reach the log, even at DEBUG: the libraries that log whole requests and
answers are held at INFO by `winterbot`'s logging set-up."""

from __future__ import annotations

import logging

from bot.app.cli import WORDS_AT_DEBUG, main


def test_debug_logging_keeps_the_talkative_libraries_at_info(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WINTERBOT_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    root = logging.getLogger()
    saved = root.level, list(root.handlers)
    try:
        root.handlers.clear()
        main(["init", str(tmp_path / "p.yaml")])
        assert root.level == logging.DEBUG
        for name in WORDS_AT_DEBUG:
            assert logging.getLogger(name).getEffectiveLevel() == logging.INFO, name
        assert not logging.getLogger("slack_bolt.App").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name in WORDS_AT_DEBUG:
            logging.getLogger(name).setLevel(logging.NOTSET)
