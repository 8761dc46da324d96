"""Capacity risks: the rules, the register, leads' actions and escalations."""
