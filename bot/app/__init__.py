"""The composition roots: the CLI, the ASGI app, the senders; the only place in bot/ that imports handlers/."""
