"""Microsoft Teams: the Teams SDK app, its activity handlers and the Adaptive Card renderers."""
