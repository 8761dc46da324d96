"""What every other part of bot/ uses: the calendar, money, words, redaction, configuration, the command table."""
