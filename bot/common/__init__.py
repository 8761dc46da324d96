"""What every other part of bot/ uses: the calendar, money, words and labels, redaction,
configuration, the one ordering of "newest", and reading what someone typed."""
