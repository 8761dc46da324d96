"""The small pieces of English both platforms share."""

from __future__ import annotations

from bot.common.wording import age_words, join_words, plural, shortened


def test_plural_counts_one_and_many():
    assert plural(1, "working day") == "1 working day"
    assert plural(0, "open risk") == "0 open risks"
    assert plural(12, "more flag") == "12 more flags"


def test_a_risk_raised_today_is_said_so_and_older_ones_in_working_days():
    assert age_words(0) == "raised today"
    assert age_words(1) == "1 working day old"
    assert age_words(9) == "9 working days old"


def test_shortened_keeps_short_text_and_ends_long_text_with_an_ellipsis_within_the_width():
    assert shortened("Brightside", 10) == "Brightside"
    cut = shortened("Brightside Home Care", 10)
    assert cut == "Brightsid…" and len(cut) == 10


def test_join_words_reads_as_a_list_in_english():
    assert join_words([]) == "" and join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b" and join_words(["a", "b", "c"]) == "a, b and c"
