"""Renderers: domain results to Block Kit. Pure functions, checked against Slack's limits."""
