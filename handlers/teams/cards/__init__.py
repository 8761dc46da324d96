"""Adaptive Card renderers: pure functions from bot/ results to card JSON (schema 1.5)."""
