"""The Teams app package's files: the manifest and its icons."""
