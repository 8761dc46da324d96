"""Capacity risks: the readings and pure rules that find them, the register that raises them,
and the leads' requests and changes to them (their escalation is bot.sending's)."""
