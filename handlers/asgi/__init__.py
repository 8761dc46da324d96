"""ASGI middleware in front of every route of the web process, whatever platform it serves."""
