"""Microsoft Teams: the Teams SDK app, its activity handlers and the Adaptive Card renderers."""

import warnings

# The SDK announces preview features we do not use when imported, and warns of a client it
# builds for itself each time it makes an API client: neither is ours to act on.
warnings.filterwarnings("ignore", message=".* is in preview and may change", module="microsoft_teams")
warnings.filterwarnings("ignore", message="The bot client is deprecated", category=DeprecationWarning)
