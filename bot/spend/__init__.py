"""Spend against the deadline: the position and forecast, leads' entries, the return, the chart."""
