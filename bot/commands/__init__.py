"""The commands people type, platform-neutral: the table (bot.commands.table) says which use case
each word runs, who may use it and what it returns; the platforms only render the results."""
