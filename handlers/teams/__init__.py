"""Microsoft Teams: the Teams SDK app, its activity handlers and the Adaptive Card renderers."""

import warnings

# The SDK announces preview features we do not use each time it is imported.
warnings.filterwarnings("ignore", message=".* is in preview and may change", module="microsoft_teams")
